package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token-bucket table on a controllable clock. */
class RateLimiterTest {

    private static final long MS = 1_000_000L;
    private static final long SECOND = 1_000 * MS;

    // Anything but 0: the limiter must not assume the clock starts anywhere.
    private final AtomicLong nanos = new AtomicLong(-7_000_000_000_000L);
    private final RateLimiter limiter = new RateLimiter(nanos::get);

    @Test
    void passesABurstAtOnceThenOneRequestPerInterval() throws Exception {
        InetAddress client = address(1);
        for (int i = 0; i < 5; i++) {
            assertThat(limiter.acquire(client, 10, 5))
                    .as("request %d of the burst", i)
                    .isZero();
        }
        assertThat(limiter.acquire(client, 10, 5))
                .as("the sixth waits one interval (100 ms at 10/s)")
                .isEqualTo(100 * MS);
        nanos.addAndGet(40 * MS);
        assertThat(limiter.acquire(client, 10, 5))
                .as("40 ms later: 60 ms to go")
                .isEqualTo(60 * MS);

        // Steady state: one request every 10 ms for 2 s lets through 10 a second, no more.
        int passed = 0;
        for (int i = 0; i < 200; i++) {
            nanos.addAndGet(10 * MS);
            if (limiter.acquire(client, 10, 5) == 0) {
                passed++;
            }
        }
        assertThat(passed).as("2 s at 10/s").isEqualTo(20);
    }

    @Test
    void aRefusedRequestTakesNoToken() throws Exception {
        InetAddress client = address(2);
        assertThat(limiter.acquire(client, 1, 1)).isZero();
        for (int i = 0; i < 100; i++) {
            assertThat(limiter.acquire(client, 1, 1)).isPositive();
        }
        nanos.addAndGet(SECOND);
        assertThat(limiter.acquire(client, 1, 1))
                .as("a second later the token is back, however many were refused")
                .isZero();
    }

    @Test
    void refillsToTheFullBurst() throws Exception {
        InetAddress client = address(3);
        drain(client, 100, 50);
        nanos.addAndGet(499 * MS);
        assertThat(drain(client, 100, 50)).as("49.9 intervals: 49 tokens").isEqualTo(49);
        nanos.addAndGet(10 * SECOND);
        assertThat(drain(client, 100, 50))
                .as("never more than the burst, however long it waited")
                .isEqualTo(50);
    }

    @Test
    void addressesHaveBucketsOfTheirOwn() throws Exception {
        drain(address(4), 10, 3);
        assertThat(limiter.acquire(address(4), 10, 3)).isPositive();
        assertThat(limiter.acquire(address(5), 10, 3)).isZero();
    }

    @Test
    void retryAfterIsWholeSecondsAndAtLeastOne() {
        assertThat(RateLimiter.retryAfterSeconds(1)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(300 * MS)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(SECOND)).isEqualTo(1);
        assertThat(RateLimiter.retryAfterSeconds(SECOND + 1)).isEqualTo(2);
        assertThat(RateLimiter.retryAfterSeconds(100 * SECOND)).isEqualTo(100);
    }

    @Test
    void aSmallerBurstAfterAReloadMakesTheWaitLonger() throws Exception {
        InetAddress client = address(6);
        assertThat(drain(client, 1, 100)).isEqualTo(100);
        long wait = limiter.acquire(client, 1, 1);
        assertThat(wait).as("100 tokens owed at 1/s, the new depth is 1").isEqualTo(100 * SECOND);
        assertThat(RateLimiter.retryAfterSeconds(wait)).isEqualTo(100);
    }

    @Test
    void forgetsFullBucketsWhenANewAddressArrivesAfterTheSweepInterval() throws Exception {
        for (int i = 0; i < 1000; i++) {
            limiter.acquire(address(10_000 + i), 10, 10);
        }
        drain(address(7), 1, 1_000);
        assertThat(limiter.size()).isEqualTo(1001);
        nanos.addAndGet(RateLimiter.SWEEP_INTERVAL_NANOS);
        limiter.acquire(address(8), 10, 10);
        assertThat(limiter.size())
                .as("the 1,000 full buckets are gone; the one 990 s from full and the new one stay")
                .isEqualTo(2);
        assertThat(drain(address(7), 1, 1_000))
                .as("the kept bucket remembers its debt: 10 s refilled 10 tokens, not a fresh 1,000")
                .isEqualTo(10);
    }

    @Test
    void aMillionAddressesNeverGrowTheTablePastTheCap() throws Exception {
        int maxSeen = 0;
        int refused = 0;
        for (int i = 0; i < 1_000_000; i++) {
            // 1 µs apart, rate 1/s: every bucket is still active when the table fills.
            nanos.addAndGet(1_000);
            if (limiter.acquire(address(i), 1, 5) != 0) {
                refused++;
            }
            maxSeen = Math.max(maxSeen, limiter.size());
        }
        assertThat(refused).as("every address is new").isZero();
        assertThat(maxSeen).isEqualTo(RateLimiter.MAX_BUCKETS);
        assertThat(limiter.size()).isLessThanOrEqualTo(RateLimiter.MAX_BUCKETS);
    }

    @Test
    void overTheCapTheBucketsClosestToFullGoFirst() throws Exception {
        RateLimiter small = new RateLimiter(nanos::get, 10, 8);
        InetAddress heavy = address(100);
        assertThat(drain(small, heavy, 1, 1_000)).isEqualTo(1_000);
        for (int i = 0; i < 9; i++) {
            nanos.addAndGet(MS);
            small.acquire(address(200 + i), 1, 1_000);
        }
        assertThat(small.size()).isEqualTo(10);
        small.acquire(address(300), 1, 1_000);
        assertThat(small.size())
                .as("swept down to the low water, then the new one")
                .isEqualTo(9);
        assertThat(small.acquire(heavy, 1, 1_000))
                .as("the address furthest from a full bucket was kept")
                .isPositive();
        assertThat(small.acquire(address(200), 1, 1_000))
                .as("the oldest light one was forgotten: fresh bucket")
                .isZero();
    }

    @Test
    void concurrentTakersNeverGetMoreThanTheBurst() throws Exception {
        InetAddress client = address(9);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> passed = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                passed.add(threads.submit(() -> {
                    int mine = 0;
                    for (int i = 0; i < 5_000; i++) {
                        if (limiter.acquire(client, 1, 1_000) == 0) {
                            mine++;
                        }
                    }
                    return mine;
                }));
            }
            int total = 0;
            for (Future<Integer> f : passed) {
                total += f.get(30, TimeUnit.SECONDS);
            }
            assertThat(total).as("20,000 attempts on a frozen clock").isEqualTo(1_000);
        } finally {
            threads.shutdownNow();
        }
    }

    private int drain(InetAddress client, int rate, int burst) {
        return drain(limiter, client, rate, burst);
    }

    private static int drain(RateLimiter limiter, InetAddress client, int rate, int burst) {
        int passed = 0;
        while (limiter.acquire(client, rate, burst) == 0) {
            passed++;
        }
        return passed;
    }

    private static InetAddress address(int n) throws UnknownHostException {
        return InetAddress.getByAddress(new byte[] {10, (byte) (n >>> 16), (byte) (n >>> 8), (byte) n});
    }
}
