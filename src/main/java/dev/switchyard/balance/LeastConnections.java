package dev.switchyard.balance;

import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.IntSupplier;

/**
 * Weighted least connections: the untried candidate with the smallest {@code inFlight / weight}.
 *
 * <p>The rule: candidate a is better than b iff
 * {@code a.inFlight() * (long) b.weight() < b.inFlight() * (long) a.weight()}. The ratio is the
 * one HAProxy's fwlc balances on ({@code fwlc_get_key} in {@code src/lb_fwlc.c}, which scales it
 * and divides, and counts the connection about to be made); here it is cross-multiplied in
 * {@code long} instead: no division, so no rounding that would merge close ratios, and no
 * overflow, since two {@code int}s multiply into a {@code long} exactly. A weight-2 server with 2 in flight ties with a weight-1 server with 1 in flight; a
 * weight-3 server with 3 in flight beats a weight-1 server with 2. Idle servers all tie at 0,
 * whatever their weights, as in HAProxy.
 *
 * <p>Ties rotate. A plain scan keeping the first best would send every request to the first of
 * several equally loaded servers (all idle, for instance, at low traffic, where a request finishes
 * before the next arrives). So each pick starts its scan at
 * {@code floorMod(counter.getAndIncrement(), n)} and keeps the first best from there: equal
 * servers take turns, and the shares even out. The counter starts at a random offset (injected),
 * as {@link RoundRobin}'s does, so a fleet of proxies started together does not pick alike. The
 * turns are exactly even when the tied candidates are all there is (the idle case); a tied
 * candidate that follows busier ones in the list also gets the starts that land on them (a busy,
 * b and c tied: b, b, c). In live traffic each pick raises the winner's {@code inFlight}, which
 * breaks the tie for the next pick, so that skew does not accumulate.
 *
 * <p>Cost: one pass over the candidates, O(n), with no allocation and one atomic increment per
 * pick; an idle candidate ends the pass early, since nothing can beat 0. The tried set is looked
 * up only for a candidate that would take the lead, not for every candidate.
 *
 * <p>Thread-safety: a selector is an immutable array plus one {@link AtomicLong} rotation counter,
 * so {@code pick} is lock-free and safe from any event loop. {@code inFlight} is read live, once
 * per candidate per pick: the upstream {@code Server}'s atomic, written by whichever event loop
 * starts or finishes an exchange. A pick therefore compares a snapshot that other loops may be
 * changing, and two loops picking at once may both see the same server as least loaded and both
 * choose it. That is accepted, not a bug: the error is at most one request per concurrent pick,
 * and the next picks see the raised counter and correct it. Locking the counters to make picks
 * exact would serialize every event loop on selection.
 *
 * @param <T> the candidate type
 */
public final class LeastConnections<T extends Candidate> implements Strategy<T> {

    private final IntSupplier startOffset;

    /**
     * @param startOffset the rotation counter's start when there is no previous selector to
     *     continue; production passes {@code () -> ThreadLocalRandom.current().nextInt()}, tests
     *     pass {@code () -> 0} for a deterministic tie order
     */
    public LeastConnections(IntSupplier startOffset) {
        this.startOffset = Objects.requireNonNull(startOffset, "startOffset");
    }

    @Override
    public Selector<T> build(List<T> usable, Selector<T> previous) {
        Candidate[] candidates = usable.toArray(new Candidate[0]);
        int[] weights = new int[candidates.length];
        for (int i = 0; i < candidates.length; i++) {
            weights[i] = candidates[i].weight();
            // A zero weight would make a loaded server tie with every idle one and beat the rest.
            if (weights[i] < 1) {
                throw new IllegalArgumentException("weight must be >= 1, got " + weights[i] + " for " + candidates[i]);
            }
        }
        // Share the previous counter, as RoundRobin does: threads still holding the old selector
        // during the swap then rotate the same sequence of tie-break starts.
        AtomicLong rotation = previous instanceof Scan<?> scan ? scan.rotation : new AtomicLong(startOffset.getAsInt());
        return new Scan<>(candidates, weights, rotation);
    }

    /** One immutable candidate array, their weights, and the shared tie rotation. */
    private static final class Scan<T extends Candidate> implements Selector<T> {

        private final Candidate[] candidates;
        /** weights[i] is candidates[i].weight(), fixed per snapshot, so read once at build. */
        private final int[] weights;

        private final AtomicLong rotation;

        Scan(Candidate[] candidates, int[] weights, AtomicLong rotation) {
            this.candidates = candidates;
            this.weights = weights;
            this.rotation = rotation;
        }

        @Override
        @SuppressWarnings("unchecked") // candidates holds only elements of the List<T> it was built from
        public T pick(Set<? extends Candidate> tried) {
            // Locals, not fields, in the loop: HotSpot does not treat final instance fields as
            // constants, so a call in the loop (tried.contains) would force it to reload them.
            Candidate[] candidates = this.candidates;
            int[] weights = this.weights;
            int n = candidates.length;
            if (n == 0) {
                return null;
            }
            // A long counter never wraps in practice; see RoundRobin.Schedule.pick.
            int start = (int) Math.floorMod(rotation.getAndIncrement(), (long) n);
            boolean anyTried = !tried.isEmpty();
            Candidate best = null;
            long bestLoad = 0;
            long bestWeight = 1;
            // Plain indexing: no iterator, no boxing.
            for (int k = 0; k < n; k++) {
                int i = start + k;
                if (i >= n) {
                    i -= n;
                }
                Candidate c = candidates[i];
                // Read the live counter once, so the comparisons below agree with each other.
                int load = c.inFlight();
                int weight = weights[i];
                // Strict "<" keeps the first best from the rotating start: that is the tie rule.
                // The tried set is asked only about a candidate that would take the lead: one that
                // would not is skipped either way. A failover pick then costs a few set lookups,
                // not one per candidate (PickBenchmark.pickWithOneTried, bench/jmh/README.md).
                if ((best == null || load * bestWeight < bestLoad * weight) && !(anyTried && tried.contains(c))) {
                    best = c;
                    bestLoad = load;
                    bestWeight = weight;
                    if (load == 0) {
                        break; // 0 * w never loses, and strict "<" would keep it anyway
                    }
                }
            }
            return (T) best;
        }

        @Override
        public String toString() {
            return "LeastConnections.Scan[candidates=" + candidates.length + ", rotation=" + rotation.get() + "]";
        }
    }
}
