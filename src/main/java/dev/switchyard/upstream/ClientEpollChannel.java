package dev.switchyard.upstream;

import io.netty.channel.ChannelException;
import io.netty.channel.ChannelPromise;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.epoll.Native;
import java.io.IOException;
import java.net.InetSocketAddress;

/**
 * An accepted client connection on epoll: Netty's {@code EpollSocketChannel} less four system
 * calls per connection, which with a new connection per request are a third of what
 * Switchyard makes beyond HAProxy (bench/README.md, "twenty-third round"):
 *
 * <ul>
 *   <li>no {@code SO_SNDBUF} read at creation: Netty sizes its gathering writes from it, and
 *       without it a write offers the kernel all it has, which takes what fits;
 *   <li>no {@code SO_LINGER} read at close: Switchyard never sets a linger time;
 *   <li>{@code EPOLLIN} in the {@code EPOLL_CTL_ADD} rather than in an {@code EPOLL_CTL_MOD}
 *       right after: the client pipeline asks for a read as soon as it is active. A pipeline
 *       that did not would still get the bytes that first arrive, once; later reads wait for
 *       an ask, as with auto-read off on Netty's channel;
 *   <li>no {@code EPOLL_CTL_DEL} at close: the descriptor is closed first, which takes it out
 *       of the epoll set, and Netty skips the call for a closed descriptor.
 * </ul>
 *
 * {@code TCP_NODELAY} is on, as Netty's default. The channel takes only the generic options
 * ({@code AUTO_READ}, {@code ALLOCATOR}, the water marks); half-closure stays off, so the end
 * of a client's input closes the connection, as with Netty's channel by default.
 */
public final class ClientEpollChannel extends AbstractEpollStreamChannel {

    private final EpollChannelConfig config = new EpollChannelConfig(this) {};

    ClientEpollChannel(ListenerEpollChannel parent, LinuxSocket socket, InetSocketAddress remote) {
        super(parent, socket, remote);
        try {
            socket.setTcpNoDelay(true);
        } catch (IOException e) {
            closeQuietly(socket);
            throw new ChannelException(e);
        }
    }

    @Override
    public EpollChannelConfig config() {
        return config;
    }

    /** Whether Nagle's algorithm is off on the socket, as it is from creation. */
    public boolean isTcpNoDelay() {
        try {
            return socket.isTcpNoDelay();
        } catch (IOException e) {
            throw new ChannelException(e);
        }
    }

    @Override
    protected void doRegister(ChannelPromise promise) {
        // Not yet registered, so this only sets the flag the first EPOLL_CTL_ADD carries. Every
        // client pipeline's first step once active is a read (RequestHandler.channelActive),
        // which then finds the flag set and costs no EPOLL_CTL_MOD.
        try {
            setFlag(Native.EPOLLIN);
        } catch (IOException e) {
            promise.setFailure(e);
            return;
        }
        super.doRegister(promise);
    }

    @Override
    protected void doClose() throws Exception {
        // Closing the last descriptor of a socket removes it from every epoll set. Netty's
        // deregistration, inside super.doClose(), checks that the descriptor is still open
        // before EPOLL_CTL_DEL, so closing it first saves that call; super.doClose()'s own
        // close is then a no-op. Both run now, on the event loop, so no other registration of
        // this loop can take the descriptor's number in between.
        try {
            socket.close();
        } finally {
            super.doClose();
        }
    }

    private static void closeQuietly(LinuxSocket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // Already failing: the ChannelException that follows says why.
        }
    }
}
