package dev.switchyard.upstream;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringBufferRingConfig;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringFixedBufferRingAllocator;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringIoHandlerConfig;

/**
 * On io_uring, the buffers upstream connections receive into: one small ring of provided
 * buffers per event loop, from which the kernel takes a buffer only when an answer's bytes
 * arrive. Without it every receive is submitted with its own buffer, sized by Netty's adaptive
 * guess (64 KiB once a pool has served large answers), and holds it while the backend thinks:
 * at 1,000 connections that was 17 MB more direct memory than epoll, which allocates at the
 * moment bytes are ready (bench/README.md, "Issue 5, twenty-fourth round").
 *
 * <p>Incremental consumption (Linux 6.12 and later) lets one 64 KiB buffer take many small
 * answers, each handed on as a slice, so a 100 B answer does not take a 64 KiB buffer of its
 * own. Where the kernel lacks it the ring is not used and receives go on as without it.
 *
 * <p>Client connections keep their own buffers: a slice of a shared ring buffer held by a
 * slow client's half-read request head would keep the whole 64 KiB alive.
 */
final class UpstreamReceiveRing {

    /** The buffer group of the ring; any number, as each event loop has only this one. */
    static final short GROUP = 1;

    /** As large as the adaptive guess grows on epoll, so a 64 KiB answer still takes one receive. */
    static final int BUFFER_SIZE = 64 * 1024;

    /**
     * Buffers per loop: 1 MiB. Measured at 1,000 connections with 64 KiB answers, 64 buffers
     * left the direct memory where it was without a ring (25 MB); 16 brought it to epoll's
     * (9 MB). When more answers arrive at once than the ring holds, the kernel fails those
     * receives with ENOBUFS and Netty submits them again once it has refilled the ring.
     */
    static final short BUFFERS = 16;

    /** Buffers put in at start and added per refill when the ring ran dry, up to {@link #BUFFERS}. */
    static final int BATCH = 8;

    /**
     * Netty arms a receive from a ring as multishot unless told not to: it then stays armed
     * after the read the exchange asked for, and is cancelled at the end of every read loop.
     * Switchyard reads upstream on demand (netty-notes §7), one receive per ask.
     */
    static final String MULTISHOT_PROPERTY = "io.netty.iouring.recvMultiShotEnabled";

    private UpstreamReceiveRing() {}

    /**
     * Turns multishot receives off unless the operator set the property. Must run before
     * anything touches {@code IoUring}: Netty reads the property once, in its static initializer.
     */
    static void preferSingleShotReceives() {
        if (System.getProperty(MULTISHOT_PROPERTY) == null) {
            System.setProperty(MULTISHOT_PROPERTY, "false");
        }
    }

    /** Whether this host's io_uring takes an incremental ring (Linux 6.12 and later). */
    static boolean supported() {
        return IoUring.isRegisterBufferRingSupported() && IoUring.isRegisterBufferRingIncSupported();
    }

    /** The io_uring event loops' factory, each loop registering its own ring at start. */
    static IoHandlerFactory ioHandlerFactory() {
        IoUringBufferRingConfig ring = IoUringBufferRingConfig.builder()
                .bufferGroupId(GROUP)
                .bufferRingSize(BUFFERS)
                .batchSize(BATCH)
                .incremental(true)
                .allocator(new IoUringFixedBufferRingAllocator(Transport.ALLOCATOR, BUFFER_SIZE))
                .build();
        return IoUringIoHandler.newFactory(new IoUringIoHandlerConfig().setBufferRingConfig(ring));
    }

    /** Makes an upstream connection's receives take their buffers from its loop's ring. */
    static Bootstrap use(Bootstrap bootstrap) {
        return bootstrap.option(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, GROUP);
    }
}
