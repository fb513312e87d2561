package dev.switchyard;

import dev.switchyard.accesslog.AccessLog;
import dev.switchyard.admin.AdminActions;
import dev.switchyard.admin.AdminServer;
import dev.switchyard.config.AccessLogConfig;
import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.InvalidConfigException;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.config.TransportChoice;
import dev.switchyard.counter.LoopThreads;
import dev.switchyard.frontend.Listeners;
import dev.switchyard.frontend.RuntimeSnapshot;
import dev.switchyard.health.HealthChecker;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.HealthState;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.Server;
import dev.switchyard.upstream.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running proxy: one event-loop group serves listeners, upstream connections and health
 * probes; the configuration is one {@link RuntimeSnapshot} behind an atomic reference, swapped
 * whole by a reload. Thread safety: start, reload, drain and close run on the caller's thread
 * (main, signal, admin), serialized by this object's monitor; requests only read the snapshot.
 */
public final class Switchyard implements AutoCloseable, AdminActions {

    private static final Logger log = LoggerFactory.getLogger(Switchyard.class);

    private final Path configFile;
    private final Transport transport;
    // As the file said at start: threads and transport shape the event loops, which a reload keeps.
    private final int threadsSetting;
    private final TransportChoice transportSetting;
    private final EventLoopGroup group;
    private final List<EventLoop> loops = new ArrayList<>();
    private final Metrics metrics = new Metrics();
    private final AtomicReference<RuntimeSnapshot> snapshot = new AtomicReference<>();
    private final AtomicBoolean closed = new AtomicBoolean();
    private AccessLog accessLog;
    private HealthChecker healthChecker;
    private AdminServer admin;
    private Listeners listeners;

    private Switchyard(SwitchyardConfig config, Path configFile) {
        this.configFile = configFile;
        this.threadsSetting = config.threads();
        this.transportSetting = config.transport();
        this.transport = transport(config.transport());
        // A proxy never blocks its loops, so one per core is enough (netty-notes §2).
        int threads =
                config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        // Loop threads that know their stripe of the per-loop request counters.
        this.group = new MultiThreadIoEventLoopGroup(threads, new LoopThreads(), transport.ioHandlerFactory());
        for (EventExecutor executor : group) {
            loops.add((EventLoop) executor);
        }
    }

    /** Read at start only: every channel of a loop must belong to its transport. */
    private static Transport transport(TransportChoice choice) {
        return switch (choice) {
            case AUTO -> Transport.auto();
            case EPOLL -> Transport.detect();
            case IO_URING -> Transport.ioUringOrDetect();
            case NIO -> Transport.nio();
        };
    }

    /** Starts serving {@code config}; reload re-reads nothing (no file). */
    public static Switchyard start(SwitchyardConfig config) throws InterruptedException, IOException {
        return start(config, null);
    }

    /**
     * Starts serving {@code config}, read from {@code configFile} (which a reload reads again);
     * returns once every server had its first probe and every listener is bound.
     */
    public static Switchyard start(SwitchyardConfig config, Path configFile) throws InterruptedException, IOException {
        Switchyard switchyard = new Switchyard(config, configFile);
        try {
            switchyard.open(config);
            return switchyard;
        } catch (InterruptedException | IOException | RuntimeException e) {
            switchyard.close();
            throw e;
        }
    }

    private synchronized void open(SwitchyardConfig config) throws InterruptedException, IOException {
        AccessLogConfig logConfig = config.accessLog();
        if (logConfig.enabled()) {
            accessLog = AccessLog.open(logConfig.format(), logConfig.output(), logConfig.queueSize());
            metrics.accessLogDrops(accessLog::dropped);
        }
        snapshot.set(RuntimeSnapshot.build(config, loops, connector(config), metrics, accessLog));
        // Warm-up gate: every health-checked server gets its first probe before any client.
        healthChecker = newHealthChecker(snapshot.get());
        healthChecker.startAndAwaitFirstRound();
        if (config.admin() != null) {
            admin = AdminServer.start(
                    config.admin().bind().host(),
                    config.admin().bind().port(),
                    () -> snapshot.get().pools().values(),
                    () -> snapshot.get().proxySettings().metrics(),
                    metrics,
                    System::currentTimeMillis,
                    this,
                    config.admin().token());
        }
        listeners = Listeners.bind(config, group, transport, snapshot::get, metrics);
        log.info(
                "switchyard started: {} event loop(s), {} pool(s)",
                loops.size(),
                config.pools().size());
    }

    private Connector connector(SwitchyardConfig config) {
        return new Connector(
                transport, config.timeouts().connect(), config.limits().maxHeaderSize());
    }

    private HealthChecker newHealthChecker(RuntimeSnapshot runtime) {
        return new HealthChecker(
                runtime.healthChecks(), loops, transport, new SplittableRandom(), System::currentTimeMillis);
    }

    /** The transport that runs: {@code epoll}, {@code io_uring} or {@code nio}. */
    public String transportName() {
        return transport.name();
    }

    public InetSocketAddress listenerAddress(String name) {
        return listeners.address(name);
    }

    /** The admin endpoint's bound address; null without an {@code admin} block. */
    public InetSocketAddress adminAddress() {
        return admin == null ? null : admin.address();
    }

    public RuntimeSnapshot snapshot() {
        return snapshot.get();
    }

    // ---- reload and drain (admin endpoint, SIGHUP) --------------------------------------------

