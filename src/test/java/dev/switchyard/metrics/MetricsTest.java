package dev.switchyard.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.counter.LoopThreads;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The per-loop counters behind Micrometer's names: same lines as before, same counts across reloads. */
class MetricsTest {

    private final Metrics metrics = new Metrics();

    @AfterEach
    void close() {
        metrics.close();
    }

    @Test
    void listenerCountersReadAsTheyDidAsMicrometerCounters() throws Exception {
        ListenerMeters listener = metrics.listener("public");
        Thread loop = new LoopThreads().newThread(() -> {
            listener.connectionOpened();
            listener.received(100);
            listener.sent(250);
        });
        loop.start();
        loop.join(10_000);
        listener.connectionOpened();
        listener.connectionClosed();

        assertThat(metrics.scrape())
                .contains("# TYPE switchyard_listener_connections_accepted_total counter\n"
                        + "switchyard_listener_connections_accepted_total{listener=\"public\"} 2.0\n")
                .contains("# TYPE switchyard_listener_connections_open gauge\n"
                        + "switchyard_listener_connections_open{listener=\"public\"} 1.0\n")
                .contains("switchyard_listener_received_bytes_total{listener=\"public\"} 100.0\n")
                .contains("switchyard_listener_sent_bytes_total{listener=\"public\"} 250.0\n");
    }

    /** A reload asks for a listener's meters again; the open count must go on, not restart at 0. */
    @Test
    void aListenerKeepsItsMetersAcrossReloads() {
        ListenerMeters before = metrics.listener("public");
        before.connectionOpened();

        ListenerMeters after = metrics.listener("public");
        after.connectionClosed();

        assertThat(after).isSameAs(before);
        assertThat(metrics.scrape()).contains("switchyard_listener_connections_open{listener=\"public\"} 0.0\n");
    }

    @Test
    void serverResponsesAreCountedByStatusClassUnderOneSetOfCounters() {
        metrics.serverResponses("web", "127.0.0.1:8080").increment(1);
        metrics.serverResponses("web", "127.0.0.1:8080").increment(1);
        metrics.serverResponses("web", "127.0.0.1:8080").increment(4);

        assertThat(metrics.scrape())
                .contains("# TYPE switchyard_requests_total counter\n")
                .contains(
                        "switchyard_requests_total{pool=\"web\",server=\"127.0.0.1:8080\",status_class=\"2xx\"} 2.0\n")
                .contains(
                        "switchyard_requests_total{pool=\"web\",server=\"127.0.0.1:8080\",status_class=\"5xx\"} 1.0\n")
                .contains(
                        "switchyard_requests_total{pool=\"web\",server=\"127.0.0.1:8080\",status_class=\"1xx\"} 0.0\n");
    }
}
