package dev.switchyard.config;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code transport} an operator asked for. Which one actually runs also depends on the host
 * (a kernel or a seccomp profile may refuse io_uring), so the caller resolves it at start.
 */
public enum TransportChoice {
    /**
     * io_uring where the host allows it and the kernel has incremental buffer rings (Linux 6.12
     * and later), else {@link #EPOLL}: the default.
     */
    AUTO("auto"),
    /** Native epoll where it loads, else Java NIO. */
    EPOLL("epoll"),
    /** Linux io_uring even without incremental buffer rings; {@link #EPOLL} where the host refuses it. */
    IO_URING("io_uring"),
    NIO("nio");

    private final String configName;

    TransportChoice(String configName) {
        this.configName = configName;
    }

    /** As the config file writes it. */
    public String configName() {
        return configName;
    }

    /** The choice the config file names, or null for an unknown name. */
    static TransportChoice named(String name) {
        for (TransportChoice choice : values()) {
            if (choice.configName.equals(name)) {
                return choice;
            }
        }
        return null;
    }

    static List<String> names() {
        List<String> names = new ArrayList<>();
        for (TransportChoice choice : values()) {
            names.add(choice.configName);
        }
        return names;
    }
}