    /**
     * Reads the file again and swaps in the new snapshot; on any error the old one keeps
     * running. Servers with an unchanged pool and address keep their identity, health and
     * counters; added listeners bind before removed ones close; exchanges in flight finish on
     * the snapshot they started with. The admin endpoint keeps the address and token it started with.
     */
    @Override
    public synchronized String reload() throws ActionFailed {
        if (configFile == null) {
            throw new ActionFailed("reload: this instance was not started from a file", false);
        }
        SwitchyardConfig config;
        try {
            config = ConfigLoader.load(configFile);
        } catch (InvalidConfigException e) {
            log.warn(
                    "reload refused, still running the previous configuration:\n  {}", String.join("\n  ", e.errors()));
            throw new ActionFailed(
                    "reload refused, still running the previous configuration:\n" + String.join("\n", e.errors()),
                    false);
        }
        RuntimeSnapshot previous = snapshot.get();
        RuntimeSnapshot next;
        try {
            next = RuntimeSnapshot.build(config, loops, connector(config), metrics, accessLog, previous);
            listeners.reconcile(config);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ActionFailed("reload interrupted", false);
        } catch (RuntimeException e) {
            log.warn("reload failed, still running the previous configuration: {}", e.toString());
            throw new ActionFailed("reload failed, still running the previous configuration: " + e.getMessage(), false);
        }
        HealthChecker checker = newHealthChecker(next);
        healthChecker.close();
        try {
            checker.startAndAwaitFirstRound();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        healthChecker = checker;
        snapshot.set(next);
        closeIdleConnectionsOfRemovedServers(previous, next);
        String summary = "reloaded " + configFile + ": " + next.pools().size() + " pool(s), "
                + config.listeners().size() + " listener(s)" + restartNote(config);
        log.info(summary);
        return summary;
    }

    /** Threads and transport shape the event loops, which a reload keeps: say so, in the answer too. */
    private String restartNote(SwitchyardConfig config) {
        if (config.threads() == threadsSetting && config.transport() == transportSetting) {
            return "";
        }
        return "; threads = " + config.threads() + " and transport = "
                + config.transport().configName()
                + " take effect at the next restart (running: threads = " + threadsSetting + ", transport = "
                + transportSetting.configName() + ")";
    }

    private static void closeIdleConnectionsOfRemovedServers(RuntimeSnapshot previous, RuntimeSnapshot next) {
        for (Pool before : previous.pools().values()) {
            Pool after = next.pools().get(before.name());
            for (Server server : before.servers()) {
                if (after == null || after.server(server.label()) != server) {
                    server.closeIdleConnections();
                }
            }
        }
    }

    @Override
    public synchronized String drain(String poolName, String address) throws ActionFailed {
        Server server = find(poolName, address);
        Pool pool = snapshot.get().pools().get(poolName);
        server.changeState(HealthState.DRAINING, System.currentTimeMillis());
        pool.rebuildSelector();
        server.closeIdleConnections();
        log.info("pool {} server {}: -> DRAINING (admin request); {} in flight", poolName, address, server.inFlight());
        return "draining " + poolName + "/" + address + ": " + server.inFlight() + " request(s) in flight";
    }

    @Override
    public synchronized String enable(String poolName, String address) throws ActionFailed {
        Server server = find(poolName, address);
        Pool pool = snapshot.get().pools().get(poolName);
        boolean checked = snapshot.get().healthChecks().get(pool) != null;
        // With health checks the server must pass healthy-threshold probes before it takes traffic.
        HealthState next = checked ? HealthState.DOWN : HealthState.UP;
        server.changeState(next, System.currentTimeMillis());
        pool.rebuildSelector();
        log.info("pool {} server {}: DRAINING -> {} (admin request)", poolName, address, next);
        return "enabled " + poolName + "/" + address + ": " + next + (checked ? " until its health checks pass" : "");
    }

    private Server find(String poolName, String address) throws ActionFailed {
        Pool pool = snapshot.get().pools().get(poolName);
        if (pool == null) {
            throw new ActionFailed("no pool named " + poolName, true);
        }
        Server server = pool.server(address);
        if (server == null) {
            throw new ActionFailed("pool " + poolName + " has no server " + address, true);
        }
        return server;
    }

    // ---- shutdown ------------------------------------------------------------------------------

    /**
     * Graceful shutdown (SIGTERM): stop accepting, let what is in flight finish within
     * {@code timeouts.shutdown-grace} (idle keep-alive connections close at once, busy ones
     * answer with {@code Connection: close}), then close the rest and stop.
     */
    public void shutdownGracefully() {
        if (listeners == null || closed.get()) {
            close();
            return;
        }
        Duration grace = snapshot.get().config().timeouts().shutdownGrace();
        listeners.close();
        listeners.drainClients();
        long deadline = System.nanoTime() + grace.toNanos();
        while (listeners.openClientConnections() > 0 && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        int left = listeners.openClientConnections();
        if (left > 0) {
            log.warn("shutdown grace of {} s over: closing {} connection(s) still busy", grace.toSeconds(), left);
        }
        close();
    }

    /** Stops at once: listeners, client connections, probes, loops. Idempotent. */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (listeners != null) {
            listeners.close();
            listeners.closeClients();
        }
        if (admin != null) {
            admin.close();
        }
        if (healthChecker != null) {
            healthChecker.close();
        }
        // Bounded, so a stuck task can never keep the process from exiting.
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(10, TimeUnit.SECONDS);
        if (accessLog != null) {
            accessLog.close();
        }
        metrics.close();
    }

    public static void main(String[] args) {
        System.exit(Launcher.run(args, System.out, System.err));
    }
}
