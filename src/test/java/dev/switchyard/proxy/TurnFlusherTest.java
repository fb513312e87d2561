package dev.switchyard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
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
