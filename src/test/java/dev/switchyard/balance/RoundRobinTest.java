package dev.switchyard.balance;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RoundRobinTest {

    /** A named candidate; inFlight is irrelevant to round-robin. */
    record Fake(String name, int weight) implements Candidate {
        @Override
        public int inFlight() {
            return 0;
        }

        @Override
        public String toString() {
            return name;
        }
    }

    private static final Fake A = new Fake("a", 5);
    private static final Fake B = new Fake("b", 1);
    private static final Fake C = new Fake("c", 1);

    private final RoundRobin<Fake> strategy = new RoundRobin<>(() -> 0);

    private static List<String> names(Selector<Fake> selector, int picks) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < picks; i++) {
            out.add(selector.pick(Set.of()).name());
        }
        return out;
    }

    @Test
    void weightsFiveOneOneGiveTheNginxSmoothSequence() {
        Selector<Fake> selector = strategy.build(List.of(A, B, C), null);

        assertThat(names(selector, 14))
                .as("smooth WRR spreads a's five turns around b and c, and repeats every 7 picks")
                .containsExactly("a", "a", "b", "a", "c", "a", "a", "a", "a", "b", "a", "c", "a", "a");
    }

    @Test
    void weightsThreeOneGiveAABA() {
        Selector<Fake> selector = strategy.build(List.of(new Fake("a", 3), new Fake("b", 1)), null);

        assertThat(names(selector, 4)).as("the design doc's 3:1 example").containsExactly("a", "a", "b", "a");
    }

    @Test
    void weightsOneThreeGiveBABB() {
        Selector<Fake> selector = strategy.build(List.of(new Fake("a", 1), new Fake("b", 3)), null);

        assertThat(names(selector, 8))
                .as("the heavier candidate leads; a tie goes to the earlier candidate")
                .containsExactly("b", "a", "b", "b", "b", "a", "b", "b");
    }

    @Test
    void equalWeightsAlternateInListOrder() {
        Selector<Fake> selector = strategy.build(List.of(new Fake("a", 1), new Fake("b", 1), new Fake("c", 1)), null);

        assertThat(names(selector, 6)).as("plain round-robin").containsExactly("a", "b", "c", "a", "b", "c");
    }

    @Test
    void neverReturnsATriedCandidate() {
        Selector<Fake> selector = strategy.build(List.of(A, B, C), null);
        List<Fake> picked = new ArrayList<>();

        for (int i = 0; i < 100; i++) {
            picked.add(selector.pick(Set.of(A)));
        }

        assertThat(picked)
                .as("a was tried, so failover must go elsewhere")
                .doesNotContain(A)
                .contains(B, C);
    }

    @Test
    void walksForwardFromItsSlotToTheNextUntriedCandidate() {
        Selector<Fake> selector = strategy.build(List.of(A, B, C), null);

        // Slots 0 and 1 are a; walking forward reaches b at slot 2.
        assertThat(selector.pick(Set.of(A)))
                .as("first untried entry after slot 0")
                .isEqualTo(B);
        assertThat(selector.pick(Set.of()))
                .as("failover consumed one slot, not three")
                .isEqualTo(A);
    }

    @Test
    void returnsNullWhenEveryCandidateWasTried() {
        Selector<Fake> selector = strategy.build(List.of(A, B, C), null);

        assertThat(selector.pick(Set.of(A, B, C)))
                .as("nothing left to fail over to")
                .isNull();
        assertThat(selector.pick(Set.of(A, B, C, new Fake("gone", 2))))
                .as("extra tried candidates from an older snapshot do not matter")
                .isNull();
    }

    @Test
    void returnsNullForAnEmptyCandidateList() {
        Selector<Fake> selector = strategy.build(List.of(), null);

        assertThat(selector.pick(Set.of()))
                .as("no usable server means 503, not an exception")
                .isNull();
        assertThat(selector.pick(Set.of(A))).as("with a tried set too").isNull();
    }

    @Test
    void startsAtTheInjectedOffset() {
        List<Fake> abc = List.of(A, B, C);

        assertThat(new RoundRobin<Fake>(() -> 2).build(abc, null).pick(Set.of()))
                .as("offset 2 is slot 2 of a a b a c a a")
                .isEqualTo(B);
        assertThat(new RoundRobin<Fake>(() -> -3).build(abc, null).pick(Set.of()))
                .as("a negative random offset wraps with floorMod: -3 is slot 4")
                .isEqualTo(C);
    }

    @Test
    void rebuildFromAPreviousSelectorContinuesItsPosition() {
        Fake a = new Fake("a", 1);
        Fake b = new Fake("b", 1);
        Fake c = new Fake("c", 1);
        Selector<Fake> first = strategy.build(List.of(a, b, c), null);
        first.pick(Set.of());
        first.pick(Set.of());

        Selector<Fake> second = new RoundRobin<Fake>(() -> 0).build(List.of(a, b, c), first);

        assertThat(second.pick(Set.of()))
                .as("a health flip must not send the next request back to a")
                .isEqualTo(c);
        assertThat(first.pick(Set.of()))
                .as("a thread still holding the old selector advances the same counter")
                .isEqualTo(a);
        assertThat(second.pick(Set.of())).as("shared position: slot 4 is b").isEqualTo(b);
    }

    @Test
    void rebuildFromAForeignSelectorStartsAtTheOffset() {
        Selector<Fake> foreign = tried -> B;

        Selector<Fake> selector = new RoundRobin<Fake>(() -> 1).build(List.of(A, B, C), foreign);

        assertThat(names(selector, 2))
                .as("nothing to carry, so start at slot 1")
                .containsExactly("a", "b");
    }

    @Test
    void scalesLargeWeightsDownKeepingProportions() {
        Fake heavy = new Fake("heavy", 30_000);
        Fake light = new Fake("light", 10_000);
        Selector<Fake> selector = strategy.build(List.of(heavy, light), null);

        Map<String, Integer> counts = count(selector, RoundRobin.MAX_SCHEDULE);

        assertThat(counts)
                .as("40,000 scaled to 10,000 keeps 3:1 exactly")
                .containsEntry("heavy", 7_500)
                .containsEntry("light", 2_500);
    }

    @Test
    void scalingKeepsATinyWeightAtLeastOne() {
        Selector<Fake> selector = strategy.build(List.of(new Fake("huge", 1_000_000), new Fake("tiny", 1)), null);

        Map<String, Integer> counts = count(selector, RoundRobin.MAX_SCHEDULE);

        assertThat(counts)
                .as("1 * 10,000 / 1,000,001 rounds to 0, but every usable server must get traffic")
                .containsEntry("tiny", 1)
                .containsEntry("huge", RoundRobin.MAX_SCHEDULE - 1);
    }

    @Test
    void rejectsAWeightBelowOne() {
        assertThatIllegalArgumentException()
                .as("a zero weight would silently drop a server from the schedule")
                .isThrownBy(() -> strategy.build(List.of(A, new Fake("zero", 0)), null));
    }

    @Test
    void concurrentPicksShareOneSequence() throws Exception {
        Selector<Fake> selector = strategy.build(List.of(A, B, C), null);
        int threads = 4;
        int picksPerThread = 7 * 5_000;
        Map<Fake, AtomicInteger> counts = new ConcurrentHashMap<>();
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < picksPerThread; i++) {
                        counts.computeIfAbsent(selector.pick(Set.of()), k -> new AtomicInteger())
                                .incrementAndGet();
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(30, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        // 140,000 picks is exactly 20,000 periods: the atomic counter hands out every slot once.
        assertThat(counts.get(A).get()).as("a's share of whole periods").isEqualTo(100_000);
        assertThat(counts.get(B).get()).as("b's share of whole periods").isEqualTo(20_000);
        assertThat(counts.get(C).get()).as("c's share of whole periods").isEqualTo(20_000);
    }

    @Test
    void pickDoesNotAllocate() {
        assumeTrue(
                ManagementFactory.getThreadMXBean() instanceof com.sun.management.ThreadMXBean,
                "needs HotSpot's per-thread allocation counter");
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Selector<Fake> selector = strategy.build(List.of(A, B, C), null);
        Set<Fake> none = Set.of();
        Set<Fake> triedA = new java.util.HashSet<>(List.of(A));
        for (int i = 0; i < 200_000; i++) { // warm up so the JIT settles before measuring
            selector.pick(none);
            selector.pick(triedA);
        }

        long threadId = Thread.currentThread().getId();
        long before = mx.getThreadAllocatedBytes(threadId);
        for (int i = 0; i < 100_000; i++) {
            selector.pick(none);
            selector.pick(triedA);
        }
        long allocated = mx.getThreadAllocatedBytes(threadId) - before;

        assertThat(allocated)
                .as("200,000 picks must not allocate (slack for the counter read itself)")
                .isLessThan(1_024);
    }

    private static Map<String, Integer> count(Selector<Fake> selector, int picks) {
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < picks; i++) {
            counts.merge(selector.pick(Set.of()).name(), 1, Integer::sum);
        }
        return counts;
    }
}
