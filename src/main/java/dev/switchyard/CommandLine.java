package dev.switchyard;

import java.nio.file.Path;

/** The parsed command line. Immutable. */
record CommandLine(Path config, boolean check, boolean demo) {

    static CommandLine parse(String[] args) {
        Path config = null;
        boolean check = false;
        boolean demo = false;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config", "-c" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--config needs a file");
                    }
                    config = Path.of(args[++i]);
                }
                case "--check" -> check = true;
                case "demo" -> demo = true;
                case "--help", "-h" -> throw new IllegalArgumentException("Switchyard, an HTTP load balancer");
                default -> throw new IllegalArgumentException("unknown argument: " + args[i]);
            }
        }
        if (demo == (config != null)) {
            throw new IllegalArgumentException(demo ? "demo takes no --config" : "--config FILE is required");
        }
        return new CommandLine(config, check, demo);
    }
}
