package dev.switchyard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.util.AsciiString;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class RequestIdsTest {

    @Test
    void hexIsTheTwoLongsAsThirtyTwoLowerCaseDigits() {
        HexFormat reference = HexFormat.of();
        long[][] cases = {{0L, 0L}, {-1L, -1L}, {0x0123456789abcdefL, 0xfedcba9876543210L}, {Long.MIN_VALUE, 1L}};
        for (long[] c : cases) {
            assertThat(RequestIds.hex(c[0], c[1]).toString())
                    .isEqualTo(reference.toHexDigits(c[0]) + reference.toHexDigits(c[1]));
        }
    }

    @Test
    void createdIdsAreSaneAndDistinct() {
        AsciiString first = RequestIds.create();
        assertThat(first.toString()).matches("[0-9a-f]{32}");
        assertThat(RequestIds.isSane(first)).isTrue();
        assertThat(RequestIds.create().toString()).isNotEqualTo(first.toString());
    }

    @Test
    void aSaneIdFromTheClientIsKeptAndAnyOtherReplaced() {
        assertThat(RequestIds.keepOrCreate("shop-7f3a:2.b_c").toString()).isEqualTo("shop-7f3a:2.b_c");
        for (String insane : new String[] {null, "", "two words", "tab\there", "x".repeat(129), "caf\u00e9"}) {
            assertThat(RequestIds.keepOrCreate(insane).toString())
                    .as(String.valueOf(insane))
                    .matches("[0-9a-f]{32}");
        }
    }
}
