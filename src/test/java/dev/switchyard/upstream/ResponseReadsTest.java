package dev.switchyard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.ChannelConfig;
import io.netty.channel.RecvByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The read loop of one burst, as Netty's transports drive a handle, with a body left to read. */
class ResponseReadsTest {

    private final AtomicLong bodyLeft = new AtomicLong(-1);
    private final RecvByteBufAllocator.ExtendedHandle handle =
            (RecvByteBufAllocator.ExtendedHandle) new ResponseReads(bodyLeft::get).newHandle();
    private EmbeddedChannel channel;
    private ChannelConfig config;

    @BeforeEach
    void onDemandReads() {
        channel = new EmbeddedChannel();
        config = channel.config();
        config.setAutoRead(false);
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    @Test
    void aFullReadWithTheBodysEndInReachReadsOnceMoreSizedToTheRest() {
        handle.reset(config);
        read(handle.guess(), handle.guess());
        bodyLeft.set(243);

        assertThat(handle.continueReading()).isTrue();
        assertThat(handle.guess()).isEqualTo(243);
        ByteBuf extra = handle.allocate(UnpooledByteBufAllocator.DEFAULT);
        try {
            assertThat(extra.writableBytes())
                    .as("the extra read asks for the rest only")
                    .isEqualTo(243);
        } finally {
            extra.release();
        }
        assertThat(handle.guess()).as("back to the adaptive guess after it").isGreaterThan(243);
        read(243, 243);
        bodyLeft.set(10);
        assertThat(handle.continueReading()).as("one extra read per burst").isFalse();
    }

    @Test
    void noExtraReadOutsideAFixedBodyOrPastOneBuffer() {
        handle.reset(config);
        int full = handle.guess();
        read(full, full);

        bodyLeft.set(-1);
        assertThat(handle.continueReading())
                .as("chunked, to the close, or between responses")
                .isFalse();
        bodyLeft.set(0);
        assertThat(handle.continueReading()).isFalse();
        bodyLeft.set(handle.guess() + 1L);
        assertThat(handle.continueReading())
                .as("more than one buffer left: the next turn reads it")
                .isFalse();
        bodyLeft.set(handle.guess());
        assertThat(handle.continueReading()).as("exactly one buffer left").isTrue();
    }

    @Test
    void noExtraReadWhenTheLastReadLeftRoomInItsBuffer() {
        handle.reset(config);
        read(handle.guess(), 1000);
        bodyLeft.set(243);

        assertThat(handle.continueReading()).as("the socket is likely empty").isFalse();
    }

    @Test
    void eachBurstMayTakeItsOwnExtraRead() {
        bodyLeft.set(243);
        for (int burst = 0; burst < 2; burst++) {
            handle.reset(config);
            int full = handle.guess();
            read(full, full);
            assertThat(handle.continueReading()).as("burst %d", burst).isTrue();
            handle.allocate(UnpooledByteBufAllocator.DEFAULT).release();
            read(243, 243);
            assertThat(handle.continueReading()).isFalse();
            handle.readComplete();
            assertThat(handle.guess())
                    .as("the short extra read does not shrink the next guess")
                    .isGreaterThanOrEqualTo(full);
        }
    }

    /** What a transport reports after one socket read into a buffer of {@code attempted} bytes. */
    private void read(int attempted, int got) {
        handle.attemptedBytesRead(attempted);
        handle.lastBytesRead(got);
        handle.incMessagesRead(1);
    }
}
