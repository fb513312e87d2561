package dev.switchyard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void hexIsTheTwoLongsAsThirtyTwoLowerCaseDigits() {
        HexFormat reference = HexFormat.of();
        long[][] cases = {{0L, 0L}, {-1L, -1L}, {0x0123456789abcdefL, 0xfedcba9876543210L}, {Long.MIN_VALUE, 1L}};
        for (long[] c : cases) {
            assertThat(RequestIds.hex(c[0], c[1])).isEqualTo(reference.toHexDigits(c[0]) + reference.toHexDigits(c[1]));
        }
    }

    @Test
    void createdIdsAreSaneAndDistinct() {
        String first = RequestIds.create();
        assertThat(first).matches("[0-9a-f]{32}");
        assertThat(RequestIds.isSane(first)).isTrue();
        assertThat(RequestIds.create()).isNotEqualTo(first);
    }
}
