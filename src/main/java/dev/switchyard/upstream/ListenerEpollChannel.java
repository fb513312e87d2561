package dev.switchyard.upstream;

import io.netty.channel.Channel;
import io.netty.channel.ChannelException;
import io.netty.channel.ChannelOption;
import io.netty.channel.ServerChannelRecvByteBufAllocator;
import io.netty.channel.epoll.AbstractEpollServerChannel;
import io.netty.channel.epoll.EpollChannelConfig;
import io.netty.channel.epoll.LinuxSocket;
import io.netty.channel.unix.NativeInetAddress;
import io.netty.util.NetUtil;
import java.io.IOException;
import java.net.SocketAddress;
import java.util.Map;

/**
 * A listening socket on epoll, as Netty's {@code EpollServerSocketChannel} (which is final)
 * but accepting {@link ClientEpollChannel}s, which cost fewer system calls per connection.
 * It takes the options a listener sets: {@code SO_BACKLOG}, {@code SO_REUSEADDR} and the
 * generic ones; TCP Fast Open and MD5 signatures, which Switchyard never sets, are left out.
 */
public final class ListenerEpollChannel extends AbstractEpollServerChannel {

    private final Config config = new Config(this);

    /** For {@code ServerBootstrap.channel(Class)}: an IPv6 socket where the host has IPv6, as Netty's. */
    public ListenerEpollChannel() {
        super(LinuxSocket.newSocketStream(), false);
    }

    @Override
    public EpollChannelConfig config() {
        return config;
    }

    @Override
    protected void doBind(SocketAddress localAddress) throws Exception {
        super.doBind(localAddress);
        socket.listen(config.backlog);
        // Netty's channel adds the socket to epoll here; without that package-private call the
        // read that follows activation adds it, with EPOLLIN, one epoll_ctl instead of two.
        active = true;
    }

    @Override
    protected Channel newChildChannel(int fd, byte[] remote, int offset, int len) {
        return new ClientEpollChannel(this, LinuxSocket.newSocket(fd), NativeInetAddress.address(remote, offset, len));
    }

    private static final class Config extends EpollChannelConfig {

        private final ListenerEpollChannel channel;
        private volatile int backlog = NetUtil.SOMAXCONN;

        Config(ListenerEpollChannel channel) {
            super(channel, new ServerChannelRecvByteBufAllocator());
            this.channel = channel;
        }

        @Override
        public Map<ChannelOption<?>, Object> getOptions() {
            return getOptions(super.getOptions(), ChannelOption.SO_BACKLOG, ChannelOption.SO_REUSEADDR);
        }

        @Override
        @SuppressWarnings("unchecked")
        public <T> T getOption(ChannelOption<T> option) {
            if (option == ChannelOption.SO_BACKLOG) {
                return (T) Integer.valueOf(backlog);
            }
            if (option == ChannelOption.SO_REUSEADDR) {
                try {
                    return (T) Boolean.valueOf(channel.socket.isReuseAddress());
                } catch (IOException e) {
                    throw new ChannelException(e);
                }
            }
            return super.getOption(option);
        }

        @Override
        public <T> boolean setOption(ChannelOption<T> option, T value) {
            validate(option, value);
            if (option == ChannelOption.SO_BACKLOG) {
                int wanted = (Integer) value;
                if (wanted < 0) {
                    throw new IllegalArgumentException("SO_BACKLOG must be >= 0: " + wanted);
                }
                backlog = wanted;
                return true;
            }
            if (option == ChannelOption.SO_REUSEADDR) {
                try {
                    channel.socket.setReuseAddress((Boolean) value);
                } catch (IOException e) {
                    throw new ChannelException(e);
                }
                return true;
            }
            return super.setOption(option, value);
        }
    }
}
