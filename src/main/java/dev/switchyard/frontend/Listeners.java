package dev.switchyard.frontend;

import dev.switchyard.config.ListenerConfig;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound listener sockets and the client connections they accepted. Binding and
 * reconciling run on the caller's thread (start, reload), one at a time; the client group is
 * thread-safe. Closing the listeners stops accepting; connections in service are not touched.
 */
public final class Listeners implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    /**
     * The kernel caps this at net.core.somaxconn (4096 on current kernels). A burst larger than
     * the queue is not refused but dropped, and the client's SYN is resent after 1 s, then 3 s:
     * a connection-count spike turns into multi-second connects. HAProxy asks for its maxconn.
     */
    static final int ACCEPT_BACKLOG = 4096;

    /**
     * Connections accepted per turn of the listener's event loop, until the queue is empty.
     * Netty's default handle stops after one: its "maybe more" test compares the accepted fd
     * with 1, which is never true on level-triggered epoll (Netty 4.2). Under load a turn takes
     * tens of milliseconds, so with wrk -c1000 ~900 connections were still queued after 1 s and
     * ~600 after 5 s, each with its request waiting: that was the multi-second p99.9 and wrk's
     * 5 s timeouts at 1,000 connections (bench/README.md). Accepting what is queued costs one
     * turn a few milliseconds and serves clients that have already waited.
     */
    static final int ACCEPTS_PER_READ = ACCEPT_BACKLOG;

    private final EventLoopGroup group;
    private final Transport transport;
    private final boolean socketPerLoop;
    private final Supplier<RuntimeSnapshot> snapshots;
    private final Metrics metrics;
    private final ClientChannels clients = new ClientChannels();
    private final Map<String, Bound> bound = new LinkedHashMap<>();
    // Here, not in the snapshot: open-connection counts and token buckets outlive a reload.
    private final ConnectionLimiter connections = new ConnectionLimiter();
    private final RateLimiter rates = new RateLimiter(System::nanoTime);

    /** One socket per event loop where the transport allows it, else one for all (see {@link #open}). */
    private record Bound(ListenerConfig config, List<Channel> channels) {
        void close() {
            channels.forEach(c -> c.close().syncUninterruptibly());
        }
    }

    private Listeners(
            EventLoopGroup group,
            Transport transport,
            boolean reusePort,
            Supplier<RuntimeSnapshot> snapshots,
            Metrics metrics) {
        this.group = group;
        this.transport = transport;
        this.socketPerLoop = reusePort && transport.bindsPerLoop();
        this.snapshots = snapshots;
        this.metrics = metrics;
    }

    /** Binds every listener or none: on a failure the ones already bound are closed again. */
    public static Listeners bind(
            SwitchyardConfig config,
            EventLoopGroup group,
            Transport transport,
            boolean reusePort,
            Supplier<RuntimeSnapshot> snapshots,
            Metrics metrics)
            throws InterruptedException {
        Listeners listeners = new Listeners(group, transport, reusePort, snapshots, metrics);
        try {
            for (ListenerConfig listener : config.listeners()) {
                listeners.bound.put(listener.name(), new Bound(listener, listeners.open(listener)));
            }
        } catch (InterruptedException | RuntimeException e) {
            listeners.close();
            throw e;
        }
        return listeners;
    }

    /**
     * Makes the bound listeners match a reloaded configuration: new and changed ones bind first,
     * and only then are removed or replaced ones closed, so clients always find a socket. A bind
     * failure leaves everything as it was and throws.
     */
    public void reconcile(SwitchyardConfig config) throws InterruptedException {
        Map<String, Bound> added = new LinkedHashMap<>();
        try {
            for (ListenerConfig listener : config.listeners()) {
                Bound current = bound.get(listener.name());
                if (current == null || !Objects.equals(current.config().bind(), listener.bind())) {
                    added.put(listener.name(), new Bound(listener, open(listener)));
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            added.values().forEach(Bound::close);
            throw e;
        }
        List<String> wanted = new ArrayList<>();
        config.listeners().forEach(l -> wanted.add(l.name()));
        for (Map.Entry<String, Bound> entry : new ArrayList<>(bound.entrySet())) {
            if (!wanted.contains(entry.getKey()) || added.containsKey(entry.getKey())) {
                entry.getValue().close();
                bound.remove(entry.getKey());
                log.info(
                        "listener {} on {} closed",
                        entry.getKey(),
                        entry.getValue().config().bind());
            }
        }
        bound.putAll(added);
    }

    /**
     * Binds a listener. On epoll and io_uring, each event loop gets its own socket on the same
     * port ({@code SO_REUSEPORT}, as nginx's {@code reuseport} and Envoy's listeners do):
     * the kernel spreads new connections over the sockets, and each loop accepts and serves its
     * own. With one socket, one loop accepted every connection, built its channel (four system
     * calls in Netty's constructors) and handed it to another loop, which an eventfd write then
     * woke for most connections: at N = 2 with a new connection per request, the accepting loop
     * used 25 % more CPU than the other (bench/README.md, "twenty-first round").
     */
    private List<Channel> open(ListenerConfig listener) throws InterruptedException {
        List<EventLoop> loops = new ArrayList<>();
        if (socketPerLoop) {
            for (EventExecutor loop : group) {
                loops.add((EventLoop) loop);
            }
        }
        FrontendSetupHandler setup = new FrontendSetupHandler(
                snapshots,
                metrics.listener(listener.name()),
                clients,
                connections,
                connections.listener(listener.name()),
                rates);
        List<Channel> channels = new ArrayList<>();
        try {
            if (loops.size() < 2) {
                channels.add(bind(
                        bootstrap(group, setup),
                        listener.bind().host(),
                        listener.bind().port()));
            } else {
                int port = listener.bind().port();
                for (EventLoop loop : loops) {
                    ServerBootstrap perLoop = bootstrap(loop, setup).option(UnixChannelOption.SO_REUSEPORT, true);
                    Channel channel = bind(perLoop, listener.bind().host(), port);
                    // Port 0: the first socket's kernel-chosen port is the one the others join.
                    port = ((InetSocketAddress) channel.localAddress()).getPort();
                    channels.add(channel);
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            channels.forEach(Channel::close);
            throw e;
        }
        log.info(
                "listener {} bound to {}{}",
                listener.name(),
                format((InetSocketAddress) channels.get(0).localAddress()),
                channels.size() > 1 ? " (one socket per event loop: " + channels.size() + ")" : "");
        return channels;
    }

    /** A loop as the group makes each accepted connection live on the loop that accepted it. */
    private ServerBootstrap bootstrap(EventLoopGroup acceptAndServe, FrontendSetupHandler setup) {
        return new ServerBootstrap()
                .group(acceptAndServe)
                .channel(transport.serverChannelClass())
                .option(ChannelOption.SO_BACKLOG, ACCEPT_BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .option(
                        ChannelOption.RCVBUF_ALLOCATOR,
                        new ServerChannelRecvByteBufAllocator()
                                .respectMaybeMoreData(false)
                                .maxMessagesPerRead(ACCEPTS_PER_READ))
                // Client reads happen on demand (netty-notes §7).
                .childOption(ChannelOption.AUTO_READ, false)
                // TCP_NODELAY is not set here: Netty's socket configs (epoll and NIO) turn it
                // on at creation, and setting it again cost a setsockopt per connection.
                .childOption(ChannelOption.ALLOCATOR, Transport.ALLOCATOR)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Connector.WATER_MARK)
                .childHandler(setup);
    }

    private static Channel bind(ServerBootstrap bootstrap, String host, int port) throws InterruptedException {
        return bootstrap.bind(host, port).sync().channel();
    }

    /** The address a listener actually bound, with the real port when the config said 0. */
    public InetSocketAddress address(String listenerName) {
        Bound listener = bound.get(listenerName);
        if (listener == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return (InetSocketAddress) listener.channels().get(0).localAddress();
    }

    /** Client connections open now, across listeners. */
    public int openClientConnections() {
        return clients.size();
    }

    /**
     * Shutdown, step two (after {@link #close}): every client connection closes as soon as it
     * has nothing in service; a busy one answers its request with {@code Connection: close}.
     */
    public void drainClients() {
        forEachClient(client -> client.pipeline().fireUserEventTriggered(RequestHandler.DRAIN));
    }

    /** Runs {@code action} on every open client connection, on its loop; returns at once. */
    void forEachClient(Consumer<Channel> action) {
        clients.forEach(action);
    }

    /** Shutdown, last step: whatever is still open after the grace period. */
    public void closeClients() {
        for (Future<List<ChannelFuture>> loopDone : clients.closeAll()) {
            if (loopDone.awaitUninterruptibly().isSuccess()) {
                loopDone.getNow().forEach(ChannelFuture::awaitUninterruptibly);
            }
        }
    }

    /** Stops accepting. */
    @Override
    public void close() {
        bound.values().forEach(Bound::close);
    }

    private static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
