package dev.switchyard.upstream;

import dev.switchyard.counter.StripedLongs;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.function.LongSupplier;

/**
 * Caps a pool's retries so a sick pool is not hit by a retry storm (config.md): at most 20%
 * of the pool's requests over the last 10 s, with a floor of 10 retries per second so a quiet
 * pool can still fail over.
 *
 * <p>Thread safety: lock-free, any event loop. Counts live in ten one-second buckets, each
 * tagged with the second it counts; a bucket from an older second is reset by whoever touches
 * it first. Two threads resetting the same bucket at the same instant may lose a count or two:
 * the budget is a guard against storms, not an exact meter, and stays allocation-free. The
 * request counts, bumped by every loop on every request, are kept per loop ({@link
 * StripedLongs}), so the loops do not write one cache line per request.
 */
public final class RetryBudget {

    static final int WINDOW_SECONDS = 10;
    static final double RATIO = 0.2;
    static final int FLOOR_PER_SECOND = 10;

    private final LongSupplier nanoClock;
    /** Per bucket, the second it counts. */
    private final AtomicLongArray seconds = new AtomicLongArray(WINDOW_SECONDS);

    private final StripedLongs requests = new StripedLongs(WINDOW_SECONDS);
    private final AtomicLongArray retries = new AtomicLongArray(WINDOW_SECONDS);

    public RetryBudget(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            seconds.set(i, Long.MIN_VALUE);
        }
    }

    /** One request entered the pool. */
    public void recordRequest() {
        requests.increment(current());
    }

    /** Takes one retry from the budget if there is room; the retry is counted when it is taken. */
    public boolean tryAcquire() {
        int now = current();
        long second = second();
        long requestsInWindow = 0;
        long retriesInWindow = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            long tag = seconds.get(i);
            if (tag > second - WINDOW_SECONDS && tag <= second) {
                requestsInWindow += requests.sum(i);
                retriesInWindow += retries.get(i);
            }
        }
        boolean underFloor = retries.get(now) < FLOOR_PER_SECOND;
        boolean underRatio = retriesInWindow + 1 <= requestsInWindow * RATIO;
        if (underFloor || underRatio) {
            retries.incrementAndGet(now);
            return true;
        }
        return false;
    }

    private long second() {
        return Math.floorDiv(nanoClock.getAsLong(), 1_000_000_000L);
    }

    /** The index of this second's bucket, reset first if it still holds an older second. */
    private int current() {
        long second = second();
        int index = (int) Math.floorMod(second, WINDOW_SECONDS);
        long tag = seconds.get(index);
        if (tag != second && seconds.compareAndSet(index, tag, second)) {
            requests.reset(index);
            retries.set(index, 0);
        }
        return index;
    }
}
