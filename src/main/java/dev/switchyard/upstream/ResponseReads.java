package dev.switchyard.upstream;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.RecvByteBufAllocator.DelegatingHandle;
import io.netty.util.UncheckedBooleanSupplier;
import java.util.function.LongSupplier;

/**
 * How one upstream connection reads: Netty's adaptive buffer size, plus one more read in the
 * same burst when a read filled its buffer and what is left of a Content-Length body fits in
 * one more buffer. Reads happen on demand, one per request for more (netty-notes §7), so
 * without this the last few bytes of an answer just over one buffer (a 64 KiB file and its
 * head) wait for the loop's next turn and leave in a send of their own. HAProxy likewise reads
 * on until its buffer is full or the socket is empty.
 *
 * <p>The extra read ignores the client's writability: it is sized to the rest of the body, at
 * most one buffer, and only ends a response, so a slow client can hold at most that much more
 * than the water marks allow, once per response.
 */
final class ResponseReads implements RecvByteBufAllocator {

    private static final AdaptiveRecvByteBufAllocator SIZING = new AdaptiveRecvByteBufAllocator();

    private final LongSupplier fixedBodyLeft;

    /** @param fixedBodyLeft the bytes left of the Content-Length body being read, or -1 */
    ResponseReads(LongSupplier fixedBodyLeft) {
        this.fixedBodyLeft = fixedBodyLeft;
    }

    @Override
    public Handle newHandle() {
        return new BurstHandle((ExtendedHandle) SIZING.newHandle(), fixedBodyLeft);
    }

    /**
     * Netty's adaptive handle, one read longer when the body's end is within reach; everything
     * else is forwarded by Netty's {@link DelegatingHandle}.
     */
    static final class BurstHandle extends DelegatingHandle implements ExtendedHandle {
        private final LongSupplier fixedBodyLeft;
        private final UncheckedBooleanSupplier lastReadFilled = this::lastReadFilled;
        /** This burst took its extra read. */
        private boolean extraTaken;
        /** The size of the extra read about to be made, 0 when none is. */
        private int extraSize;

        BurstHandle(ExtendedHandle sizing, LongSupplier fixedBodyLeft) {
            super(sizing);
            this.fixedBodyLeft = fixedBodyLeft;
        }

        @Override
        public boolean continueReading(UncheckedBooleanSupplier maybeMoreData) {
            if (((ExtendedHandle) delegate()).continueReading(maybeMoreData)) {
                return true;
            }
            if (extraTaken || !maybeMoreData.get()) {
                return false;
            }
            long left = fixedBodyLeft.getAsLong();
            if (left <= 0 || left > delegate().guess()) {
                return false;
            }
            extraTaken = true;
            extraSize = (int) left;
            return true;
        }

        @Override
        public boolean continueReading() {
            return continueReading(lastReadFilled);
        }

        private boolean lastReadFilled() {
            return lastBytesRead() == attemptedBytesRead();
        }

        @Override
        public void reset(ChannelConfig config) {
            extraTaken = false;
            extraSize = 0;
            super.reset(config);
        }

        @Override
        public ByteBuf allocate(ByteBufAllocator alloc) {
            if (extraSize == 0) {
                return super.allocate(alloc);
            }
            int size = extraSize;
            extraSize = 0;
            return alloc.ioBuffer(size);
        }

        @Override
        public int guess() {
            return extraSize > 0 ? extraSize : super.guess();
        }
    }
}
