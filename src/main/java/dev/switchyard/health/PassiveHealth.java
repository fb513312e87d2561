package dev.switchyard.health;

import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.Server;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ejection by live traffic alone, for a pool without {@code health-check} (config.md: "only
 * live traffic failures can eject them"), the way nginx's {@code max_fails}/{@code fail_timeout}
 * work: {@link #MAX_FAILS} connect failures or resets within {@link #WINDOW} take the server
 * out for {@link #WINDOW}; then it is UP again on trial, and the next failures decide.
 *
 * <p>Event-loop confined to {@code loop}, one per pool like {@link ServerHealth}, so the
 * pool's selector is rebuilt from one thread. Failures arrive from any loop and hop here.
 */
final class PassiveHealth {

    private static final Logger log = LoggerFactory.getLogger("dev.switchyard.health");

    static final int MAX_FAILS = 3;
    static final Duration WINDOW = Duration.ofSeconds(10);

    private final Pool pool;
    private final Server server;
    private final EventLoop loop;
    private final LongSupplier nanoClock;
    private final LongSupplier wallClockMillis;
    private final Duration window;
    private int failures;
    private long firstFailureNanos;

    PassiveHealth(
            Pool pool,
            Server server,
            EventLoop loop,
            Duration window,
            LongSupplier nanoClock,
            LongSupplier wallClockMillis) {
        this.pool = pool;
        this.server = server;
        this.loop = loop;
        this.window = window;
        this.nanoClock = nanoClock;
        this.wallClockMillis = wallClockMillis;
    }

    void start() {
        server.listenForTrafficFailures((failed, reason) -> {
            try {
                loop.execute(() -> onTrafficFailure(reason));
            } catch (RejectedExecutionException e) {
                // Shutting down: nothing to eject any more.
            }
        });
    }

    void stop() {
        server.listenForTrafficFailures(null);
    }

    private void onTrafficFailure(String reason) {
        if (server.state() != HealthState.UP) {
            return;
        }
        long now = nanoClock.getAsLong();
        if (failures == 0 || now - firstFailureNanos > window.toNanos()) {
            failures = 0;
            firstFailureNanos = now;
        }
        failures++;
        if (failures < MAX_FAILS) {
            return;
        }
        failures = 0;
        flip(
                HealthState.DOWN,
                MAX_FAILS + " live-traffic failures within " + window.toSeconds() + " s: " + reason + "; out for "
                        + window.toSeconds() + " s");
        loop.schedule(
                () -> {
                    if (server.state() == HealthState.DOWN) {
                        flip(HealthState.UP, "back on trial after " + window.toSeconds() + " s");
                    }
                },
                window.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    private void flip(HealthState next, String why) {
        HealthState before = server.state();
        server.changeState(next, wallClockMillis.getAsLong());
        server.recordCheck("passive: " + why);
        pool.rebuildSelector();
        log.info("pool {} server {}: {} -> {} ({})", pool.name(), server.label(), before, next, why);
    }
}
