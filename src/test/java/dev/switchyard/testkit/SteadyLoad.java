package dev.switchyard.testkit;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent GETs in a closed loop against one URI until stopped (or a hard time limit), with
 * every error kept and every answering backend counted. Bounded in threads and time.
 */
public final class SteadyLoad implements AutoCloseable {

    private final ExecutorService clients;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicInteger ok = new AtomicInteger();
    private final List<String> errors = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> byBackend = new ConcurrentHashMap<>();

    public SteadyLoad(URI uri, int concurrency, Duration limit) {
        HttpClient client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5))
                .build();
        long end = System.nanoTime() + limit.toNanos();
        clients = Executors.newFixedThreadPool(concurrency);
        for (int i = 0; i < concurrency; i++) {
            clients.execute(() -> {
                while (running.get() && System.nanoTime() < end) {
                    try {
                        HttpResponse<String> response = client.send(
                                HttpRequest.newBuilder(uri)
                                        .timeout(Duration.ofSeconds(15))
                                        .build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (response.statusCode() == 200) {
                            ok.incrementAndGet();
                            String backend =
                                    response.headers().firstValue("X-Backend").orElse("?");
                            byBackend
                                    .computeIfAbsent(backend, k -> new AtomicInteger())
                                    .incrementAndGet();
                        } else {
                            errors.add(java.time.LocalTime.now() + " " + response.statusCode() + " "
                                    + response.body().trim());
                        }
                    } catch (Exception e) {
                        errors.add(java.time.LocalTime.now() + " " + e);
                    }
                }
            });
        }
    }

    public int ok() {
        return ok.get();
    }

    public List<String> errors() {
        return errors;
    }

    /** Answers by backend name so far. */
    public int answeredBy(String backend) {
        AtomicInteger count = byBackend.get(backend);
        return count == null ? 0 : count.get();
    }

    /** Stops and waits for the clients; safe to call twice. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        clients.shutdown();
        if (!clients.awaitTermination(30, TimeUnit.SECONDS)) {
            clients.shutdownNow();
        }
    }
}
