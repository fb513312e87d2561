package dev.switchyard;

import dev.switchyard.admin.AdminActions;
import dev.switchyard.config.ConfigLoader;
import dev.switchyard.config.InvalidConfigException;
import dev.switchyard.config.SwitchyardConfig;
import dev.switchyard.demo.ShopBackends;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The command line: check a file, run the proxy, or run the demo; and the signals an operator
 * sends: SIGHUP reloads the file, SIGTERM and SIGINT shut down gracefully and exit 0.
 */
final class Launcher {

    private static final Logger log = LoggerFactory.getLogger(Launcher.class);

    static final String USAGE = """
            usage: switchyard --config FILE          start the proxy (SIGHUP reloads FILE, SIGTERM drains and stops)
                   switchyard --config FILE --check  validate FILE; exit 0 if valid, 1 if not
                   switchyard demo                   three demo shop servers behind the proxy on :8080
            """;

    private Launcher() {}

    /** Separated from {@link Switchyard#main} so it can be read, and run, without exiting. */
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
            config = command.demo()
                    ? ConfigLoader.parse(demoConfigText(), "demo.conf")
                    : ConfigLoader.load(command.config());
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
            Switchyard switchyard = Switchyard.start(config, command.demo() ? null : command.config());
            Runnable stop = () -> {
                log.info("shutting down: draining connections");
                switchyard.shutdownGracefully();
                if (demo != null) {
                    demo.close();
                }
            };
            // Any other exit (System.exit, an error) still closes the sockets; close is idempotent.
            Runtime.getRuntime().addShutdownHook(new Thread(switchyard::close, "switchyard-exit"));
            handleSignals(switchyard, stop);
            if (demo != null) {
                out.println(demo.instructions(
                        switchyard.listenerAddress(config.listeners().get(0).name())));
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

    /**
     * sun.misc.Signal (jdk.unsupported, present in every JDK 17 build) is the only way to keep a
     * SIGTERM from starting the JVM's immediate shutdown, which would drop requests in flight.
     */
    private static void handleSignals(Switchyard switchyard, Runnable stop) {
        Signal.handle(
                new Signal("HUP"),
                signal -> new Thread(
                                () -> {
                                    try {
                                        switchyard.reload();
                                    } catch (AdminActions.ActionFailed e) {
                                        // Already logged with every error; the old configuration keeps running.
                                    }
                                },
                                "switchyard-reload")
                        .start());
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(
                    new Signal(name),
                    signal -> new Thread(
                                    () -> {
                                        stop.run();
                                        System.exit(0);
                                    },
                                    "switchyard-shutdown")
                            .start());
        }
    }

    /** conf/demo.conf when run from a checkout, else the copy packed into the jar. */
    private static String demoConfigText() throws IOException {
        Path local = Path.of("conf", "demo.conf");
        if (Files.isRegularFile(local)) {
            return Files.readString(local);
        }
        try (InputStream in = Launcher.class.getResourceAsStream("/dev/switchyard/demo/demo.conf")) {
            if (in == null) {
                throw new IOException("demo.conf is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
