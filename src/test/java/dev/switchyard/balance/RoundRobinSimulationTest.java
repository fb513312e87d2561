package dev.switchyard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.switchyard.balance.RoundRobinTest.Fake;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Distribution and seeded random checks, after Envoy's simulation and fuzz tests per policy. */
class RoundRobinSimulationTest {

    /** Fixed so a failure reproduces; change it to explore, never to make a test pass. */
    private static final long SEED = 0x5717C4_1A4DL;

    @Test
    void tenThousandPicksFollowTheWeights() {
        List<Fake> candidates = List.of(new Fake("a", 1), new Fake("b", 2), new Fake("c", 7));
        // A random start offset must not skew the shares.
        Random random = new Random(SEED);
        Selector<Fake> selector = new RoundRobin<Fake>(random::nextInt).build(candidates, null);
        int picks = 10_000;

        Map<Fake, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(selector.pick(Set.of()), 1, Integer::sum);
        }

        for (Fake c : candidates) {
            assertThat(counts.get(c) / (double) picks)
                    .as("%s has weight %d of 10, so about that share of the picks", c, c.weight())
                    .isCloseTo(c.weight() / 10.0, within(0.01));
        }
    }

    @Test
    void randomWeightsAndTriedSetsKeepThePickContract() {
        Random random = new Random(SEED);
        for (int round = 0; round < 200; round++) {
            List<Fake> candidates = randomCandidates(random, round);
            Selector<Fake> selector = new RoundRobin<Fake>(random::nextInt).build(candidates, null);
            String context = "round " + round + ", candidates " + candidates;

            assertOneCycleHonoursWeights(selector, candidates, context);
            for (int attempt = 0; attempt < 50; attempt++) {
                Set<Fake> tried = randomSubset(random, candidates);
                Fake picked = selector.pick(tried);
                if (tried.size() == candidates.size()) {
                    assertThat(picked)
                            .as("%s: all tried %s, so null", context, tried)
                            .isNull();
                } else {
                    assertThat(picked)
                            .as("%s: an untried candidate remains besides %s", context, tried)
                            .isNotNull()
                            .isIn(candidates)
                            .isNotIn(tried);
                }
            }
        }
    }

    @Test
    void randomHealthFlipsOnlyEverPickUsableCandidates() {
        Random random = new Random(SEED);
        List<Fake> all = randomCandidates(random, 19);
        RoundRobin<Fake> strategy = new RoundRobin<>(random::nextInt);
        Selector<Fake> selector = strategy.build(all, null);
        for (int flip = 0; flip < 200; flip++) {
            // A health flip rebuilds from the servers still UP, carrying the previous selector.
            List<Fake> usable = new ArrayList<>(randomSubset(random, all));
            usable.sort((x, y) -> x.name().compareTo(y.name()));
            selector = strategy.build(usable, selector);
            String context = "flip " + flip + ", usable " + usable;

            if (usable.isEmpty()) {
                assertThat(selector.pick(Set.of()))
                        .as("%s: nothing UP, so null (503)", context)
                        .isNull();
                continue;
            }
            assertOneCycleHonoursWeights(selector, usable, context);
            Fake picked = selector.pick(Set.of(usable.get(0)));
            if (usable.size() == 1) {
                assertThat(picked)
                        .as("%s: the only usable one was tried", context)
                        .isNull();
            } else {
                assertThat(picked)
                        .as("%s: a DOWN server is never picked", context)
                        .isIn(usable)
                        .isNotEqualTo(usable.get(0));
            }
        }
    }

    /** Any window of sum-of-weights picks is one period, wherever it starts. */
    private static void assertOneCycleHonoursWeights(Selector<Fake> selector, List<Fake> candidates, String context) {
        int total = candidates.stream().mapToInt(Fake::weight).sum();
        Map<Fake, Integer> counts = new HashMap<>();
        for (int i = 0; i < total; i++) {
            counts.merge(selector.pick(Set.of()), 1, Integer::sum);
        }
        for (Fake c : candidates) {
            assertThat(counts.getOrDefault(c, 0))
                    .as("%s: over one full cycle %s appears exactly its weight in times", context, c)
                    .isEqualTo(c.weight());
        }
    }

    /** 1 to 20 candidates with weights 1 to 10; names carry the round so they stay distinct. */
    private static List<Fake> randomCandidates(Random random, int round) {
        int n = 1 + random.nextInt(20);
        List<Fake> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(new Fake("r" + round + "s" + i, 1 + random.nextInt(10)));
        }
        return out;
    }

    /** Each candidate in with a per-call probability, so empty and full subsets both occur. */
    private static Set<Fake> randomSubset(Random random, List<Fake> candidates) {
        double p = random.nextDouble();
        Set<Fake> subset = new HashSet<>();
        for (Fake c : candidates) {
            if (random.nextDouble() < p) {
                subset.add(c);
            }
        }
        return subset;
    }
}
