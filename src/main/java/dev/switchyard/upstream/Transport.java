package dev.switchyard.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The socket transport, chosen once at start: io_uring where the host allows it with incremental
 * buffer rings, else native epoll where it loads, else NIO. On io_uring, upstream connections
 * receive from a small buffer ring per event loop where the kernel has one
 * ({@link UpstreamReceiveRing}).
 * Listeners and upstream connections use the same one, so an upstream channel can live on
 * the event loop of the client channel that asked for it. Immutable.
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerChannel> serverChannelClass,
        Class<? extends Channel> channelClass,
        boolean upstreamReceiveRing) {

    private static final Logger log = LoggerFactory.getLogger(Transport.class);

    /**
     * The buffers of every proxied connection, client and upstream. Pooled with per-thread
     * caches rather than Netty 4.2's default adaptive allocator: under wrk -c64 with 100 B
     * answers the adaptive one's allocate and release were 16 % of the event loop's samples,
     * and the pooled one served 7 % more requests at 6 % less CPU per request with the same
     * peak RSS at 1,000 connections (bench/README.md, "Issue 5, third round"). Metrics
     * reports its memory, so it is typed as the pooled one.
     */
    public static final PooledByteBufAllocator ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    /**
     * Epoll if available (netty-all ships the linux-x86_64/aarch_64 natives), else NIO; says why.
     * What {@code transport = epoll} asks for.
     */
    public static Transport detect() {
        if (Epoll.isAvailable()) {
            log.info("transport: epoll");
            // Listeners accept Switchyard's own client channel; upstream connections, long-lived
            // and pooled, stay on Netty's.
            return new Transport(
                    "epoll", EpollIoHandler.newFactory(), ListenerEpollChannel.class, EpollSocketChannel.class, false);
        }
        log.info("transport: nio (epoll unavailable: {})", String.valueOf(Epoll.unavailabilityCause()));
        return nio();
    }

    /**
     * The default ({@code transport = auto}): io_uring where the host allows it and its kernel
     * has incremental buffer rings (Linux 6.12 and later), else {@link #detect()}. On this
     * project's benchmark io_uring served 1.2 to 1.6 times HAProxy's keep-alive requests at half
     * to three quarters of its CPU per request, where epoll served 0.9 to 1.5 times at up to 1.1
     * times the CPU (bench/README.md, "Issue 5, twenty-fourth round"); without the ring it held
     * more memory than the 200 MB goal allows. Docker's default seccomp profile, older kernels and
     * {@code kernel.io_uring_disabled} refuse it, so the fallback is an ordinary outcome: logged
     * at info, with the reason.
     */
    public static Transport auto() {
        UpstreamReceiveRing.preferSingleShotReceives();
        if (IoUring.isAvailable() && UpstreamReceiveRing.supported()) {
            return ioUring(true);
        }
        log.info(
                "io_uring not used ({})",
                IoUring.isAvailable()
                        ? "this kernel has no incremental buffer rings"
                        : String.valueOf(IoUring.unavailabilityCause()));
        return detect();
    }

    /**
     * io_uring if this host allows it, with or without the upstream ring, else {@link #detect()}.
     * Docker's default seccomp profile, an older kernel or {@code kernel.io_uring_disabled} refuse
     * it; the proxy then runs on epoll, which serves the same traffic at more CPU per request,
     * rather than not at all.
     */
    public static Transport ioUringOrDetect() {
        UpstreamReceiveRing.preferSingleShotReceives();
        if (IoUring.isAvailable()) {
            return ioUring(UpstreamReceiveRing.supported());
        }
        log.warn(
                "transport io_uring asked for but unavailable on this host ({}); falling back",
                String.valueOf(IoUring.unavailabilityCause()));
        return detect();
    }

    private static Transport ioUring(boolean ring) {
        log.info(
                "transport: io_uring{}",
                ring ? "" : " (no incremental buffer rings: upstream receives bring their own buffers)");
        return new Transport(
                "io_uring",
                ring ? UpstreamReceiveRing.ioHandlerFactory() : IoUringIoHandler.newFactory(),
                IoUringServerSocketChannel.class,
                IoUringSocketChannel.class,
                ring);
    }

    public static Transport nio() {
        return new Transport(
                "nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class, false);
    }

    /** The options this transport adds to an upstream connection's: on io_uring, its receive ring. */
    Bootstrap upstreamOptions(Bootstrap bootstrap) {
        return upstreamReceiveRing ? UpstreamReceiveRing.use(bootstrap) : bootstrap;
    }
}
