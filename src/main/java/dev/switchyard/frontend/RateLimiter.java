package dev.switchyard.frontend;

import java.net.InetAddress;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * {@code limits.rate-per-ip}: one token bucket per client IP address, shared by every event
 * loop and kept across reloads (rate and burst are passed in per request, from the current
 * snapshot). Lock-free; taking a token from an existing bucket allocates nothing.
 *
 * <p>A bucket is one long, its "theoretical arrival time" (the GCRA form of a token bucket):
 * the moment the bucket would be full again. A request may pass if, after adding one emission
 * interval {@code T = 1 s / rate}, that moment is no more than {@code burst × T} ahead of now;
 * the bucket then stores it with one CAS. So {@code burst} requests pass at once and then one
 * every {@code T}. A refused request takes nothing.
 *
 * <p>Memory is bounded. A bucket whose moment has passed is full, the same as no bucket, so
 * sweeps forget it: one runs when a new address arrives and the last sweep is
 * {@link #SWEEP_INTERVAL_NANOS} old, and one whenever the table reaches {@link #MAX_BUCKETS}.
 * If that sweep finds too few full buckets (more active addresses than the cap), it also
 * forgets the buckets closest to full until the table is at {@link #LOW_WATER}; those
 * addresses get a fresh bucket, at most a burst more than their due, which is the price of a
 * fixed bound. While another thread sweeps a full table, a new address passes untracked rather
 * than growing the table past the cap.
 *
 * <p>Times are kept relative to the limiter's start, so they are never negative and
 * {@link #DEAD} can mark a bucket being removed: a taker that sees it looks the address up
 * again, so no token taken is ever lost to a concurrent sweep.
 */
final class RateLimiter {

    /**
     * The most addresses tracked at once. An entry costs about 150 to 200 bytes (map node,
     * InetAddress, AtomicLong), so the cap holds the table to ~20 MB, while 100,000 addresses
     * active within their burst window at the same time is far beyond what one shop's proxy sees
     * from real clients.
     */
    static final int MAX_BUCKETS = 100_000;

    /** Where a forced sweep of a full table stops: a tenth of the cap free, so the sweep's cost
     *  (a copy and sort of the table) is paid once per 10,000 new addresses, not per address. */
    static final int LOW_WATER = MAX_BUCKETS - MAX_BUCKETS / 10;

    /** How often, at most, an arriving address triggers a sweep of full buckets. */
    static final long SWEEP_INTERVAL_NANOS = 10_000_000_000L;

    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    private static final long DEAD = Long.MIN_VALUE;

    private final ConcurrentHashMap<InetAddress, AtomicLong> buckets = new ConcurrentHashMap<>();
    private final AtomicBoolean sweeping = new AtomicBoolean();
    private final AtomicLong lastSweep = new AtomicLong();
    private final LongSupplier clock;
    private final long origin;
    private final int maxBuckets;
    private final int lowWater;

    RateLimiter(LongSupplier nanoClock) {
        this(nanoClock, MAX_BUCKETS, LOW_WATER);
    }

    RateLimiter(LongSupplier nanoClock, int maxBuckets, int lowWater) {
        this.clock = nanoClock;
        this.origin = nanoClock.getAsLong();
        this.maxBuckets = maxBuckets;
        this.lowWater = lowWater;
    }

    /**
     * Takes a token for {@code address}: 0 if the request may pass, else the nanoseconds until
     * the next token is due (always > 0).
     *
     * @param rate  requests per second on average, > 0
     * @param burst the bucket's depth, > 0
     */
    long acquire(InetAddress address, int rate, int burst) {
        long interval = NANOS_PER_SECOND / rate;
        long depth = burst * interval;
        long now = now();
        while (true) {
            AtomicLong bucket = buckets.get(address);
            if (bucket == null) {
                if (!makeRoom(now)) {
                    return 0; // a full table is being swept by another thread: pass untracked
                }
                // A new bucket is a full one that has just given a token.
                if (buckets.putIfAbsent(address, new AtomicLong(now + interval)) == null) {
                    return 0;
                }
                continue;
            }
            long stored = bucket.get();
            if (stored == DEAD) {
                buckets.remove(address, bucket);
                continue;
            }
            long next = Math.max(stored, now) + interval;
            long ahead = next - now;
            if (ahead > depth) {
                return ahead - depth;
            }
            if (bucket.compareAndSet(stored, next)) {
                return 0;
            }
        }
    }

    /** Addresses tracked now. */
    int size() {
        return buckets.size();
    }

    /** Whole seconds a refused client should wait, for {@code Retry-After}: at least 1. */
    static long retryAfterSeconds(long waitNanos) {
        return Math.max(1, (waitNanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
    }

    private long now() {
        return clock.getAsLong() - origin;
    }

    /**
     * Before a new bucket goes in: sweeps if the table is full or the last sweep is old. False
     * if the table is full and another thread is sweeping it.
     */
    private boolean makeRoom(long now) {
        boolean full = buckets.size() >= maxBuckets;
        if (!full && now - lastSweep.get() < SWEEP_INTERVAL_NANOS) {
            return true;
        }
        if (!sweeping.compareAndSet(false, true)) {
            return !full;
        }
        try {
            lastSweep.set(now);
            sweep(now);
            return true;
        } finally {
            sweeping.set(false);
        }
    }

    /** Forgets full buckets and, if the table is still over the low water, the fullest ones. */
    private void sweep(long now) {
        buckets.forEach((address, bucket) -> {
            long stored = bucket.get();
            if (stored != DEAD && stored <= now) {
                forget(address, bucket, stored);
            }
        });
        int excess = buckets.size() - lowWater;
        if (excess <= 0) {
            return;
        }
        long[] moments = new long[buckets.size() + 64];
        int[] count = {0};
        buckets.forEach((address, bucket) -> {
            long stored = bucket.get();
            if (stored != DEAD && count[0] < moments.length) {
                moments[count[0]++] = stored;
            }
        });
        if (count[0] == 0) {
            return;
        }
        Arrays.sort(moments, 0, count[0]);
        long threshold = moments[Math.min(excess, count[0]) - 1];
        buckets.forEach((address, bucket) -> {
            long stored = bucket.get();
            if (stored != DEAD && stored <= threshold) {
                forget(address, bucket, stored);
            }
        });
    }

    private void forget(InetAddress address, AtomicLong bucket, long seen) {
        // Only if no token was taken since we looked: the taker's CAS and ours cannot both win.
        if (bucket.compareAndSet(seen, DEAD)) {
            buckets.remove(address, bucket);
        }
    }
}
