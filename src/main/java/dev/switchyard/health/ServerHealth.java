package dev.switchyard.health;

import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.Server;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The probing of one server: a probe every interval (with jitter), the rise/fall state
 * machine, live-traffic failures counted as failed checks, and the flip published to the
 * server and its pool's selector.
 *
 * <p>Event-loop confined to {@code loop}, the one loop that probes every server of this pool,
 * so the pool's selector is only ever rebuilt from one thread. Live-traffic failures arrive
 * from any loop and hop here first.
 */
final class ServerHealth {

    private static final Logger log = LoggerFactory.getLogger("dev.switchyard.health");

    /** ±10% of the interval: probes of many servers drift apart instead of firing together. */
    static final double JITTER = 0.1;

    private final Pool pool;
    private final Server server;
    private final Probe probe;
    private final EventLoop loop;
    private final Duration interval;
    private final RandomGenerator random;
    private final LongSupplier wallClockMillis;
    private final HealthStateMachine machine;
    private final CompletableFuture<Void> firstVerdict = new CompletableFuture<>();
    private boolean probing;
    private boolean stopped;
    private ScheduledFuture<?> next;

    ServerHealth(
            Pool pool,
            Server server,
            Probe probe,
            EventLoop loop,
            Duration interval,
            int healthyThreshold,
            int unhealthyThreshold,
            RandomGenerator random,
            LongSupplier wallClockMillis) {
        this.pool = pool;
        this.server = server;
        this.probe = probe;
        this.loop = loop;
        this.interval = interval;
        this.random = random;
        this.wallClockMillis = wallClockMillis;
        this.machine = new HealthStateMachine(server.state(), healthyThreshold, unhealthyThreshold);
    }

    /** Probes now; the future completes with the first verdict. */
    CompletableFuture<Void> start() {
        server.listenForTrafficFailures((failed, reason) -> loop.execute(() -> onTrafficFailure(reason)));
        loop.execute(this::probeNow);
        return firstVerdict;
    }

    void stop() {
        server.listenForTrafficFailures(null);
        try {
            loop.execute(() -> {
                stopped = true;
                if (next != null) {
                    next.cancel(false);
                }
            });
        } catch (RejectedExecutionException e) {
            // The loops are already shutting down: nothing will run again anyway.
        }
    }

    private void probeNow() {
        if (probing || stopped) {
            return;
        }
        probing = true;
        probe.check(server, loop).whenComplete((result, error) -> {
            ProbeResult verdict = error == null ? result : ProbeResult.fail(ProbeConnection.reasonOf(error));
            if (loop.inEventLoop()) {
                onProbeResult(verdict);
            } else {
                loop.execute(() -> onProbeResult(verdict));
            }
        });
    }

    private void onProbeResult(ProbeResult result) {
        probing = false;
        server.recordCheck(result.toString());
        observe(result.passed(), result.detail(), "");
        firstVerdict.complete(null);
        scheduleNext();
    }

    /**
     * A connect failure or reset on a real request counts as a failed check and brings the
     * next probe forward (HAProxy's {@code observe layer4} with {@code on-error fastinter}):
     * under load a dead server is out after a few requests, not after interval × threshold.
     */
    private void onTrafficFailure(String reason) {
        if (stopped) {
            return;
        }
        observe(false, reason, " (live traffic)");
        probeNow();
    }

    private void observe(boolean passed, String detail, String source) {
        if (server.state() != machine.state()) {
            // Drained or enabled from the admin endpoint since the last observation.
            machine.reset(server.state());
        }
        HealthState before = machine.state();
        HealthState flipped = machine.observe(passed);
        if (flipped == null || server.state() == HealthState.DRAINING) {
            return;
        }
        server.changeState(flipped, wallClockMillis.getAsLong());
        pool.rebuildSelector();
        String why = passed
                ? (machine.streak() == 1 ? "check passed: " : machine.streak() + " checks passed: ") + detail
                : machine.streak() + (machine.streak() == 1 ? " check failed" : " checks failed") + source + ": "
                        + detail;
        log.info("pool {} server {}: {} -> {} ({})", pool.name(), server.label(), before, flipped, why);
    }

    private void scheduleNext() {
        if (stopped) {
            return;
        }
        if (next != null) {
            next.cancel(false);
        }
        long base = interval.toNanos();
        long jitter = (long) (base * JITTER * (2 * random.nextDouble() - 1));
        next = loop.schedule(this::probeNow, base + jitter, TimeUnit.NANOSECONDS);
    }
}
