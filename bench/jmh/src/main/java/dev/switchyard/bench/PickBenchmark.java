package dev.switchyard.bench;

import dev.switchyard.balance.Candidate;
import dev.switchyard.balance.LeastConnections;
import dev.switchyard.balance.RoundRobin;
import dev.switchyard.balance.Selector;
import dev.switchyard.balance.Strategy;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Cost of one {@link Selector#pick} per strategy and pool size: the per-request price of
 * selection, which style.md rule 2 requires to be lock- and allocation-free.
 *
 * <p>The pool is built once per trial from a fixed seed, so every run and every strategy sees the
 * same servers: weights 1 to 10, and 1 to 64 requests in flight. No server is idle, on purpose:
 * least-connections stops its scan at an idle server, so a loaded pool is its worst case (a full
 * pass over every candidate). In-flight counts stay fixed during the run; what is measured is the
 * scan, not a changing load. Single-threaded, so the atomic counter is uncontended.
 *
 * <p>Run {@code -prof gc} to check the no-allocation rule: {@code gc.alloc.rate.norm} should be
 * about 0 B/op for both benchmarks.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class PickBenchmark {

    /** Fixed so that the pool, and so the numbers, are the same from run to run. */
    private static final long SEED = 20261125L;

    @Param({"3", "100", "1000"})
    int servers;

    @Param({"round-robin", "least-connections"})
    String strategy;

    private Selector<Backend> selector;
    private Set<Backend> none;
    private Set<Backend> oneTried;

    /** A server as selection sees it; the counter is a plain field since nothing changes it here. */
    static final class Backend implements Candidate {
        private final int weight;
        private final int inFlight;

        Backend(int weight, int inFlight) {
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
    }

    @Setup
    public void setUp() {
        Random random = new Random(SEED);
        List<Backend> pool = new ArrayList<>(servers);
        for (int i = 0; i < servers; i++) {
            pool.add(new Backend(1 + random.nextInt(10), 1 + random.nextInt(64)));
        }
        Strategy<Backend> chosen = switch (strategy) {
            case "round-robin" -> new RoundRobin<>(random::nextInt);
            case "least-connections" -> new LeastConnections<>(random::nextInt);
            default -> throw new IllegalArgumentException("unknown strategy " + strategy);
        };
        selector = chosen.build(pool, null);
        none = Set.of();
        // A HashSet, as an exchange would collect its failed servers: the first failover pick.
        oneTried = new HashSet<>(List.of(pool.get(0)));
    }

    /** The common case: the first attempt of an exchange. */
    @Benchmark
    public Backend pick() {
        return selector.pick(none);
    }

    /** A failover: one server already tried, so every candidate is checked against the set. */
    @Benchmark
    public Backend pickWithOneTried() {
        return selector.pick(oneTried);
    }
}
