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
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.util.concurrent.Future;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
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
    private final Supplier<RuntimeSnapshot> snapshots;
    private final Metrics metrics;
    private final ClientChannels clients = new ClientChannels();
    private final Map<String, Bound> bound = new LinkedHashMap<>();
    // Here, not in the snapshot: open-connection counts and token buckets outlive a reload.
    private final ConnectionLimiter connections = new ConnectionLimiter();
    private final RateLimiter rates = new RateLimiter(System::nanoTime);

    private record Bound(ListenerConfig config, Channel channel) {}

    private Listeners(EventLoopGroup group, Transport transport, Supplier<RuntimeSnapshot> snapshots, Metrics metrics) {
        this.group = group;
        this.transport = transport;
        this.snapshots = snapshots;
        this.metrics = metrics;
    }

    /** Binds every listener or none: on a failure the ones already bound are closed again. */
    public static Listeners bind(
            SwitchyardConfig config,
            EventLoopGroup group,
            Transport transport,
            Supplier<RuntimeSnapshot> snapshots,
            Metrics metrics)
            throws InterruptedException {
        Listeners listeners = new Listeners(group, transport, snapshots, metrics);
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
            added.values().forEach(b -> b.channel().close());
            throw e;
        }
        List<String> wanted = new ArrayList<>();
        config.listeners().forEach(l -> wanted.add(l.name()));
        for (Map.Entry<String, Bound> entry : new ArrayList<>(bound.entrySet())) {
            if (!wanted.contains(entry.getKey()) || added.containsKey(entry.getKey())) {
                entry.getValue().channel().close().syncUninterruptibly();
                bound.remove(entry.getKey());
                log.info(
                        "listener {} on {} closed",
                        entry.getKey(),
                        entry.getValue().config().bind());
            }
        }
        bound.putAll(added);
    }

    private Channel open(ListenerConfig listener) throws InterruptedException {
        Channel channel = new ServerBootstrap()
                .group(group)
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
                .childHandler(new FrontendSetupHandler(
                        snapshots,
                        metrics.listener(listener.name()),
                        clients,
                        connections,
                        connections.listener(listener.name()),
                        rates))
                .bind(listener.bind().host(), listener.bind().port())
                .sync()
                .channel();
        log.info("listener {} bound to {}", listener.name(), format((InetSocketAddress) channel.localAddress()));
        return channel;
    }

    /** The address a listener actually bound, with the real port when the config said 0. */
    public InetSocketAddress address(String listenerName) {
        Bound listener = bound.get(listenerName);
        if (listener == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return (InetSocketAddress) listener.channel().localAddress();
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
        clients.forEach(client -> client.pipeline().fireUserEventTriggered(RequestHandler.DRAIN));
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
        for (Bound listener : bound.values()) {
            listener.channel().close().syncUninterruptibly();
        }
    }

    private static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
