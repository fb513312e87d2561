package dev.switchyard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.within;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class LeastConnectionsTest {

    /** Fixed so a failure reproduces; change it to explore, never to make a test pass. */
    private static final long SEED = 0x1EA57C0_22L;

    /** A named candidate whose in-flight count the test sets, as the upstream atomic would move. */
    static final class Fake implements Candidate {
        private final String name;
        private final int weight;
        private int inFlight;

        Fake(String name, int weight, int inFlight) {
            this.name = name;
            this.weight = weight;
            this.inFlight = inFlight;
        }

        @Override
        public int weight() {
            return weight;
        }

        @Override
        public int inFlight() {
            return inFlight;
        }

        void inFlight(int inFlight) {
            this.inFlight = inFlight;
        }

        @Override
        public String toString() {
            return name + "(" + inFlight + "/" + weight + ")";
        }
    }

    private final LeastConnections<Fake> strategy = new LeastConnections<>(() -> 0);

    /** The rule under test, written out independently of the selector. */
    private static boolean better(Candidate a, Candidate b) {
        return a.inFlight() * (long) b.weight() < b.inFlight() * (long) a.weight();
    }

    @Test
    void picksTheLeastLoadedCandidate() {
        Fake a = new Fake("a", 1, 4);
        Fake b = new Fake("b", 1, 1);
        Fake c = new Fake("c", 1, 3);
        Selector<Fake> selector = strategy.build(List.of(a, b, c), null);

        for (int i = 0; i < 6; i++) {
            assertThat(selector.pick(Set.of()))
                    .as("b has 1 in flight, the others 3 and 4, wherever the scan starts")
                    .isSameAs(b);
        }
    }

    @Test
    void readsInFlightLiveAtPickTime() {
        Fake a = new Fake("a", 1, 0);
        Fake b = new Fake("b", 1, 5);
        Selector<Fake> selector = strategy.build(List.of(a, b), null);
        assertThat(selector.pick(Set.of())).as("a is idle").isSameAs(a);

        a.inFlight(9);

        assertThat(selector.pick(Set.of()))
                .as("the selector is not rebuilt when load changes; it reads it")
                .isSameAs(b);
    }

    @Test
    void weightTwoWithTwoInFlightTiesWithWeightOneWithOne() {
        Fake heavy = new Fake("heavy", 2, 2);
        Fake light = new Fake("light", 1, 1);
        Selector<Fake> selector = strategy.build(List.of(heavy, light), null);

        assertThat(List.of(selector.pick(Set.of()), selector.pick(Set.of())))
                .as("2/2 equals 1/1, so it is a tie and the two take turns from the rotating start")
                .containsExactly(heavy, light);
    }

    @Test
    void weightThreeWithThreeInFlightBeatsWeightOneWithTwo() {
        Fake heavy = new Fake("heavy", 3, 3);
        Fake light = new Fake("light", 1, 2);
        Selector<Fake> selector = strategy.build(List.of(light, heavy), null);

        for (int i = 0; i < 4; i++) {
            assertThat(selector.pick(Set.of()))
                    .as("3/3 = 1 is less than 2/1 = 2, though 3 > 2 in raw count")
                    .isSameAs(heavy);
        }
    }

    @Test
    void largeCountsAndWeightsCompareWithoutOverflow() {
        Fake a = new Fake("a", 1_000_000, Integer.MAX_VALUE);
        Fake b = new Fake("b", 999_999, Integer.MAX_VALUE - 1);
        Selector<Fake> selector = strategy.build(List.of(b, a), null);

        // a: 2^31-1 / 1e6; b: (2^31-2) / 999,999, slightly more. Int products would overflow.
        assertThat(selector.pick(Set.of()))
                .as("cross-multiplied in long, the exact order holds")
                .isSameAs(a);
    }

    @Test
    void idleCandidatesTieWhateverTheirWeights() {
        Fake a = new Fake("a", 1, 0);
        Fake b = new Fake("b", 7, 0);
        Selector<Fake> selector = strategy.build(List.of(a, b), null);

        assertThat(List.of(selector.pick(Set.of()), selector.pick(Set.of()), selector.pick(Set.of())))
                .as("0/1 and 0/7 are both 0, as in HAProxy's fwlc, so they alternate")
                .containsExactly(a, b, a);
    }

    @Test
    void tiesRotateOnlyAmongTheLeastLoaded() {
        Fake a = new Fake("a", 1, 5);
        Fake b = new Fake("b", 1, 2);
        Fake c = new Fake("c", 1, 2);
        Selector<Fake> selector = strategy.build(List.of(a, b, c), null);

        List<Fake> picks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            picks.add(selector.pick(Set.of()));
        }

        // Starts 0, 1, 2, 0, 1, 2: from a or b the first best is b; from c it is c.
        assertThat(picks)
                .as("a is busier and never picked; b also gets the starts that land on a (class comment)")
                .containsExactly(b, b, c, b, b, c);
    }

    @Test
    void equalIdleServersShareThreeThousandPicksEvenly() {
        List<Fake> candidates = List.of(new Fake("a", 1, 0), new Fake("b", 1, 0), new Fake("c", 1, 0));
        Random random = new Random(SEED);
        // A random start must not skew the shares.
        Selector<Fake> selector = new LeastConnections<Fake>(random::nextInt).build(candidates, null);
        int picks = 3_000;

        Map<Fake, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(selector.pick(Set.of()), 1, Integer::sum);
        }

        for (Fake c : candidates) {
            assertThat(counts.getOrDefault(c, 0) / (double) picks)
                    .as("%s: without rotation the first idle server would take every pick", c)
                    .isCloseTo(1 / 3.0, within(0.02));
        }
    }

    @Test
    void aSlowServerGetsFarFewerPicks() {
        // One request arrives per tick. A request to a fast server completes 2 ticks after it was
        // sent, one to the slow server 20 ticks after: 10x the service time.
        Fake fast1 = new Fake("fast1", 1, 0);
        Fake fast2 = new Fake("fast2", 1, 0);
        Fake slow = new Fake("slow", 1, 0);
        List<Fake> servers = List.of(fast1, fast2, slow);
        Map<Fake, Integer> serviceTicks = Map.of(fast1, 2, fast2, 2, slow, 20);
        Map<Fake, ArrayDeque<Integer>> completions = new HashMap<>();
        servers.forEach(s -> completions.put(s, new ArrayDeque<>()));
        Selector<Fake> selector = new LeastConnections<Fake>(new Random(SEED)::nextInt).build(servers, null);
        Map<Fake, Integer> picks = new HashMap<>();
        int ticks = 30_000;

        for (int tick = 0; tick < ticks; tick++) {
            for (Fake s : servers) {
                // Constant service time per server, so each queue is in completion order.
                ArrayDeque<Integer> due = completions.get(s);
                while (!due.isEmpty() && due.peekFirst() <= tick) {
                    due.pollFirst();
                    s.inFlight(s.inFlight() - 1);
                }
            }
            Fake picked = selector.pick(Set.of());
            picked.inFlight(picked.inFlight() + 1);
            completions.get(picked).addLast(tick + serviceTicks.get(picked));
            picks.merge(picked, 1, Integer::sum);
        }

        assertThat(picks.getOrDefault(slow, 0) / (double) ticks)
                .as("round-robin would give the slow server a third; its queue keeps it behind the others")
                .isLessThan(0.15);
        assertThat(picks.get(fast1) / (double) ticks)
                .as("the two fast servers share the rest evenly")
                .isCloseTo(picks.get(fast2) / (double) ticks, within(0.02));
    }

    @Test
    void skipsTriedCandidates() {
        Fake a = new Fake("a", 1, 0);
        Fake b = new Fake("b", 1, 3);
        Fake c = new Fake("c", 1, 1);
        Selector<Fake> selector = strategy.build(List.of(a, b, c), null);

        assertThat(selector.pick(Set.of(a)))
                .as("a is least loaded but was tried: the next least is c")
                .isSameAs(c);
        assertThat(selector.pick(Set.of(a, c)))
                .as("only b is left, however loaded")
                .isSameAs(b);
        assertThat(selector.pick(Set.of()))
                .as("failover does not mark a as unusable for others")
                .isSameAs(a);
    }

    @Test
    void returnsNullWhenEveryCandidateWasTried() {
        Fake a = new Fake("a", 1, 0);
        Fake b = new Fake("b", 2, 1);
        Selector<Fake> selector = strategy.build(List.of(a, b), null);

        assertThat(selector.pick(Set.of(a, b)))
                .as("nothing left to fail over to")
                .isNull();
        assertThat(selector.pick(Set.of(a, b, new Fake("gone", 1, 0))))
                .as("extra tried candidates from an older snapshot do not matter")
                .isNull();
    }

    @Test
    void returnsNullForAnEmptyCandidateList() {
        Selector<Fake> selector = strategy.build(List.of(), null);

        assertThat(selector.pick(Set.of()))
                .as("no usable server means 503, not an exception")
                .isNull();
        assertThat(selector.pick(Set.of(new Fake("a", 1, 0))))
                .as("with a tried set too")
                .isNull();
    }

    @Test
    void startsTheTieRotationAtTheInjectedOffset() {
        List<Fake> idle = List.of(new Fake("a", 1, 0), new Fake("b", 1, 0), new Fake("c", 1, 0));

        assertThat(new LeastConnections<Fake>(() -> 1).build(idle, null).pick(Set.of()))
                .as("offset 1 starts the scan at b")
                .isSameAs(idle.get(1));
        assertThat(new LeastConnections<Fake>(() -> -1).build(idle, null).pick(Set.of()))
                .as("a negative random offset wraps with floorMod: -1 is c")
                .isSameAs(idle.get(2));
    }

    @Test
    void rebuildFromAPreviousSelectorContinuesItsRotation() {
        Fake a = new Fake("a", 1, 0);
        Fake b = new Fake("b", 1, 0);
        Fake c = new Fake("c", 1, 0);
        Selector<Fake> first = strategy.build(List.of(a, b, c), null);
        first.pick(Set.of());
        first.pick(Set.of());

        Selector<Fake> second = new LeastConnections<Fake>(() -> 0).build(List.of(a, b, c), first);

        assertThat(second.pick(Set.of()))
                .as("a rebuild must not restart the ties at a")
                .isSameAs(c);
        assertThat(first.pick(Set.of()))
                .as("a thread still holding the old selector advances the same counter")
                .isSameAs(a);
        assertThat(second.pick(Set.of())).as("shared rotation: position 4 is b").isSameAs(b);
    }

    @Test
    void rebuildFromAForeignSelectorStartsAtTheOffset() {
        Fake a = new Fake("a", 1, 0);
        Fake b = new Fake("b", 1, 0);
        Selector<Fake> foreign = new RoundRobin<Fake>(() -> 1).build(List.of(a, b), null);

        Selector<Fake> selector = new LeastConnections<Fake>(() -> 0).build(List.of(a, b), foreign);

        assertThat(selector.pick(Set.of()))
                .as("a round-robin position means nothing here: start at 0")
                .isSameAs(a);
    }

    @Test
    void rejectsAWeightBelowOne() {
        assertThatIllegalArgumentException()
                .as("a zero weight would tie a loaded server with every idle one")
                .isThrownBy(() -> strategy.build(List.of(new Fake("a", 1, 0), new Fake("zero", 0, 0)), null));
    }

    @Test
    void randomWeightsLoadsAndTriedSetsAlwaysGiveAnUntriedMinimum() {
        Random random = new Random(SEED);
        for (int round = 0; round < 200; round++) {
            int n = 1 + random.nextInt(20);
            List<Fake> candidates = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                candidates.add(new Fake("r" + round + "s" + i, 1 + random.nextInt(10), 0));
            }
            Selector<Fake> selector = new LeastConnections<Fake>(random::nextInt).build(candidates, null);

            for (int attempt = 0; attempt < 50; attempt++) {
                // Small loads so that ties, idle servers and equal ratios all occur often.
                candidates.forEach(c -> c.inFlight(random.nextInt(8)));
                Set<Fake> tried = randomSubset(random, candidates);
                String context =
                        "round " + round + " attempt " + attempt + ", candidates " + candidates + ", tried " + tried;

                Fake picked = selector.pick(tried);

                if (tried.size() == candidates.size()) {
                    assertThat(picked).as("%s: all tried, so null", context).isNull();
                    continue;
                }
                assertThat(picked)
                        .as("%s: an untried candidate remains", context)
                        .isNotNull()
                        .isIn(candidates)
                        .isNotIn(tried);
                for (Fake other : candidates) {
                    if (!tried.contains(other)) {
                        assertThat(better(other, picked))
                                .as("%s: %s has a lower inFlight/weight than the pick %s", context, other, picked)
                                .isFalse();
                    }
                }
            }
        }
    }

    @Test
    void pickDoesNotAllocate() {
        assumeTrue(
                ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Fake a = new Fake("a", 3, 4);
        Fake b = new Fake("b", 1, 2);
        Fake c = new Fake("c", 2, 1);
        Selector<Fake> selector = strategy.build(List.of(a, b, c), null);
        Set<Fake> none = Set.of();
        Set<Fake> triedC = new HashSet<>(List.of(c));
        for (int i = 0; i < 200_000; i++) { // warm up so the JIT settles before measuring
            selector.pick(none);
            selector.pick(triedC);
        }

        long threadId = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++) {
            selector.pick(none);
            selector.pick(triedC);
        }
        long allocated = mx.getThreadAllocatedBytes(threadId) - before;

        assertThat(allocated)
                .as("200,000 picks must not allocate (slack for the counter read itself)")
                .isLessThan(1_024);
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
