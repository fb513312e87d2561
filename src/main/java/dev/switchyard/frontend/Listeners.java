package dev.switchyard.frontend;

import dev.switchyard.config.ListenerConfig;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.Transport;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bound listener sockets. Binding happens on the caller's thread at start; afterwards
 * the map is read-only. Closing stops accepting; connections in service are not touched.
 */
public final class Listeners implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Listeners.class);

    private final Map<String, Channel> bound;

    private Listeners(Map<String, Channel> bound) {
        this.bound = bound;
    }

    /** Binds every listener or none: on a failure the ones already bound are closed again. */
    public static Listeners bind(SwitchyardConfig config, EventLoopGroup group, Transport transport,
                                 Supplier<RuntimeSnapshot> snapshots, Metrics metrics) throws InterruptedException {
        Map<String, Channel> bound = new LinkedHashMap<>();
        try {
            for (ListenerConfig listener : config.listeners()) {
                FrontendInitializer initializer = new FrontendInitializer(snapshots,
                        Codecs.decoderConfig(config.limits().maxHeaderSize()),
                        config.timeouts().clientHeader(), config.timeouts().clientIdle(),
                        metrics.listener(listener.name()));
                Channel channel = new ServerBootstrap()
                        .group(group)
                        .channel(transport.serverChannelClass())
                        .option(ChannelOption.SO_BACKLOG, 1024)
                        .option(ChannelOption.SO_REUSEADDR, true)
                        // Client reads happen on demand (netty-notes §7).
                        .childOption(ChannelOption.AUTO_READ, false)
                        .childOption(ChannelOption.TCP_NODELAY, true)
                        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, Connector.WATER_MARK)
                        .childHandler(initializer)
                        .bind(listener.bind().host(), listener.bind().port())
                        .sync()
                        .channel();
                bound.put(listener.name(), channel);
                log.info("listener {} bound to {}", listener.name(), format((InetSocketAddress) channel.localAddress()));
            }
        } catch (Exception e) {
            bound.values().forEach(Channel::close);
            throw e;
        }
        return new Listeners(bound);
    }

    /** The address a listener actually bound, with the real port when the config said 0. */
    public InetSocketAddress address(String listenerName) {
        Channel channel = bound.get(listenerName);
        if (channel == null) {
            throw new IllegalArgumentException("no listener named " + listenerName);
        }
        return (InetSocketAddress) channel.localAddress();
    }

    @Override
    public void close() {
        for (Channel channel : bound.values()) {
            channel.close().syncUninterruptibly();
        }
    }

    private static String format(InetSocketAddress address) {
        String host = address.getAddress().getHostAddress();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + address.getPort();
    }
}
