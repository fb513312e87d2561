package dev.switchyard.health;

import dev.switchyard.upstream.Server;
import dev.switchyard.upstream.Transport;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletionStage;

/** {@code type = tcp}: the server passes when a TCP connect succeeds within the timeout. */
final class TcpProbe implements Probe {

    private final Transport transport;
    private final Duration timeout;

    TcpProbe(Transport transport, Duration timeout) {
        this.transport = transport;
        this.timeout = timeout;
    }

    @Override
    public CompletionStage<ProbeResult> check(Server server, EventLoop loop) {
        ProbeConnection connection = new ProbeConnection(timeout);
        return connection.open(
                transport,
                server,
                loop,
                new ChannelInboundHandlerAdapter(),
                () -> connection.finish(ProbeResult.pass("connected")));
    }
}
