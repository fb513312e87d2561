package dev.switchyard.balance;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Smooth weighted round-robin, as nginx does it ({@code ngx_http_upstream_get_peer}), with the
 * whole schedule computed once per build.
 *
 * <p>The algorithm: every candidate keeps a running score that starts at 0. Each step, add every
 * candidate's weight to its score, pick the candidate with the highest score (the earliest in the
 * list on a tie), and subtract the total weight from the winner's score. After {@code total}
 * steps all scores are back to 0, so the sequence is periodic with period {@code total} and every
 * candidate appears exactly {@code weight} times in it. Unlike a plain "a×5, b, c" list, heavy
 * candidates are spread out instead of served in bursts. Weights 5, 1, 1 (total 7):
 *
 * <pre>
 * step  scores before   pick  scores after
 *  1     5,  1,  1       a    -2,  1,  1
 *  2     3,  2,  2       a    -4,  2,  2
 *  3     1,  3,  3       b     1, -4,  3
 *  4     6, -3,  4       a    -1, -3,  4
 *  5     4, -2,  5       c     4, -2, -2
 *  6     9, -1, -1       a     2, -1, -1
 *  7     7,  0,  0       a     0,  0,  0
 * </pre>
 *
 * giving {@code a a b a c a a}. Weights 3, 1 give {@code a a b a}; equal weights alternate.
 *
 * <p>Memory bound: the schedule holds one entry per unit of weight. When the weights sum to more
 * than {@value #MAX_SCHEDULE}, each weight is scaled to {@code max(1, weight * MAX_SCHEDULE / sum)}
 * (rounded down), so the schedule stays below {@code MAX_SCHEDULE + candidates} entries and each
 * share moves by less than one part in {@value #MAX_SCHEDULE} plus the effect of the floor of 1.
 *
 * <p>Thread-safety: a selector is an immutable schedule plus one {@link AtomicLong} position,
 * advanced with {@code getAndIncrement}, so {@code pick} is lock-free and safe from any event
 * loop. The position starts at a random offset (injected) so that a fleet of proxies started
 * together does not send its first requests to the same server, as Envoy seeds its EDF scheduler.
 *
 * @param <T> the candidate type
 */
public final class RoundRobin<T extends Candidate> implements Strategy<T> {

    /** Largest schedule built without scaling weights down; see the class comment. */
    static final int MAX_SCHEDULE = 10_000;

    private final IntSupplier startOffset;

    /**
     * @param startOffset the position a selector starts from when there is no previous selector
     *     to continue; production passes {@code () -> ThreadLocalRandom.current().nextInt()},
     *     tests pass {@code () -> 0} for a deterministic sequence
     */
    public RoundRobin(IntSupplier startOffset) {
        this.startOffset = Objects.requireNonNull(startOffset, "startOffset");
    }

    @Override
    public Selector<T> build(List<T> usable, Selector<T> previous) {
        // Share the previous counter rather than copying its value: threads still holding the old
        // selector during the swap then advance the same sequence instead of a forked one.
        AtomicLong position =
                previous instanceof Schedule<?> schedule ? schedule.position : new AtomicLong(startOffset.getAsInt());
        return new Schedule<>(schedule(usable), position);
    }

    /** Runs the smooth weighted round-robin for one full period; O(total × candidates). */
    private static Candidate[] schedule(List<? extends Candidate> candidates) {
        int[] weights = scaledWeights(candidates);
        int total = 0;
        for (int w : weights) {
            total += w;
        }
        Candidate[] schedule = new Candidate[total];
        int[] score = new int[weights.length];
        for (int step = 0; step < total; step++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                score[i] += weights[i];
                // Strict ">" keeps the earliest candidate on a tie, which fixes the order for
                // equal weights and makes the schedule deterministic.
                if (score[i] > score[best]) {
                    best = i;
                }
            }
            score[best] -= total;
            schedule[step] = candidates.get(best);
        }
        return schedule;
    }

    /** The candidates' weights, scaled down proportionally when their sum exceeds the bound. */
    private static int[] scaledWeights(List<? extends Candidate> candidates) {
        int[] weights = new int[candidates.size()];
        long sum = 0;
        for (int i = 0; i < weights.length; i++) {
            Candidate c = candidates.get(i);
            weights[i] = c.weight();
            if (weights[i] < 1) {
                throw new IllegalArgumentException("weight must be >= 1, got " + weights[i] + " for " + c);
            }
            sum += weights[i];
        }
        if (sum > MAX_SCHEDULE) {
            for (int i = 0; i < weights.length; i++) {
                // long arithmetic: weight * MAX_SCHEDULE overflows int for weights above ~214,000.
                weights[i] = (int) Math.max(1, weights[i] * (long) MAX_SCHEDULE / sum);
            }
        }
        return weights;
    }

    /** One immutable schedule and the shared position into it. */
    private static final class Schedule<T extends Candidate> implements Selector<T> {

        private final Candidate[] entries;
        private final AtomicLong position;

        Schedule(Candidate[] entries, AtomicLong position) {
            this.entries = entries;
            this.position = position;
        }

        @Override
        @SuppressWarnings("unchecked") // entries holds only elements of the List<T> it was built from
        public T pick(Set<? extends Candidate> tried) {
            int n = entries.length;
            if (n == 0) {
                return null;
            }
            // A long counter never wraps in practice; an int one would jump in the sequence at
            // overflow whenever 2^32 is not a multiple of n.
            int start = (int) Math.floorMod(position.getAndIncrement(), (long) n);
            if (tried.isEmpty()) {
                return (T) entries[start];
            }
            // Failover walks forward from the slot we were given, without advancing the shared
            // counter again. One full period visits every candidate, so finding none untried
            // means all were tried. Plain indexing: no iterator, no boxing.
            for (int k = 0; k < n; k++) {
                int i = start + k;
                Candidate c = entries[i < n ? i : i - n];
                if (!tried.contains(c)) {
                    return (T) c;
                }
            }
            return null;
        }

        @Override
        public String toString() {
            return "RoundRobin.Schedule[length=" + entries.length + ", position=" + position.get() + "]";
        }
    }
}
