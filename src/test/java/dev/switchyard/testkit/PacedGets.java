package dev.switchyard.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * A normal client: a fixed number of keep-alive GETs sent open-loop at a fixed rate over a
 * few connections, each latency measured from when the request was due, not from when it was
 * sent. A stall therefore shows in every request it delays, as a user would see it, and is not
 * hidden by the client waiting politely (coordinated omission, as wrk2 and the failover
 * benchmark avoid it).
 */
public final class PacedGets {

    /** The outcome of one run: latencies in microseconds, and every non-200 or socket error. */
    public record Result(Histogram micros, int ok, List<String> errors) {
        public double millisAt(double percentile) {
            return micros.getValueAtPercentile(percentile) / 1000.0;
        }

        public String summary() {
            return "%d ok, %d errors; p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, p99.9 %.1f ms, max %.1f ms"
                    .formatted(
                            ok,
                            errors.size(),
                            millisAt(50),
                            millisAt(90),
                            millisAt(99),
                            millisAt(99.9),
                            micros.getMaxValue() / 1000.0);
        }
    }

    private PacedGets() {}

    /**
     * Sends {@code count} GETs of {@code path} at {@code perSecond}, spread round-robin over
     * {@code connections} keep-alive connections; returns when all were answered or failed.
     */
    public static Result run(InetSocketAddress proxy, String path, int count, int perSecond, int connections)
            throws InterruptedException {
        long periodNanos = 1_000_000_000L / perSecond;
        List<String> errors = new CopyOnWriteArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(connections);
        long start = System.nanoTime() + Duration.ofMillis(50).toNanos();
        List<Future<Histogram>> parts = new ArrayList<>();
        for (int c = 0; c < connections; c++) {
            int first = c;
            parts.add(pool.submit(
                    () -> oneConnection(proxy, path, count, first, connections, start, periodNanos, errors)));
        }
        pool.shutdown();
        Histogram all = new Histogram(3);
        try {
            for (Future<Histogram> part : parts) {
                all.add(part.get(count / perSecond + 60L, TimeUnit.SECONDS));
            }
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("normal client did not finish", e);
        } finally {
            pool.shutdownNow();
        }
        return new Result(all, (int) all.getTotalCount() - errors.size(), errors);
    }

    private static Histogram oneConnection(
            InetSocketAddress proxy,
            String path,
            int count,
            int first,
            int stride,
            long start,
            long periodNanos,
            List<String> errors)
            throws IOException {
        Histogram micros = new Histogram(3);
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: normal\r\n\r\n")
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        RawHttp client = new RawHttp(proxy);
        try {
            for (int i = first; i < count; i += stride) {
                long due = start + i * periodNanos;
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    LockSupport.parkNanos(wait);
                }
                try {
                    int status = client.send(request).read().status();
                    if (status != 200) {
                        errors.add("request " + i + ": status " + status);
                    }
                } catch (IOException e) {
                    errors.add("request " + i + ": " + e);
                    client.close();
                    client = new RawHttp(proxy);
                }
                micros.recordValue((System.nanoTime() - due) / 1000);
            }
        } finally {
            client.close();
        }
        return micros;
    }
}
