package dev.switchyard.testkit;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails a test class when Netty's paranoid leak detector reported a leak during it
 * (netty-notes §10). Registered for every test through the service loader.
 *
 * <p>Netty reports a leak only when a leaked buffer has been collected and a later buffer
 * allocation polls the detector's queue, so the check collects garbage and allocates a few
 * tracked buffers before it looks.
 */
public final class LeakDetectionExtension implements AfterAllCallback {

    @Override
    public void afterAll(ExtensionContext context) {
        List<String> leaks = collectLeakReports();
        if (!leaks.isEmpty()) {
            throw new AssertionError(leaks.size() + " ByteBuf leak(s) reported during " + context.getDisplayName()
                    + ":\n" + String.join("\n\n", leaks));
        }
    }

    /** Drains what the detector has to say now; clears it so the next class starts clean. */
    public static List<String> collectLeakReports() {
        for (int round = 0; round < 5; round++) {
            System.gc();
            for (int i = 0; i < 64; i++) {
                ByteBuf pooled = PooledByteBufAllocator.DEFAULT.directBuffer(8);
                pooled.release();
                ByteBuf unpooled = UnpooledByteBufAllocator.DEFAULT.heapBuffer(8);
                unpooled.release();
            }
            Thread.yield();
        }
        List<String> reports = new ArrayList<>(LeakLogAppender.REPORTS);
        LeakLogAppender.REPORTS.clear();
        return reports;
    }
}
