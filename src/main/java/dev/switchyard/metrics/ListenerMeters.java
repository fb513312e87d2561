package dev.switchyard.metrics;

import dev.switchyard.counter.StripedLongs;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Connections and bytes of one listener. Thread-safe, any loop: what changes per connection or
 * per read and write is counted per loop and summed at scrape time; refusals are rare and
 * plain Micrometer counters.
 */
public final class ListenerMeters {

    private static final int ACCEPTED = 0;
    private static final int OPEN = 1;
    private static final int RECEIVED = 2;
    private static final int SENT = 3;

    private final StripedLongs counts = new StripedLongs(4);
    private final Counter refusedAtListenerLimit;
    private final Counter refusedAtIpLimit;

    ListenerMeters(MeterRegistry registry, String listener) {
        FunctionCounter.builder("switchyard.listener.connections.accepted", counts, c -> c.sum(ACCEPTED))
                .description("Client connections accepted")
                .tag("listener", listener)
                .register(registry);
        Gauge.builder("switchyard.listener.connections.open", counts, c -> c.sum(OPEN))
                .description("Client connections open now")
                .tag("listener", listener)
                .register(registry);
        FunctionCounter.builder("switchyard.listener.received", counts, c -> c.sum(RECEIVED))
                .baseUnit("bytes")
                .description("Bytes read from clients")
                .tag("listener", listener)
                .register(registry);
        FunctionCounter.builder("switchyard.listener.sent", counts, c -> c.sum(SENT))
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
        counts.increment(ACCEPTED);
        counts.increment(OPEN);
    }

    public void connectionClosed() {
        counts.add(OPEN, -1);
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
        counts.add(RECEIVED, bytes);
    }

    public void sent(int bytes) {
        counts.add(SENT, bytes);
    }
}
