package dev.switchyard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which upstream connections receive from a buffer ring, and what they are told. */
class TransportTest {

    @Test
    void ioUringUpstreamsUseTheLoopsRingWhereTheKernelHasAnIncrementalOne() {
        Transport transport = Transport.ioUringOrDetect();
        boolean ringExpected = transport.name().equals("io_uring") && IoUring.isRegisterBufferRingIncSupported();

        assertThat(transport.upstreamReceiveRing()).isEqualTo(ringExpected);
        Map<ChannelOption<?>, Object> options =
                transport.upstreamOptions(new Bootstrap()).config().options();
        if (ringExpected) {
            assertThat(options).containsEntry(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID, UpstreamReceiveRing.GROUP);
        } else {
            assertThat(options).doesNotContainKey(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID);
        }
    }

    @Test
    void ioUringReceivesAreSingleShotSoUpstreamsAreReadOnlyOnDemand() {
        Transport.ioUringOrDetect();

        assertThat(System.getProperty(UpstreamReceiveRing.MULTISHOT_PROPERTY)).isEqualTo("false");
        if (IoUring.isAvailable()) {
            assertThat(IoUring.isRecvMultishotEnabled()).isFalse();
        }
    }

    @Test
    void theDefaultIsIoUringOnlyWithTheRing() {
        Transport transport = Transport.auto();

        if (IoUring.isAvailable() && IoUring.isRegisterBufferRingIncSupported()) {
            assertThat(transport.name()).isEqualTo("io_uring");
            assertThat(transport.upstreamReceiveRing()).isTrue();
        } else {
            assertThat(transport.name()).isIn("epoll", "nio");
        }
    }

    @Test
    void epollAndNioUpstreamsGetNoRing() {
        for (Transport transport : new Transport[] {Transport.detect(), Transport.nio()}) {
            assertThat(transport.upstreamReceiveRing()).as(transport.name()).isFalse();
            assertThat(transport.upstreamOptions(new Bootstrap()).config().options())
                    .as(transport.name())
                    .doesNotContainKey(IoUringChannelOption.IO_URING_BUFFER_GROUP_ID);
        }
    }
}
