package dev.switchyard.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The eight-bytes-at-a-step value scan against the byte-by-byte rule it shortcuts. */
class SyntaxTest {

    @Test
    void theValueScanStopsWhereTheByteByByteRuleStops() {
        for (int length = 0; length <= 20; length++) {
            for (int at = 0; at <= length; at++) {
                for (int b = 0; b < 256; b++) {
                    byte[] line = new byte[length + 2];
                    Arrays.fill(line, (byte) 'v');
                    line[length] = Syntax.CR;
                    line[length + 1] = Syntax.LF;
                    if (at < length) {
                        line[at] = (byte) b;
                    }
                    assertThat(Syntax.fieldCharsEnd(line, 0))
                            .as("length %d, byte 0x%02x at %d", length, b, at)
                            .isEqualTo(byteByByte(line));
                }
            }
        }
    }

    private static int byteByByte(byte[] line) {
        int i = 0;
        while (Syntax.isFieldChar(line[i])) {
            i++;
        }
        return i;
    }
}
