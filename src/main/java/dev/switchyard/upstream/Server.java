package dev.switchyard.upstream;

import dev.switchyard.balance.Candidate;
import dev.switchyard.counter.StripedLongs;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One backend address of a pool, with its live counters and its idle keep-alive
 * connections, kept per event loop.
 *
 * <p>Thread confinement: the address is fixed; weight and backup are volatile, changed only by
 * a reload. The counters are
 * atomics written by the proxy on any event loop and read by strategies and the admin
 * endpoint. The health state, its time and the last check result are volatile, written only
 * by the health checker (on the one loop that probes this server) and read by anyone. Each {@link LoopConnections} is touched only from its own loop; the map that
 * holds them is built in the constructor and never changes, so reading it needs no lock.
 */
public final class Server implements Candidate {

    private final String label;
    private final InetSocketAddress address;
    private volatile int weight;
    private volatile boolean backup;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger openConnections = new AtomicInteger();
    // Per loop, not one atomic: every loop bumps it per exchange and only the admin endpoint
    // reads it (package dev.switchyard.counter says what a shared counter costs).
    private final StripedLongs requests = new StripedLongs(1);
    private final AtomicLong failures = new AtomicLong();
    private final AtomicLong connectFailures = new AtomicLong();
    private final AtomicLong ejections = new AtomicLong();
    private final IdentityHashMap<EventLoop, LoopConnections> idleByLoop;
    private volatile HealthState state;
    private volatile long stateSinceMillis = System.currentTimeMillis();
    private volatile String lastCheck = "none yet";
    private volatile TrafficFailureListener failureListener;

    /**
     * @param label   the address as configured, for logs and error messages
     * @param address resolved once here, off the event loops: a name lookup on the data path
     *                would block a loop (Netty's default resolver calls InetAddress)
     */
    public Server(
            String label,
            InetSocketAddress address,
            int weight,
            boolean backup,
            List<EventLoop> loops,
            int maxIdlePerLoop,
            HealthState initial) {
        this.label = label;
        this.address = address;
        this.weight = weight;
        this.backup = backup;
        IdentityHashMap<EventLoop, LoopConnections> map = new IdentityHashMap<>();
        for (EventLoop loop : loops) {
            map.put(loop, new LoopConnections(loop, maxIdlePerLoop));
        }
        this.idleByLoop = map;
        this.state = initial;
    }

    public String label() {
        return label;
    }

    public InetSocketAddress address() {
        return address;
    }

    @Override
    public int weight() {
        return weight;
    }

    public boolean backup() {
        return backup;
    }

    /**
     * A reload kept this server (same pool, same address) but changed its weight or backup
     * flag; the pool's selector is rebuilt afterwards. Identity, health and counters stay.
     */
    public void reconfigure(int newWeight, boolean newBackup) {
        this.weight = newWeight;
        this.backup = newBackup;
    }

    /** Closes this server's idle keep-alive connections on every loop (drain, removal). */
    public void closeIdleConnections() {
        for (Map.Entry<EventLoop, LoopConnections> entry : idleByLoop.entrySet()) {
            LoopConnections connections = entry.getValue();
            try {
                entry.getKey().execute(connections::closeAll);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // The loops are shutting down and close everything anyway.
            }
        }
    }

    @Override
    public int inFlight() {
        return inFlight.get();
    }

    public int openConnections() {
        return openConnections.get();
    }

    public long requests() {
        return requests.sum(0);
    }

    public long failures() {
        return failures.get();
    }

    public long connectFailures() {
        return connectFailures.get();
    }

    /** Times this server went from UP to DOWN. */
    public long ejections() {
        return ejections.get();
    }

    /** The idle connections of this server kept for {@code loop}; only that loop may use them. */
    public LoopConnections connections(EventLoop loop) {
        LoopConnections connections = idleByLoop.get(loop);
        if (connections == null) {
            throw new IllegalStateException("event loop not known to " + label + ": " + loop);
        }
        return connections;
    }

    /** An exchange starts on this server. Pair with {@link #exchangeEnded()}. */
    public void exchangeStarted() {
        inFlight.incrementAndGet();
        requests.increment(0);
    }

    public void exchangeEnded() {
        inFlight.decrementAndGet();
    }

    public HealthState state() {
        return state;
    }

    public long stateSinceMillis() {
        return stateSinceMillis;
    }

    /** The last probe's outcome in words, e.g. "passed: 200" or "failed: connection refused". */
    public String lastCheck() {
        return lastCheck;
    }

    /** Health checker only: the server flipped. */
    public void changeState(HealthState next, long nowMillis) {
        if (state == HealthState.UP && next == HealthState.DOWN) {
            ejections.incrementAndGet();
        }
        stateSinceMillis = nowMillis;
        state = next;
    }

    /** Health checker only. */
    public void recordCheck(String result) {
        lastCheck = result;
    }

    /** Health checker only: who hears about live traffic failures of this server. */
    public void listenForTrafficFailures(TrafficFailureListener listener) {
        failureListener = listener;
    }

    /**
     * A connect failure or a reset before any response byte on live traffic: counted, and
     * reported to the health checker as a failed check.
     */
    public void trafficFailed(String reason) {
        failures.incrementAndGet();
        TrafficFailureListener listener = failureListener;
        if (listener != null) {
            listener.trafficFailed(this, reason);
        }
    }

    /** A connect to this server failed or timed out on live traffic; also a {@link #trafficFailed}. */
    public void connectFailed(String reason) {
        connectFailures.incrementAndGet();
        trafficFailed(reason);
    }

    /** A failure that says nothing about reachability (a slow or garbled answer): counted only. */
    public void answerFailed() {
        failures.incrementAndGet();
    }

    void connectionOpened() {
        openConnections.incrementAndGet();
    }

    void connectionClosed() {
        openConnections.decrementAndGet();
    }

    @Override
    public String toString() {
        return label;
    }
}
