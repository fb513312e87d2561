package dev.switchyard.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.testkit.RefusingPort;
import dev.switchyard.upstream.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** {@code type = tcp}: a connect that succeeds passes, whatever the server then says or does not. */
class TcpProbeTest {

    private static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private static final EventLoop LOOP = GROUP.next();

    @AfterAll
    static void stopLoop() {
        GROUP.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ProbeResult check(int port) throws Exception {
        return new TcpProbe(Transport.nio(), Duration.ofSeconds(2))
                .check(HttpProbeTest.server(port), LOOP)
                .toCompletableFuture()
                .get(5, TimeUnit.SECONDS);
    }

    @Test
    void passesWhenTheConnectSucceedsEvenIfTheServerSaysNothing() throws Exception {
        try (ScriptedBackend backend = ScriptedBackend.silent()) {
            assertThat(check(backend.port())).isEqualTo(ProbeResult.pass("connected"));
        }
    }

    @Test
    void failsWhenNothingListens() throws Exception {
        try (RefusingPort refusing = new RefusingPort()) {
            assertThat(check(refusing.port())).isEqualTo(ProbeResult.fail("connection refused"));
        }
    }
}
