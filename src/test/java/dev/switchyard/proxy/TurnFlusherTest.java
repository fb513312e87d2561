package dev.switchyard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class TurnFlusherTest {

    private final EmbeddedChannel first = new EmbeddedChannel();
    private final EmbeddedChannel second = new EmbeddedChannel();

    @AfterEach
    void finish() {
        first.finishAndReleaseAll();
        second.finishAndReleaseAll();
    }

    @Test
    void sendsNothingUntilTheTurnsTasksRunThenEveryDueChannel() {
        first.write(text("to the backend"));
        second.write(text("to the client"));

        TurnFlusher.flushAfterTurn(first);
        TurnFlusher.flushAfterTurn(second);

        assertThat((Object) first.readOutbound()).isNull();
        assertThat((Object) second.readOutbound()).isNull();

        first.runPendingTasks();

        assertThat(readText(first)).isEqualTo("to the backend");
        assertThat(readText(second)).isEqualTo("to the client");
    }

    @Test
    void flushesEveryQueuedCallAndStartsAFreshTurnAfterwards() {
        FlushCounter flushes = new FlushCounter();
        first.pipeline().addLast(flushes);

        TurnFlusher.flushAfterTurn(first);
        TurnFlusher.flushAfterTurn(first);
        first.runPendingTasks();
        assertThat(flushes.count).isEqualTo(2);

        first.write(text("next turn"));
        TurnFlusher.flushAfterTurn(first);
        assertThat((Object) first.readOutbound()).isNull();
        first.runPendingTasks();

        assertThat(flushes.count).isEqualTo(3);
        assertThat(readText(first)).isEqualTo("next turn");
    }

    @Test
    void flushesALargeMessageAtOnce() {
        first.write(bytes(TurnFlusher.SMALL_BYTES + 1));

        TurnFlusher.flushAfterTurn(first);

        assertFlushedBytes(first, TurnFlusher.SMALL_BYTES + 1);
    }

    @Test
    void flushesEveryWaitingChannelOnceTheTurnHoldsTooMuch() {
        int perChannel = 1024;
        List<EmbeddedChannel> channels = new ArrayList<>();
        try {
            // Each channel also counts its outbound entry's overhead, so the turn fills up a
            // little before TURN_BYTES / perChannel channels.
            while (channels.size() <= TurnFlusher.TURN_BYTES / perChannel) {
                EmbeddedChannel channel = new EmbeddedChannel();
                channels.add(channel);
                channel.write(bytes(perChannel));
                TurnFlusher.flushAfterTurn(channel);
                if (channel.outboundMessages().size() > 0) {
                    break;
                }
            }
            assertThat(channels.size())
                    .isBetween(TurnFlusher.TURN_BYTES / (perChannel + 256), TurnFlusher.TURN_BYTES / perChannel);
            for (EmbeddedChannel channel : channels) {
                assertFlushedBytes(channel, perChannel);
            }

            // The turn's task, still queued, finds nothing left, and the next turn starts afresh.
            EmbeddedChannel earliest = channels.get(0);
            earliest.runPendingTasks();
            earliest.write(bytes(1));
            TurnFlusher.flushAfterTurn(earliest);
            assertThat((Object) earliest.readOutbound()).isNull();
            earliest.runPendingTasks();
            assertFlushedBytes(earliest, 1);
        } finally {
            channels.forEach(EmbeddedChannel::finishAndReleaseAll);
        }
    }

    private static void assertFlushedBytes(EmbeddedChannel channel, int expected) {
        ByteBuf buf = channel.readOutbound();
        assertThat(buf).isNotNull();
        try {
            assertThat(buf.readableBytes()).isEqualTo(expected);
        } finally {
            buf.release();
        }
    }

    private static ByteBuf bytes(int n) {
        return Unpooled.wrappedBuffer(new byte[n]);
    }

    private static ByteBuf text(String s) {
        return Unpooled.copiedBuffer(s, StandardCharsets.US_ASCII);
    }

    private static String readText(EmbeddedChannel channel) {
        ByteBuf buf = channel.readOutbound();
        assertThat(buf).isNotNull();
        try {
            return buf.toString(StandardCharsets.US_ASCII);
        } finally {
            buf.release();
        }
    }

    private static final class FlushCounter extends ChannelOutboundHandlerAdapter {
        int count;

        @Override
        public void flush(ChannelHandlerContext ctx) {
            count++;
            ctx.flush();
        }
    }
}
