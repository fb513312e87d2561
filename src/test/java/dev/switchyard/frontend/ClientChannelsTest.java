package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.local.LocalAddress;
import io.netty.channel.local.LocalChannel;
import io.netty.channel.local.LocalIoHandler;
import io.netty.channel.local.LocalServerChannel;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Connections on two event loops: counted, visited on their own loop, and closed. */
class ClientChannelsTest {

    private static final int CONNECTIONS = 6;

    private final ClientChannels clients = new ClientChannels();
    private EventLoopGroup group;
    private EventLoopGroup clientGroup;
    private Channel server;
    private final List<Channel> connections = new ArrayList<>();

    /** What the proxy's first handler does: in when added, out when the channel closes. */
    @Sharable
    private final class Tracking extends ChannelInboundHandlerAdapter {
        @Override
        public void handlerAdded(ChannelHandlerContext ctx) {
            clients.add(ctx.channel());
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            clients.remove(ctx.channel());
            ctx.fireChannelInactive();
        }
    }

    @BeforeEach
    void connect() throws Exception {
        group = new MultiThreadIoEventLoopGroup(2, LocalIoHandler.newFactory());
        // The clients' own loop: sharing the proxy's two would put every accepted one on the same loop.
        clientGroup = new MultiThreadIoEventLoopGroup(1, LocalIoHandler.newFactory());
        LocalAddress address = new LocalAddress("client-channels-test");
        server = new ServerBootstrap()
                .group(group)
                .channel(LocalServerChannel.class)
                .childHandler(new Tracking())
                .bind(address)
                .sync()
                .channel();
        Bootstrap bootstrap = new Bootstrap()
                .group(clientGroup)
                .channel(LocalChannel.class)
                .handler(new ChannelInitializer<LocalChannel>() {
                    @Override
                    protected void initChannel(LocalChannel ch) {}
                });
        for (int i = 0; i < CONNECTIONS; i++) {
            connections.add(bootstrap.connect(address).sync().channel());
        }
    }

    @AfterEach
    void stop() {
        connections.forEach(Channel::close);
        server.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        clientGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }

    @Test
    void countsEveryOpenConnectionAndForgetsAClosedOne() {
        await().atMost(Duration.ofSeconds(10)).until(clients::size, n -> n == CONNECTIONS);

        connections.get(0).close();

        await().atMost(Duration.ofSeconds(10)).until(clients::size, n -> n == CONNECTIONS - 1);
    }

    @Test
    void visitsEachConnectionOnItsOwnLoop() {
        await().atMost(Duration.ofSeconds(10)).until(clients::size, n -> n == CONNECTIONS);
        Map<Channel, Boolean> onOwnLoop = new ConcurrentHashMap<>();

        clients.forEach(channel -> onOwnLoop.put(channel, channel.eventLoop().inEventLoop()));

        await().atMost(Duration.ofSeconds(10)).until(onOwnLoop::size, n -> n == CONNECTIONS);
        assertThat(onOwnLoop.values()).containsOnly(true);
        assertThat(onOwnLoop.keySet().stream().map(Channel::eventLoop).distinct())
                .as("the connections are spread over both loops")
                .hasSize(2);
    }

    @Test
    void closesEveryConnection() {
        await().atMost(Duration.ofSeconds(10)).until(clients::size, n -> n == CONNECTIONS);
        List<Channel> closed = new ArrayList<>();

        for (Future<List<ChannelFuture>> loopDone : clients.closeAll()) {
            assertThat(loopDone.awaitUninterruptibly(10, TimeUnit.SECONDS)).isTrue();
            loopDone.getNow()
                    .forEach(close -> closed.add(close.awaitUninterruptibly().channel()));
        }

        assertThat(closed).hasSize(CONNECTIONS).noneMatch(Channel::isOpen);
        await().atMost(Duration.ofSeconds(10)).until(clients::size, n -> n == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> connections.stream().noneMatch(Channel::isOpen));
    }
}
