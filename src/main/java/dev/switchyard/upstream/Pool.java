package dev.switchyard.upstream;

import dev.switchyard.balance.Selector;
import dev.switchyard.balance.Strategy;
import java.util.ArrayList;
import java.util.List;

/**
 * A named set of servers and the selector that picks among the usable ones.
 *
 * <p>Thread safety: immutable but for {@link #selector()}, which is rebuilt off the data path
 * and published with one volatile write (style.md rule 2); a request reads it once.
 */
public final class Pool {

    private final String name;
    private final List<Server> servers;
    private final int retries;
    private final Strategy<Server> strategy;
    private final RetryBudget retryBudget;
    private volatile Selector<Server> selector;

    public Pool(String name, List<Server> servers, int retries, Strategy<Server> strategy, RetryBudget retryBudget) {
        this.name = name;
        this.servers = List.copyOf(servers);
        this.retries = retries;
        this.strategy = strategy;
        this.retryBudget = retryBudget;
        this.selector = strategy.build(usable(), null);
    }

    public String name() {
        return name;
    }

    public List<Server> servers() {
        return servers;
    }

    /** Extra attempts on another server after a failure that may be retried. */
    public int retries() {
        return retries;
    }

    public Selector<Server> selector() {
        return selector;
    }

    public RetryBudget retryBudget() {
        return retryBudget;
    }

    /**
     * The servers that may take new traffic: the UP primaries, else the UP backups (a backup
     * serves only while no primary is UP, and hands back as soon as one is). Never DOWN or
     * DRAINING ones. Empty means 503 at once.
     */
    public List<Server> usable() {
        List<Server> primaries = new ArrayList<>();
        List<Server> backups = new ArrayList<>();
        for (Server server : servers) {
            if (server.state() == HealthState.UP) {
                (server.backup() ? backups : primaries).add(server);
            }
        }
        return primaries.isEmpty() ? backups : primaries;
    }

    /**
     * Rebuilds the selector after a health flip, a drain or a reload; carries the rotation over.
     * {@code synchronized} on purpose: flips come from the health loop and drains from the admin
     * thread, and two unsynchronized rebuilds could publish a selector built from stale states.
     * It never runs on the request path, which only reads the volatile field.
     */
    public synchronized void rebuildSelector() {
        selector = strategy.build(usable(), selector);
    }

    /** The server with this address label, or null. */
    public Server server(String label) {
        for (Server server : servers) {
            if (server.label().equals(label)) {
                return server;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return name;
    }
}
