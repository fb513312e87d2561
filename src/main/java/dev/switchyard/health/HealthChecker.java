package dev.switchyard.health;

import dev.switchyard.config.HealthCheckConfig;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.Server;
import dev.switchyard.upstream.Transport;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns active health checking: one {@link ServerHealth} per server of every pool that has a
 * {@code health-check}, all servers of a pool probed from one event loop of the shared group
 * (pools are spread over the loops). Thread safety: built and started on the caller's thread;
 * everything afterwards runs on the loops. Each server gets its own split of the random source
 * for its jitter, since a SplittableRandom must not be shared between threads.
 */
public final class HealthChecker implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    /**
     * Added to the check timeout for the first round: a probe's deadline starts when it is
     * scheduled, and at start-up the loops are also loading classes and compiling code.
     */
    static final long FIRST_ROUND_SLACK_MILLIS = 1000;

    private final List<ServerHealth> checks = new ArrayList<>();
    private final List<PassiveHealth> passive = new ArrayList<>();
    private final Duration longestTimeout;

    /**
     * @param pools       every pool, with its health-check settings or null for a pool without
     *                    them (whose servers only live traffic can eject, see {@link PassiveHealth})
     */
    public HealthChecker(
            Map<Pool, HealthCheckConfig> pools,
            List<EventLoop> loops,
            Transport transport,
            SplittableRandom random,
            LongSupplier wallClockMillis) {
        Duration longest = Duration.ZERO;
        int index = 0;
        for (Map.Entry<Pool, HealthCheckConfig> entry : pools.entrySet()) {
            Pool pool = entry.getKey();
            HealthCheckConfig config = entry.getValue();
            EventLoop loop = loops.get(index++ % loops.size());
            if (config == null) {
                for (Server server : pool.servers()) {
                    passive.add(new PassiveHealth(
                            pool, server, loop, PassiveHealth.WINDOW, System::nanoTime, wallClockMillis));
                }
                continue;
            }
            Probe probe = "tcp".equals(config.type())
                    ? new TcpProbe(transport, config.timeout())
                    : new HttpProbe(
                            transport, config.timeout(), config.path(), config.host(), config.expectedStatuses());
            for (Server server : pool.servers()) {
                checks.add(new ServerHealth(
                        pool,
                        server,
                        probe,
                        loop,
                        config.interval(),
                        config.healthyThreshold(),
                        config.unhealthyThreshold(),
                        random.split(),
                        wallClockMillis));
            }
            if (config.timeout().compareTo(longest) > 0) {
                longest = config.timeout();
            }
        }
        this.longestTimeout = longest;
    }

    /**
     * Starts probing and waits for every server's first verdict, at most the longest check
     * timeout (plus scheduling slack): the warm-up gate, so listeners open only after each
     * server had its chance to pass one probe. A server that has not passed stays DOWN.
     */
    public void startAndAwaitFirstRound() throws InterruptedException {
        passive.forEach(PassiveHealth::start);
        if (checks.isEmpty()) {
            return;
        }
        List<CompletableFuture<Void>> first = new ArrayList<>();
        for (ServerHealth check : checks) {
            first.add(check.start());
        }
        try {
            CompletableFuture.allOf(first.toArray(CompletableFuture[]::new))
                    .get(longestTimeout.toMillis() + FIRST_ROUND_SLACK_MILLIS, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            log.warn(
                    "first health checks still running after {} ms; their servers stay DOWN until they pass",
                    longestTimeout.toMillis() + FIRST_ROUND_SLACK_MILLIS);
        } catch (ExecutionException e) {
            throw new IllegalStateException("health check failed to run", e.getCause());
        }
    }

    @Override
    public void close() {
        checks.forEach(ServerHealth::stop);
        passive.forEach(PassiveHealth::stop);
    }
}
