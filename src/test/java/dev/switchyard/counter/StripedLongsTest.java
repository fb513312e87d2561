package dev.switchyard.counter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class StripedLongsTest {

    @Test
    void loopThreadsTakeStripesOneByOneAndOtherThreadsOneByTheirId() throws Exception {
        LoopThreads factory = new LoopThreads();
        int loops = StripedLongs.STRIPES + 1;
        List<Integer> stripes = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            AtomicInteger seen = new AtomicInteger(-1);
            Thread thread = factory.newThread(() -> seen.set(LoopThreads.currentStripe()));
            thread.start();
            thread.join(10_000);
            stripes.add(seen.get());
        }

        List<Integer> expected = new ArrayList<>();
        for (int i = 0; i < loops; i++) {
            expected.add(1 + i % (StripedLongs.STRIPES - 1));
        }
        assertThat(stripes).isEqualTo(expected);
        assertThat(LoopThreads.currentStripe())
                .isEqualTo((int) (Thread.currentThread().getId() % StripedLongs.STRIPES));
    }

    /** Loops that wrap round onto one stripe, and other threads on any stripe, all add at once. */
    @Test
    void everyAddCountsWhateverTheStripe() throws Exception {
        StripedLongs counts = new StripedLongs(3);
        LoopThreads factory = new LoopThreads();
        int loopThreads = StripedLongs.STRIPES + 1;
        int otherThreads = 2;
        int adds = 50_000;
        CyclicBarrier start = new CyclicBarrier(loopThreads + otherThreads);
        List<Thread> threads = new ArrayList<>();
        for (int i = 0; i < loopThreads + otherThreads; i++) {
            Runnable adder = () -> {
                await(start);
                for (int n = 0; n < adds; n++) {
                    counts.increment(1);
                    counts.add(2, 3);
                }
            };
            threads.add(i < loopThreads ? factory.newThread(adder) : new Thread(adder));
        }
        threads.forEach(Thread::start);
        for (Thread thread : threads) {
            thread.join(60_000);
        }

        long total = (long) (loopThreads + otherThreads) * adds;
        assertThat(counts.sum(0)).isZero();
        assertThat(counts.sum(1)).isEqualTo(total);
        assertThat(counts.sum(2)).isEqualTo(3 * total);
    }

    @Test
    void resetClearsACounterInEveryStripeAndLeavesTheOthers() throws Exception {
        StripedLongs counts = new StripedLongs(2);
        counts.add(0, 5);
        counts.add(1, 7);
        Thread loop = new LoopThreads().newThread(() -> {
            counts.add(0, 11);
            counts.add(1, 13);
        });
        loop.start();
        loop.join(10_000);
        assertThat(counts.sum(0)).isEqualTo(16);

        counts.reset(0);

        assertThat(counts.sum(0)).isZero();
        assertThat(counts.sum(1)).isEqualTo(20);
    }

    @Test
    void aCounterOutsideTheGroupIsRefusedRatherThanLandingInAnotherStripe() {
        StripedLongs counts = new StripedLongs(2);
        assertThatThrownBy(() -> counts.increment(2)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> counts.sum(-1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new StripedLongs(0)).isInstanceOf(IllegalArgumentException.class);
    }

    private static void await(CyclicBarrier barrier) {
        try {
            barrier.await(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
