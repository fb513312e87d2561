package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A burst of connections is accepted in a few event-loop turns, not one connection per turn.
 * With Netty's default accept handle on level-triggered epoll, the listener took one connection
 * per turn: under load a turn takes tens of milliseconds, so wrk -c1000 saw requests wait
 * seconds in the accept queue (bench/README.md, the 1,000-connection tail).
 */
class AcceptBurstIT {

    private static final int BURST = 200;
    private static final Duration TURN = Duration.ofMillis(20);

    @Test
    void acceptsABurstInAFewTurnsOfABusyLoop() throws Exception {
        SwitchyardConfig config = ConfigLoader.parse("""
                switchyard {
                  threads = 1
                  listeners = [ { name = public, bind = "127.0.0.1:0" } ]
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web { servers = [ { address = "127.0.0.1:9" } ] } }
                }
                """, "test.conf");
        Transport transport = Transport.detect();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, transport.ioHandlerFactory());
        EventLoop loop = group.next();
        Metrics metrics = new Metrics();
        RuntimeSnapshot snapshot = RuntimeSnapshot.build(
                config, List.of(loop), new Connector(transport, Duration.ofSeconds(1), 8192), metrics, null);
        Listeners listeners = Listeners.bind(config, group, transport, () -> snapshot, metrics);
        List<Socket> sockets = new ArrayList<>();
        // Every turn of the loop costs TURN of wall-clock time, as a loop serving heavy traffic
        // does: one accept per turn would need BURST * TURN = 4 s for the burst.
        ScheduledFuture<?> busy = loop.scheduleAtFixedRate(AcceptBurstIT::spin, 0, 1, TimeUnit.MILLISECONDS);
        try {
            InetSocketAddress address = listeners.address("public");
            for (int i = 0; i < BURST; i++) {
                // The kernel completes the handshake; the connection waits in the accept queue.
                sockets.add(new Socket(address.getAddress(), address.getPort()));
            }
            long start = System.nanoTime();
            await().atMost(Duration.ofSeconds(30)).until(() -> listeners.openClientConnections() == BURST);
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertThat(took)
                    .as("%d connections accepted by a loop whose turns take %s", BURST, TURN)
                    .isLessThan(TURN.multipliedBy(BURST / 2));
        } finally {
            busy.cancel(false);
            for (Socket socket : sockets) {
                socket.close();
            }
            listeners.close();
            listeners.closeClients();
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    /** Holds the loop without blocking calls, so the turn's length is wall-clock time. */
    private static void spin() {
        long end = System.nanoTime() + TURN.toNanos();
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
