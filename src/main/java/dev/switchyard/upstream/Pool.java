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
    private volatile Selector<Server> selector;

    public Pool(String name, List<Server> servers, int retries, Strategy<Server> strategy) {
        this.name = name;
        this.servers = List.copyOf(servers);
        this.retries = retries;
        this.strategy = strategy;
        this.selector = strategy.build(usable(), null);
    }

    public String name() { return name; }

    public List<Server> servers() { return servers; }

    /** Extra attempts on another server after a failure that may be retried. */
    public int retries() { return retries; }

    public Selector<Server> selector() { return selector; }

    /**
     * The servers that may take traffic: the primaries, or the backups when the pool has no
     * primary. Health state joins this rule with active health checks (issue 3); until then
     * every server counts as UP.
     */
    public List<Server> usable() {
        List<Server> primaries = new ArrayList<>();
        List<Server> backups = new ArrayList<>();
        for (Server server : servers) {
            (server.backup() ? backups : primaries).add(server);
        }
        return primaries.isEmpty() ? backups : primaries;
    }

    /** Rebuilds the selector after the usable set changed; carries the rotation over. */
    public void rebuildSelector() {
        selector = strategy.build(usable(), selector);
    }

    @Override
    public String toString() { return name; }
}
