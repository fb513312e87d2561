package dev.switchyard.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpellingTest {

    @Test
    void countsInsertionsDeletionsSubstitutionsAndSwaps() {
        assertThat(Spelling.distance("adress", "address"))
                .as("one letter missing")
                .isEqualTo(1);
        assertThat(Spelling.distance("wieght", "weight"))
                .as("two neighbours swapped is one slip")
                .isEqualTo(1);
        assertThat(Spelling.distance("Pool", "pool")).as("case does not count").isZero();
        assertThat(Spelling.distance("kitten", "sitting"))
                .as("the textbook example")
                .isEqualTo(3);
    }

    @Test
    void suggestsOnlyLikelyCorrections() {
        List<String> keys = Schema.POOL.keys();
        assertThat(Spelling.closest("helth-check", keys))
                .as("one edit on a long key")
                .contains("health-check");
        assertThat(Spelling.closest("retires", keys)).as("a swap").contains("retries");
        assertThat(Spelling.closest("colour", keys))
                .as("nothing close: no guess")
                .isEmpty();
        assertThat(Spelling.closest("sv", List.of("ssl", "sv2")))
                .as("short words allow one edit only")
                .contains("sv2");
    }

    @Test
    void hintIsEmptyWithoutSuggestion() {
        assertThat(Spelling.hint("zzz", List.of("pool")))
                .as("no dangling 'did you mean'")
                .isEmpty();
        assertThat(Spelling.hint("pol", List.of("pool")))
                .as("a ready-to-append clause")
                .isEqualTo("; did you mean pool?");
    }
}
