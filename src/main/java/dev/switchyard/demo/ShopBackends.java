package dev.switchyard.demo;

import dev.switchyard.config.PoolConfig;
import dev.switchyard.config.ServerConfig;
import dev.switchyard.config.SwitchyardConfig;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerKeepAliveHandler;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The demo's "shop" web servers: one small HTTP server per server address in the demo
 * configuration, named shop-1, shop-2, … so a newcomer sees the balancing. Not part of the
 * proxy; its own single-thread loop.
 */
public final class ShopBackends implements AutoCloseable {

    private final EventLoopGroup group;
    private final List<String> names;

    private ShopBackends(EventLoopGroup group, List<String> names) {
        this.group = group;
        this.names = names;
    }

    public static ShopBackends start(SwitchyardConfig config) throws InterruptedException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<String> names = new ArrayList<>();
        try {
            for (PoolConfig pool : config.pools().values()) {
                for (ServerConfig server : pool.servers()) {
                    String name = "shop-" + (names.size() + 1);
                    bind(group, name, server);
                    names.add(name + " on " + server.address());
                }
            }
        } catch (InterruptedException | RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
        return new ShopBackends(group, names);
    }

    private static Channel bind(EventLoopGroup group, String name, ServerConfig server) throws InterruptedException {
        return new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<Channel>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(
                                        new HttpServerCodec(), new HttpServerKeepAliveHandler(), new ShopHandler(name));
                    }
                })
                .bind(new InetSocketAddress(
                        server.address().host(), server.address().port()))
                .sync()
                .channel();
    }

    /** What to print for the newcomer once the proxy listens on {@code proxy}. */
    public String instructions(InetSocketAddress proxy) {
        String url = "http://" + proxy.getHostString() + ":" + proxy.getPort() + "/";
        return "\nSwitchyard demo is running.\n"
                + "  shop servers: " + String.join(", ", names) + "\n"
                + "  proxy:        " + url + "\n\n"
                + "Try:\n"
                + "  curl " + url + "            # repeat it: shop-1, shop-2 and shop-3 answer in turn\n"
                + "  curl -i " + url + "cart     # response headers: X-Backend names the server\n"
                + "  curl -d 'apples=3' " + url + "checkout   # a body is streamed through and echoed\n\n"
                + "Stop with Ctrl-C.\n";
    }

    @Override
    public void close() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
