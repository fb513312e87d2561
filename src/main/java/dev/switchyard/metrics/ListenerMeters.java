package dev.switchyard.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicInteger;

/** Connections and bytes of one listener. Thread-safe: adders and an atomic, any loop. */
public final class ListenerMeters {

    private final AtomicInteger open = new AtomicInteger();
    private final Counter accepted;
    private final Counter received;
    private final Counter sent;
    private final Counter refusedAtListenerLimit;
    private final Counter refusedAtIpLimit;

    ListenerMeters(MeterRegistry registry, String listener) {
        accepted = Counter.builder("switchyard.listener.connections.accepted")
                .description("Client connections accepted")
                .tag("listener", listener)
                .register(registry);
        Gauge.builder("switchyard.listener.connections.open", open, AtomicInteger::get)
                .description("Client connections open now")
                .tag("listener", listener)
                .register(registry);
        received = Counter.builder("switchyard.listener.received")
                .baseUnit("bytes")
                .description("Bytes read from clients")
                .tag("listener", listener)
                .register(registry);
        sent = Counter.builder("switchyard.listener.sent")
                .baseUnit("bytes")
                .description("Bytes written to clients")
                .tag("listener", listener)
                .register(registry);
        refusedAtListenerLimit = refused(registry, listener, "listener-limit");
        refusedAtIpLimit = refused(registry, listener, "ip-limit");
    }

    private static Counter refused(MeterRegistry registry, String listener, String reason) {
        return Counter.builder("switchyard.connections.refused")
                .description("Client connections closed at accept because a connection limit was reached")
                .tag("listener", listener)
                .tag("reason", reason)
                .register(registry);
    }

    public void connectionOpened() {
        accepted.increment();
        open.incrementAndGet();
    }

    public void connectionClosed() {
        open.decrementAndGet();
    }

    /** A connection closed at accept: {@code limits.max-connections} was reached. */
    public void refusedAtListenerLimit() {
        refusedAtListenerLimit.increment();
    }

    /** A connection closed at accept: {@code limits.max-connections-per-ip} was reached. */
    public void refusedAtIpLimit() {
        refusedAtIpLimit.increment();
    }

    public void received(int bytes) {
        received.increment(bytes);
    }

    public void sent(int bytes) {
        sent.increment(bytes);
    }
}
