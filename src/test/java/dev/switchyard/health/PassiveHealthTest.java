package dev.switchyard.health;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.balance.RoundRobin;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.RetryBudget;
import dev.switchyard.upstream.Server;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** nginx-style ejection by live traffic in a pool without health checks, on a controllable clock. */
class PassiveHealthTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final EventLoop loop = channel.eventLoop();
    private final AtomicLong nanos = new AtomicLong();
    private final Server a = server("127.0.0.1:1");
    private final Server b = server("127.0.0.1:2");
    private final Pool pool = new Pool("web", List.of(a, b), 1, new RoundRobin<>(() -> 0), new RetryBudget(nanos::get));
    private final PassiveHealth health = new PassiveHealth(pool, a, loop, Duration.ofSeconds(10), nanos::get, () -> 0L);

    private Server server(String label) {
        return new Server(
                label,
                new InetSocketAddress("127.0.0.1", 1),
                1,
                false,
                List.of(channel.eventLoop()),
                1,
                HealthState.UP);
    }

    @Test
    void ejectsAfterThreeFailuresWithinTheWindowAndTakesBackOnTrialAfterIt() {
        health.start();
        a.trafficFailed("connection refused");
        a.trafficFailed("connection refused");
        channel.runPendingTasks();
        assertThat(a.state()).as("two failures are not enough").isEqualTo(HealthState.UP);
        a.trafficFailed("connection refused");
        channel.runPendingTasks();
        assertThat(a.state()).isEqualTo(HealthState.DOWN);
        assertThat(picks()).as("the selector was rebuilt without it").containsOnly(b);

        channel.advanceTimeBy(10, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertThat(a.state()).as("back on trial after the window").isEqualTo(HealthState.UP);
        assertThat(picks()).contains(a, b);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    @Test
    void failuresSpreadWiderThanTheWindowDoNotEject() {
        health.start();
        a.trafficFailed("reset");
        a.trafficFailed("reset");
        channel.runPendingTasks();
        nanos.addAndGet(Duration.ofSeconds(11).toNanos());
        a.trafficFailed("reset");
        channel.runPendingTasks();
        assertThat(a.state()).isEqualTo(HealthState.UP);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private java.util.Set<Server> picks() {
        java.util.Set<Server> seen = new HashSet<>();
        for (int i = 0; i < 4; i++) {
            seen.add(pool.selector().pick(java.util.Set.of()));
        }
        return seen;
    }
}
