package dev.switchyard.upstream;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The retry budget on a controllable clock. */
class RetryBudgetTest {

    private final AtomicLong nanos = new AtomicLong(1_000_000_000_000L);
    private final RetryBudget budget = new RetryBudget(nanos::get);

    @Test
    void allowsTenRetriesASecondEvenWithoutTraffic() {
        for (int i = 0; i < 10; i++) {
            assertThat(budget.tryAcquire()).as("retry %d is under the floor", i).isTrue();
        }
        assertThat(budget.tryAcquire()).as("the 11th in the same second is not").isFalse();
        nanos.addAndGet(1_000_000_000L);
        assertThat(budget.tryAcquire()).as("a new second has a new floor").isTrue();
    }

    @Test
    void allowsTwentyPercentOfRequestsOverTenSeconds() {
        for (int second = 0; second < 10; second++) {
            for (int i = 0; i < 100; i++) {
                budget.recordRequest();
            }
            nanos.addAndGet(1_000_000_000L);
        }
        // 1,000 requests in the window → 200 retries, of which 10 a second come from the floor anyway.
        nanos.addAndGet(-1_000_000_000L);
        int granted = 0;
        while (budget.tryAcquire() && granted < 10_000) {
            granted++;
        }
        assertThat(granted).as("20% of 1,000 requests").isEqualTo(200);
    }

    @Test
    void forgetsRequestsOlderThanTheWindow() {
        for (int i = 0; i < 1000; i++) {
            budget.recordRequest();
        }
        nanos.addAndGet(11_000_000_000L);
        int granted = 0;
        while (budget.tryAcquire() && granted < 10_000) {
            granted++;
        }
        assertThat(granted)
                .as("only the floor is left once the old requests aged out")
                .isEqualTo(10);
    }
}
