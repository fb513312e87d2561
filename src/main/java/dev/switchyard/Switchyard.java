package dev.switchyard;

import dev.switchyard.accesslog.AccessLog;
import dev.switchyard.admin.AdminServer;
import dev.switchyard.config.AccessLogConfig;
import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.InvalidConfigException;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.demo.ShopBackends;
import dev.switchyard.frontend.Codecs;
import dev.switchyard.frontend.Listeners;
import dev.switchyard.frontend.RuntimeSnapshot;
import dev.switchyard.health.HealthChecker;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.upstream.Connector;
import dev.switchyard.upstream.Transport;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The process: command line, start and shutdown. One event-loop group serves listeners and
 * upstream connections alike; the configuration becomes one {@link RuntimeSnapshot}
 * published through an atomic reference.
 */
public final class Switchyard implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Switchyard.class);

    static final String USAGE = """
            usage: switchyard --config FILE          start the proxy
                   switchyard --config FILE --check  validate FILE; exit 0 if valid, 1 if not
                   switchyard demo                   three demo shop servers behind the proxy on :8080
            """;

    private final EventLoopGroup group;
    private final Listeners listeners;
    private final AtomicReference<RuntimeSnapshot> snapshot;
    private final HealthChecker healthChecker;
    private final AdminServer admin;
    private final Metrics metrics;
    private final AccessLog accessLog;

    private Switchyard(EventLoopGroup group, Listeners listeners, AtomicReference<RuntimeSnapshot> snapshot,
                       HealthChecker healthChecker, AdminServer admin, Metrics metrics, AccessLog accessLog) {
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.group = group;
        this.listeners = listeners;
        this.snapshot = snapshot;
        this.healthChecker = healthChecker;
        this.admin = admin;
    }

    /** Starts serving {@code config}; returns once every listener is bound. */
    public static Switchyard start(SwitchyardConfig config) throws InterruptedException, IOException {
        Transport transport = Transport.detect();
        // A proxy never blocks its loops, so one per core is enough (netty-notes §2).
        int threads = config.threads() > 0 ? config.threads() : Runtime.getRuntime().availableProcessors();
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(threads, transport.ioHandlerFactory());
        HealthChecker healthChecker = null;
        AdminServer admin = null;
        Metrics metrics = new Metrics();
        AccessLogConfig logConfig = config.accessLog();
        AccessLog accessLog = logConfig.enabled()
                ? AccessLog.open(logConfig.format(), logConfig.output(), logConfig.queueSize()) : null;
        if (accessLog != null) {
            metrics.accessLogDrops(accessLog::dropped);
        }
        try {
            List<EventLoop> loops = new ArrayList<>();
            for (EventExecutor executor : group) {
                loops.add((EventLoop) executor);
            }
            Connector connector = new Connector(transport, config.timeouts().connect(),
                    Codecs.decoderConfig(config.limits().maxHeaderSize()));
            AtomicReference<RuntimeSnapshot> snapshot =
                    new AtomicReference<>(RuntimeSnapshot.build(config, loops, connector, metrics, accessLog));
            // Warm-up gate: every health-checked server gets its first probe before any client.
            healthChecker = new HealthChecker(snapshot.get().healthChecks(), loops, transport,
                    new SplittableRandom(), System::currentTimeMillis);
            healthChecker.startAndAwaitFirstRound();
            admin = config.admin() == null ? null : AdminServer.start(config.admin().bind().host(),
                    config.admin().bind().port(), () -> snapshot.get().pools().values(),
                    () -> snapshot.get().proxySettings().metrics(), metrics, System::currentTimeMillis);
            Listeners listeners = Listeners.bind(config, group, transport, snapshot::get, metrics);
            log.info("switchyard started: {} event loop(s), {} pool(s)", threads, config.pools().size());
            return new Switchyard(group, listeners, snapshot, healthChecker, admin, metrics, accessLog);
        } catch (InterruptedException | RuntimeException e) {
            if (accessLog != null) {
                accessLog.close();
            }
            metrics.close();
            if (admin != null) {
                admin.close();
            }
            if (healthChecker != null) {
                healthChecker.close();
            }
            group.shutdownGracefully(0, 0, TimeUnit.MILLISECONDS);
            throw e;
        }
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

    /** Stops accepting, then lets the loops finish what they have within a short grace period. */
    @Override
    public void close() {
        listeners.close();
        if (admin != null) {
            admin.close();
        }
        healthChecker.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        if (accessLog != null) {
            accessLog.close();
        }
        metrics.close();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** The command line, separated from {@link #main} so tests can run it without exiting. */
    static int run(String[] args, PrintStream out, PrintStream err) {
        CommandLine command;
        try {
            command = CommandLine.parse(args);
        } catch (IllegalArgumentException e) {
            err.println(e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SwitchyardConfig config;
        try {
            config = command.demo() ? ConfigLoader.parse(demoConfigText(), "demo.conf") : ConfigLoader.load(command.config());
        } catch (InvalidConfigException e) {
            err.println("configuration refused:");
            e.errors().forEach(line -> err.println("  " + line));
            return 1;
        } catch (IOException e) {
            err.println("cannot read the demo configuration: " + e.getMessage());
            return 1;
        }
        if (command.check()) {
            out.println("configuration ok");
            return 0;
        }
        try {
            ShopBackends demo = command.demo() ? ShopBackends.start(config) : null;
            Switchyard switchyard = start(config);
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                log.info("shutting down");
                switchyard.close();
                if (demo != null) {
                    demo.close();
                }
            }, "switchyard-shutdown"));
            if (demo != null) {
                out.println(demo.instructions(switchyard.listenerAddress(config.listeners().get(0).name())));
            }
            Thread.currentThread().join();
            return 0;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } catch (Exception e) {
            // A bind failure (address in use, no permission) is the common case here.
            err.println("cannot start: " + e);
            return 1;
        }
    }

    /** conf/demo.conf when run from a checkout, else the copy packed into the jar. */
    private static String demoConfigText() throws IOException {
        Path local = Path.of("conf", "demo.conf");
        if (Files.isRegularFile(local)) {
            return Files.readString(local);
        }
        try (InputStream in = Switchyard.class.getResourceAsStream("/dev/switchyard/demo/demo.conf")) {
            if (in == null) {
                throw new IOException("demo.conf is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
