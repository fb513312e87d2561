package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.InvalidConfigException;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.uring.IoUring;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * How listening sockets map to event loops: with {@code reuse-port} on a native transport, one
 * socket per loop on the listener's port, and every connection served by the loop that accepted
 * it; otherwise one socket whose loop deals connections out to all loops. The sockets are counted
 * in the kernel's own table ({@code /proc/net/tcp6}, {@code /proc/net/tcp}), the loops read off
 * the accepted channels.
 */
class ListenerSocketsIT {

    private static final int LOOPS = 2;
    private static final int CONNECTIONS = 64;

    private final List<Socket> sockets = new ArrayList<>();
    private EventLoopGroup group;
    private Listeners listeners;

    @AfterEach
    void stop() throws IOException {
        for (Socket socket : sockets) {
            socket.close();
        }
        if (listeners != null) {
            listeners.close();
            listeners.closeClients();
        }
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"epoll", "io_uring"})
    void eachLoopAcceptsOnItsOwnSocketAndServesWhatItAccepted(String transportName) throws Exception {
        Transport transport = nativeTransport(transportName);
        int port = start(transport, true, 0).getPort();

        assertThat(listeningSockets(port)).as("sockets listening on the port").isEqualTo(LOOPS);
        Map<Boolean, Long> servedByAcceptingLoop = connectAndSeeWhereServed(port);
        assertThat(servedByAcceptingLoop)
                .as("connections served by the loop that accepted them (true) or another (false)")
                .isEqualTo(Map.of(true, (long) CONNECTIONS));
    }

    @Test
    void withoutReusePortOneSocketDealsConnectionsToEveryLoop() throws Exception {
        Transport transport = nativeTransport("epoll");
        int port = start(transport, false, 0).getPort();

        assertThat(listeningSockets(port)).as("sockets listening on the port").isEqualTo(1);
        assertThat(connectAndSeeWhereServed(port))
                .as("in turn: half on the accepting loop, half handed to the other")
                .isEqualTo(Map.of(true, (long) CONNECTIONS / LOOPS, false, (long) CONNECTIONS / LOOPS));
    }

    @Test
    void nioHasOneSocketWhateverTheSetting() throws Exception {
        int port = start(Transport.nio(), true, 0).getPort();

        assertThat(listeningSockets(port))
                .as("Netty's NIO channels cannot set SO_REUSEPORT")
                .isEqualTo(1);
        assertThat(connectAndSeeWhereServed(port).values().stream()
                        .mapToLong(Long::longValue)
                        .sum())
                .as("every connection served")
                .isEqualTo(CONNECTIONS);
    }

    @Test
    void aListenerMovedByAReloadLeavesNoSocketOnItsOldPort() throws Exception {
        Transport transport = nativeTransport("epoll");
        int oldPort = start(transport, true, 0).getPort();

        listeners.reconcile(config(true, freePort()));
        int newPort = listeners.address("public").getPort();

        assertThat(newPort).as("moved").isNotEqualTo(oldPort);
        assertThat(listeningSockets(oldPort)).as("sockets left on the old port").isZero();
        assertThat(listeningSockets(newPort)).as("sockets on the new port").isEqualTo(LOOPS);
        try (ServerSocket plain = new ServerSocket(oldPort, 1, InetAddress.getLoopbackAddress())) {
            assertThat(plain.getLocalPort())
                    .as("the old port binds without SO_REUSEPORT: no socket of ours holds it")
                    .isEqualTo(oldPort);
        }
        assertThat(connectAndSeeWhereServed(newPort)).isEqualTo(Map.of(true, (long) CONNECTIONS));
    }

    private static Transport nativeTransport(String name) {
        if (name.equals("io_uring")) {
            assumeThat(IoUring.isAvailable())
                    .as("io_uring allowed on this host")
                    .isTrue();
            return Transport.ioUringOrDetect();
        }
        Transport transport = Transport.detect();
        assumeThat(transport.name()).as("epoll loads on this host").isEqualTo("epoll");
        return transport;
    }

    private InetSocketAddress start(Transport transport, boolean reusePort, int port) throws Exception {
        SwitchyardConfig config = config(reusePort, port);
        group = new MultiThreadIoEventLoopGroup(LOOPS, transport.ioHandlerFactory());
        List<EventLoop> loops = new ArrayList<>();
        for (EventExecutor loop : group) {
            loops.add((EventLoop) loop);
        }
        Metrics metrics = new Metrics();
        RuntimeSnapshot snapshot = RuntimeSnapshot.build(
                config, loops, new Connector(transport, Duration.ofSeconds(1), 8192), metrics, null);
        Supplier<RuntimeSnapshot> snapshots = () -> snapshot;
        listeners = Listeners.bind(config, group, transport, config.reusePort(), snapshots, metrics);
        return listeners.address("public");
    }

    private static SwitchyardConfig config(boolean reusePort, int port) throws InvalidConfigException {
        return ConfigLoader.parse("""
                switchyard {
                  threads = %d
                  reuse-port = %b
                  listeners = [ { name = public, bind = "127.0.0.1:%d" } ]
                  routes = [ { path-prefix = "/", pool = web } ]
                  pools { web { servers = [ { address = "127.0.0.1:9" } ] } }
                }
                """.formatted(LOOPS, reusePort, port), "test.conf");
    }

    /**
     * Opens {@link #CONNECTIONS} connections, one at a time so that a one-socket listener deals
     * them in strict turn, and counts them by whether the loop serving each is its listening
     * socket's loop.
     */
    private Map<Boolean, Long> connectAndSeeWhereServed(int port) throws Exception {
        int before = listeners.openClientConnections();
        for (int i = 0; i < CONNECTIONS; i++) {
            sockets.add(new Socket(InetAddress.getLoopbackAddress(), port));
            int opened = before + i + 1;
            await().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(2))
                    .atMost(Duration.ofSeconds(10))
                    .until(() -> listeners.openClientConnections() == opened);
        }
        Queue<Boolean> served = new ConcurrentLinkedQueue<>();
        Set<EventLoop> loops = new HashSet<>();
        listeners.forEachClient(channel -> {
            if (((InetSocketAddress) channel.localAddress()).getPort() == port) {
                served.add(channel.eventLoop() == channel.parent().eventLoop());
                synchronized (loops) {
                    loops.add(channel.eventLoop());
                }
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> served.size() == CONNECTIONS);
        synchronized (loops) {
            assertThat(loops)
                    .as("loops serving the %d connections (one loop only: odds 2^-%d)", CONNECTIONS, CONNECTIONS - 1)
                    .hasSize(LOOPS);
        }
        return served.stream().collect(Collectors.groupingBy(b -> b, Collectors.counting()));
    }

    /** Sockets in LISTEN state on {@code port}, IPv4 and IPv6 tables together. */
    private static long listeningSockets(int port) throws IOException {
        String local = ":" + String.format(Locale.ROOT, "%04X", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path path = Path.of(table);
            if (!Files.exists(path)) {
                continue;
            }
            List<String> lines = Files.readAllLines(path);
            for (String line : lines.subList(1, lines.size())) {
                String[] fields = line.trim().split("\\s+");
                // local_address is fields[1] (hex address:port), st is fields[3]; 0A is LISTEN.
                if (fields[1].endsWith(local) && fields[3].equals("0A")) {
                    count++;
                }
            }
        }
        return count;
    }

    private static int freePort() throws IOException {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        }
    }
}
