package dev.switchyard.upstream;

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
 * the budget is a guard against storms, not an exact meter, and stays allocation-free.
 */
public final class RetryBudget {

    static final int WINDOW_SECONDS = 10;
    static final double RATIO = 0.2;
    static final int FLOOR_PER_SECOND = 10;

    private final LongSupplier nanoClock;
    /** Per bucket: [second tag, requests, retries], flattened. */
    private final AtomicLongArray buckets = new AtomicLongArray(WINDOW_SECONDS * 3);

    public RetryBudget(LongSupplier nanoClock) {
        this.nanoClock = nanoClock;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            buckets.set(i * 3, Long.MIN_VALUE);
        }
    }

    /** One request entered the pool. */
    public void recordRequest() {
        buckets.incrementAndGet(current() * 3 + 1);
    }

    /** Takes one retry from the budget if there is room; the retry is counted when it is taken. */
    public boolean tryAcquire() {
        int now = current();
        long second = second();
        long requests = 0;
        long retries = 0;
        for (int i = 0; i < WINDOW_SECONDS; i++) {
            long tag = buckets.get(i * 3);
            if (tag > second - WINDOW_SECONDS && tag <= second) {
                requests += buckets.get(i * 3 + 1);
                retries += buckets.get(i * 3 + 2);
            }
        }
        boolean underFloor = buckets.get(now * 3 + 2) < FLOOR_PER_SECOND;
        boolean underRatio = retries + 1 <= requests * RATIO;
        if (underFloor || underRatio) {
            buckets.incrementAndGet(now * 3 + 2);
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
        long tag = buckets.get(index * 3);
        if (tag != second && buckets.compareAndSet(index * 3, tag, second)) {
            buckets.set(index * 3 + 1, 0);
            buckets.set(index * 3 + 2, 0);
        }
        return index;
    }
}
