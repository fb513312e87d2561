package dev.switchyard.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigResolveOptions;
import com.typesafe.config.ConfigSyntax;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Turns a HOCON file into a validated {@link SwitchyardConfig}, or refuses it with every error at
 * once. Stateless and thread-safe.
 *
 * <p>The user's file is layered over our {@code reference.conf} and resolved with the environment
 * as a fallback for {@code ${?VAR}}. System properties are deliberately not merged (unlike
 * {@code ConfigFactory.load()}): a stray {@code -Dswitchyard.threads} on the command line must not
 * change a file that {@code --check} said was fine.
 */
public final class ConfigLoader {

    private ConfigLoader() {}

    /** Reads and validates file; errors name it as given, e.g. {@code conf/shop.conf:12: ...}. */
    public static SwitchyardConfig load(Path file) throws InvalidConfigException {
        String source = file.toString();
        Problems problems = new Problems(source, source, null);
        if (!Files.exists(file)) {
            problems.atFile("file not found");
        } else if (!Files.isRegularFile(file)) {
            problems.atFile("not a regular file");
        } else if (!Files.isReadable(file)) {
            problems.atFile("not readable");
        }
        throwIfAny(problems);
        // Includes resolve next to the including file; a bare name has no parent, and typesafe-config
        // would then look for included files on the classpath instead. "./" gives it one.
        String parsedAs = file.getParent() == null ? Path.of(".").resolve(file).toString() : source;
        Config user;
        try {
            user = ConfigFactory.parseFile(Path.of(parsedAs).toFile(), options());
        } catch (ConfigException unparsable) {
            throw single(source, parsedAs, unparsable);
        }
        return validate(user, source, parsedAs);
    }

    /** Validates HOCON text; originName stands for the file name in errors (a test, the demo). */
    public static SwitchyardConfig parse(String hocon, String originName) throws InvalidConfigException {
        Config user;
        try {
            user = ConfigFactory.parseString(hocon, options().setOriginDescription(originName));
        } catch (ConfigException unparsable) {
            throw single(originName, originName, unparsable);
        }
        return validate(user, originName, originName);
    }

    private static SwitchyardConfig validate(Config user, String source, String parsedAs)
            throws InvalidConfigException {
        Problems problems = new Problems(source, parsedAs, user.root());
        Config merged;
        try {
            // Resolving after the merge lets the user's file refer to defaults, e.g. ${switchyard.timeouts.connect}.
            merged = user.withFallback(defaults())
                    .resolve(ConfigResolveOptions.defaults()
                            .setUseSystemEnvironment(true)
                            .setAllowUnresolved(false));
        } catch (ConfigException unresolved) {
            problems.at(unresolved, "substitution");
            throw new InvalidConfigException(problems.lines());
        }
        Node root = new Node(merged.root(), KeyPath.ROOT, problems);
        root.rejectUnknownKeys(Schema.ROOT);
        Node switchyard = root.object("switchyard");
        SwitchyardConfig config = switchyard == null ? null : SwitchyardReader.read(switchyard);
        throwIfAny(problems);
        if (config == null) {
            // Every reader records a problem before returning null; reaching here is our bug.
            throw new IllegalStateException("config refused without a recorded reason");
        }
        return config;
    }

    /**
     * Our own reference.conf, found through this class rather than ConfigFactory.defaultReference(),
     * which would merge every reference.conf on the classpath (a library's keys would then pass as
     * ours, and trip the unknown-key check).
     */
    private static Config defaults() {
        URL resource = ConfigLoader.class.getResource("/reference.conf");
        if (resource == null) {
            throw new IllegalStateException("reference.conf is missing from the classpath: broken build");
        }
        return ConfigFactory.parseURL(resource, options().setOriginDescription(Problems.DEFAULTS_ORIGIN));
    }

    /** HOCON whatever the file is called, and a missing file is an error, never an empty config. */
    private static ConfigParseOptions options() {
        return ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF).setAllowMissing(false);
    }

    private static InvalidConfigException single(String source, String parsedAs, ConfigException error) {
        Problems problems = new Problems(source, parsedAs, null);
        problems.at(error, error instanceof ConfigException.Parse ? "syntax error" : null);
        return new InvalidConfigException(problems.lines());
    }

    private static void throwIfAny(Problems problems) throws InvalidConfigException {
        if (!problems.isEmpty()) {
            throw new InvalidConfigException(problems.lines());
        }
    }
}
