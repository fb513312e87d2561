package dev.switchyard.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

/** The leak check itself can fail: a buffer dropped without release is reported. */
class LeakDetectionExtensionTest {

    @Test
    void reportsABufferThatWasNeverReleased() {
        assertThat(System.getProperty("io.netty.leakDetection.level"))
                .as("tests run with paranoid leak detection")
                .isEqualToIgnoringCase("paranoid");
        leakOne();
        assertThat(LeakDetectionExtension.collectLeakReports())
                .as("the dropped buffer is found (and the report cleared so this class passes)")
                .isNotEmpty()
                .anySatisfy(report -> assertThat(report).contains("LEAK:"));
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(16);
        leaked.writeInt(42);
    }
}
