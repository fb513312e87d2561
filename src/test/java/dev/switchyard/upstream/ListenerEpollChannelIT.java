package dev.switchyard.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The epoll listener and its client channel, on their own, with the options a listener sets:
 * accepted connections carry their addresses and have Nagle off, read when asked, answer, and
 * close from either side; a closed connection's descriptor number serves the next one.
 */
class ListenerEpollChannelIT {

    private static final Duration WAIT = Duration.ofSeconds(10);

    private EventLoopGroup group;
    private Channel listener;
    private final BlockingQueue<Channel> accepted = new LinkedBlockingQueue<>();

    /** One loop, so descriptors closed on it are the ones its next accepts get back. */
    @BeforeEach
    void listen() throws Exception {
        assumeTrue(Epoll.isAvailable(), "epoll is not available here");
        group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
        listener = new ServerBootstrap()
                .group(group)
                .channel(ListenerEpollChannel.class)
                .option(ChannelOption.SO_BACKLOG, 123)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInboundHandlerAdapter() {
                    @Override
                    public void handlerAdded(ChannelHandlerContext ctx) {
                        ctx.pipeline().addLast(new Echo());
                        ctx.pipeline().remove(this);
                        accepted.add(ctx.channel());
                    }

                    @Override
                    public boolean isSharable() {
                        return true;
                    }
                })
                .bind("127.0.0.1", 0)
                .sync()
                .channel();
    }

    @AfterEach
    void stop() {
        if (group != null) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void listenerKeepsTheOptionsItWasGiven() {
        assertThat(listener).isInstanceOf(ListenerEpollChannel.class);
        assertThat(listener.config().getOption(ChannelOption.SO_BACKLOG)).isEqualTo(123);
        assertThat(listener.config().getOption(ChannelOption.SO_REUSEADDR)).isTrue();
        assertThat(listener.config().getOptions())
                .containsEntry(ChannelOption.SO_BACKLOG, 123)
                .containsEntry(ChannelOption.AUTO_READ, true);
    }

    @Test
    void acceptedConnectionHasItsAddressesAndNagleOffAndAnswers() throws Exception {
        try (Socket client = connect()) {
            Channel child = accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(child).isInstanceOf(ClientEpollChannel.class);
            assertThat(((ClientEpollChannel) child).isTcpNoDelay()).isTrue();
            assertThat(child.config().isAutoRead()).isFalse();
            assertThat(((InetSocketAddress) child.remoteAddress()).getPort()).isEqualTo(client.getLocalPort());
            assertThat(child.localAddress()).isEqualTo(listener.localAddress());
            assertThat(child.parent()).isSameAs(listener);

            assertThat(exchange(client, "one")).isEqualTo("one");
            assertThat(exchange(client, "two"))
                    .as("a second read, asked for after the first")
                    .isEqualTo("two");
        }
    }

    @Test
    void serverCloseEndsTheConnectionAndItsNumberServesTheNext() throws Exception {
        Integer previousFd = null;
        boolean reused = false;
        for (int i = 0; i < 20; i++) {
            try (Socket client = connect()) {
                ClientEpollChannel child = (ClientEpollChannel) accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
                assertThat(child).isNotNull();
                int fd = child.fd().intValue();
                reused |= previousFd != null && previousFd == fd;
                previousFd = fd;
                assertThat(exchange(client, "req" + i)).isEqualTo("req" + i);

                child.close().sync();
                assertThat(child.isOpen()).isFalse();
                assertThat(child.fd().isOpen()).isFalse();
                // Netty deregisters in a task queued by the close.
                await().atMost(WAIT).until(() -> !child.isRegistered());
                client.setSoTimeout((int) WAIT.toMillis());
                assertThat(client.getInputStream().read())
                        .as("end of stream after the server's close")
                        .isEqualTo(-1);
            }
        }
        assertThat(reused)
                .as("a closed connection's descriptor number came back for a later one on the same loop")
                .isTrue();
    }

    @Test
    void clientResetClosesTheConnection() throws Exception {
        Socket client = connect();
        Channel child = accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
        assertThat(exchange(client, "ping")).isEqualTo("ping");
        client.setSoLinger(true, 0);
        client.close();
        await().atMost(WAIT).until(() -> !child.isOpen());
        assertThat(child.closeFuture().isDone()).isTrue();
        try (Socket next = connect()) {
            accepted.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
            assertThat(exchange(next, "after")).isEqualTo("after");
        }
    }

    private Socket connect() throws Exception {
        InetSocketAddress address = (InetSocketAddress) listener.localAddress();
        Socket client = new Socket(address.getAddress(), address.getPort());
        client.setSoTimeout((int) WAIT.toMillis());
        return client;
    }

    private static String exchange(Socket client, String text) throws Exception {
        byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
        OutputStream out = client.getOutputStream();
        out.write(bytes);
        out.flush();
        InputStream in = client.getInputStream();
        byte[] answer = in.readNBytes(bytes.length);
        return new String(answer, StandardCharsets.US_ASCII);
    }

    /** Reads only when asked: once when active, then once after each answer. */
    private static final class Echo extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            ctx.read();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ctx.writeAndFlush((ByteBuf) msg).addListener(f -> ctx.read());
        }
    }
}
