package dev.switchyard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every refusal is checked through a real file so that the message names the file and the line
 * the user must edit. Lines are found by searching the HOCON for the offending text, so editing a
 * test's config cannot silently shift what is asserted.
 *
 * <p>Longer than 500 lines on purpose: one test per refusal the contract lists, kept in one class
 * so that it reads as that list, section by section.
 */
class ConfigLoaderTest {

    /** Smallest valid config; tests append to it or replace parts of it. */
    private static final String MINIMAL = """
            switchyard {
              listeners = [ { name = public, bind = "127.0.0.1:0" } ]
              routes = [ { pool = web } ]
              pools {
                web { servers = [ { address = "127.0.0.1:9001" } ] }
              }
            }
            """;

    @TempDir
    Path dir;

    // ---- valid input ----

    @Test
    void appliesReferenceAndPerElementDefaults() throws Exception {
        SwitchyardConfig config = load(MINIMAL);

        assertThat(config.threads())
                .as("0 stays 0: the caller maps it to the core count")
                .isZero();
        assertThat(config.transport())
                .as("the proven transport unless io_uring is asked for")
                .isEqualTo(TransportChoice.AUTO);
        assertThat(config.timeouts())
                .as("reference.conf timeouts")
                .isEqualTo(new Timeouts(
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(60),
                        Duration.ofSeconds(30),
                        Duration.ofSeconds(30)));
        assertThat(config.limits())
                .as("reference.conf limits; 16k in HOCON is 16 KiB, 100m is 100 MiB")
                .isEqualTo(new Limits(16 * 1024, 8 * 1024, 100, 100L * 1024 * 1024, 10_000, 0, 0, 100));
        assertThat(config.limits().rateLimited())
                .as("no rate limit unless asked")
                .isFalse();
        assertThat(config.routes())
                .as("route without host matches any host, prefix defaults to /")
                .containsExactly(new RouteConfig(null, "/", "web"));
        assertThat(config.pools().get("web"))
                .as("pool and server defaults, no health check")
                .isEqualTo(new PoolConfig(
                        "web",
                        "round-robin",
                        List.of(new ServerConfig(new HostPort("127.0.0.1", 9001), 1, false)),
                        1,
                        null));
        assertThat(config.admin()).as("no admin block, no admin endpoint").isNull();
    }

    @Test
    void readsEveryKeyAsWritten() throws Exception {
        SwitchyardConfig config = load("""
                switchyard {
                  threads = 4
                  transport = io_uring
                  listeners = [ { name = a, bind = "0.0.0.0:8080" }, { name = b, bind = "[::1]:8081" } ]
                  routes = [ { host = "API.example", path-prefix = "/v1/", pool = api }, { pool = web } ]
                  pools {
                    web { servers = [ { address = "10.0.0.1:80", weight = 3 }, { address = "10.0.0.2:80", backup = true } ] }
                    api { strategy = round-robin, retries = 0, servers = [ { address = "10.0.1.1:80" } ] }
                  }
                  timeouts { connect = 500ms, client-header = 5s, client-idle = 2m, upstream-response = 1m }
                  limits { max-header-size = 32k }
                }
                """);

        assertThat(config.threads()).as("threads as given").isEqualTo(4);
        assertThat(config.transport()).as("transport as given").isEqualTo(TransportChoice.IO_URING);
        assertThat(config.listeners())
                .as("listeners in file order, IPv6 bind unbracketed")
                .containsExactly(
                        new ListenerConfig("a", new HostPort("0.0.0.0", 8080)),
                        new ListenerConfig("b", new HostPort("::1", 8081)));
        assertThat(config.routes())
                .as("routes in file order, host kept as written")
                .containsExactly(new RouteConfig("API.example", "/v1/", "api"), new RouteConfig(null, "/", "web"));
        assertThat(config.pools().get("web").servers())
                .as("weight and backup per server")
                .containsExactly(
                        new ServerConfig(new HostPort("10.0.0.1", 80), 3, false),
                        new ServerConfig(new HostPort("10.0.0.2", 80), 1, true));
        assertThat(config.pools().get("api").retries())
                .as("retries = 0 disables retries")
                .isZero();
        assertThat(config.timeouts().clientIdle()).as("2m is two minutes").isEqualTo(Duration.ofMinutes(2));
        assertThat(config.limits().maxHeaderSize()).as("32k").isEqualTo(32 * 1024);
    }

    @Test
    void keepsPoolsInFileOrderAndUnmodifiable() throws Exception {
        SwitchyardConfig config = load("""
                switchyard {
                  routes = [ { path-prefix = "/z", pool = zeta }, { path-prefix = "/a", pool = alpha }, { pool = mid } ]
                  pools {
                    zeta { servers = [ { address = "127.0.0.1:9001" } ] }
                    alpha { servers = [ { address = "127.0.0.1:9002" } ] }
                    mid { servers = [ { address = "127.0.0.1:9003" } ] }
                  }
                }
                """);

        assertThat(config.pools().keySet())
                .as("file order, not hash order: logs and /status list pools so")
                .containsExactly("zeta", "alpha", "mid");
        assertThatThrownBy(() -> config.pools().remove("zeta"))
                .as("a snapshot is shared by every event loop")
                .isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> config.routes().clear())
                .as("lists are immutable too")
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void parseNamesTheOriginInErrors() {
        String hocon = MINIMAL.replace("\"127.0.0.1:9001\"", "\"127.0.0.1:9001\", weight = 0");

        assertThatThrownBy(() -> ConfigLoader.parse(hocon, "demo.conf"))
                .as("text parsed from a string is named by originName, with the real line")
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage("demo.conf:" + lineOf(hocon, "weight = 0")
                        + ": switchyard.pools.web.servers[0].weight: must be >= 1, got 0");
    }

    @Test
    void acceptsTheSampleDeploymentConfig() throws Exception {
        SwitchyardConfig config = ConfigLoader.load(Path.of("conf/switchyard.conf"));

        assertThat(config.pools().keySet())
                .as("the sample has the two pools it documents")
                .containsExactly("web", "api");
        assertThat(config.routes()).as("it routes by host").anyMatch(route -> route.host() != null);
        assertThat(config.admin())
                .as("the sample shows the admin endpoint on loopback")
                .isEqualTo(new AdminConfig(new HostPort("127.0.0.1", 9090), null));
        assertThat(config.pools().values())
                .as("and a health check on every pool")
                .allMatch(pool -> pool.healthCheck() != null);
    }

    // ---- environment and system properties ----

    @Test
    void resolvesOptionalEnvironmentSubstitutions() throws Exception {
        Map.Entry<String, String> variable = plainEnvironmentVariable();
        assumeTrue(variable != null, "needs one environment variable with a plain value");

        SwitchyardConfig config = load(MINIMAL.replace("name = public", "name = ${?" + variable.getKey() + "}")
                .replace("switchyard {", "switchyard {\n  threads = ${?SWITCHYARD_TEST_SURELY_UNSET}"));

        assertThat(config.listeners().get(0).name())
                .as("${?VAR} takes the environment's value")
                .isEqualTo(variable.getValue());
        assertThat(config.threads())
                .as("an unset ${?VAR} leaves the default in place")
                .isZero();
    }

    @Test
    void placesErrorsInEnvironmentValuesAtTheSubstitution() throws IOException {
        Map.Entry<String, String> variable = plainEnvironmentVariable();
        assumeTrue(variable != null, "needs one environment variable with a plain value");
        String hocon = MINIMAL.replace("bind = \"127.0.0.1:0\"", "bind = ${?" + variable.getKey() + "}");

        assertThat(errorsOf(hocon))
                .as("the value has no line of its own; the ${?VAR} that brought it does")
                .containsExactly(at(
                        hocon,
                        "bind",
                        "switchyard.listeners[0].bind: invalid address \"" + variable.getValue() + "\": missing port"));
    }

    @Test
    void reportsRequiredSubstitutionThatNothingSets() throws IOException {
        String hocon = MINIMAL.replace("switchyard {", "switchyard {\n  threads = ${SWITCHYARD_TEST_SURELY_UNSET}");

        assertThat(errorsOf(hocon))
                .as("an unresolvable ${VAR} is an error at its line")
                .singleElement()
                .asString()
                .startsWith(file() + ":" + lineOf(hocon, "threads") + ": substitution: ")
                .contains("${SWITCHYARD_TEST_SURELY_UNSET}");
    }

    @Test
    void ignoresSystemProperties() throws Exception {
        System.setProperty("switchyard.threads", "7");
        try {
            assertThat(load(MINIMAL).threads())
                    .as("-Dswitchyard.threads must not override the file")
                    .isZero();
        } finally {
            System.clearProperty("switchyard.threads");
        }
    }

    // ---- unknown keys ----

    @Test
    void refusesUnknownKeyInPoolSuggestingTheClosest() throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n helth-check { path = \"/\" }\n servers");

        assertThat(errorsOf(hocon))
                .as("a typo is refused with the key it was meant to be")
                .containsExactly(at(
                        hocon,
                        "helth-check",
                        "switchyard.pools.web.helth-check: unknown key; did you mean health-check?"));
    }

    @Test
    void refusesUnknownKeyInsideListElement() throws IOException {
        String hocon = MINIMAL.replace(
                "{ address = \"127.0.0.1:9001\" }",
                "{ address = \"127.0.0.1:9001\" }\n { adress = \"127.0.0.1:9002\" }");

        assertThat(errorsOf(hocon))
                .as("list elements are checked too, and the required key is missed")
                .containsExactly(
                        at(
                                hocon,
                                "adress",
                                "switchyard.pools.web.servers[1].adress: unknown key; did you mean address?"),
                        at(hocon, "adress", "switchyard.pools.web.servers[1].address: missing required key"));
    }

    @Test
    void refusesUnknownTopLevelKeyBesideSwitchyard() throws IOException {
        String hocon = MINIMAL + "metrics { port = 9100 }\n";

        assertThat(errorsOf(hocon))
                .as("only switchyard may sit at the top, no suggestion when nothing is close")
                .containsExactly(at(hocon, "metrics", "metrics: unknown key; known keys here: switchyard"));
    }

    @Test
    void refusesUnknownKeyDeepInTimeouts() throws IOException {
        String hocon = MINIMAL.replace("pools {", "timeouts { conect = 1s }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("objects merged with reference.conf are checked too")
                .containsExactly(at(hocon, "conect", "switchyard.timeouts.conect: unknown key; did you mean connect?"));
    }

    @Test
    void refusesUnknownTransportSuggestingTheClosest() throws IOException {
        String hocon = MINIMAL.replace("pools {", "transport = iouring\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a misspelt transport is refused at its line, not silently run on epoll")
                .containsExactly(at(
                        hocon,
                        "iouring",
                        "switchyard.transport: unknown transport \"iouring\"; did you mean io_uring? (valid: auto,"
                                + " epoll, io_uring, nio)"));
    }

    // ---- types, durations, sizes ----

    @Test
    void refusesRetriesThatAreNotANumber() throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n retries = \"many\"\n servers");

        assertThat(errorsOf(hocon))
                .as("wrong type names what was expected and what was written")
                .containsExactly(at(
                        hocon, "many", "switchyard.pools.web.retries: expected a whole number, got string \"many\""));
    }

    @Test
    void refusesServersThatAreNotAList() throws IOException {
        String hocon = MINIMAL.replace("servers = [ { address = \"127.0.0.1:9001\" } ]", "\n servers = 3");

        assertThat(errorsOf(hocon))
                .as("a scalar where a list belongs")
                .containsExactly(at(
                        hocon,
                        "servers = 3",
                        "switchyard.pools.web.servers: expected a list [ { ... } ], got number 3"));
    }

    @Test
    void refusesUnparsableDuration() throws IOException {
        String hocon = MINIMAL.replace("pools {", "timeouts {\n connect = 2 parsecs\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a duration with an unknown unit")
                .containsExactly(
                        at(
                                hocon,
                                "parsecs",
                                "switchyard.timeouts.connect: expected a duration such as 500ms, 2s or 1m, got string \"2 parsecs\""));
    }

    @ParameterizedTest
    @CsvSource({"0s, 0s", "-5s, -5s", "0, 0"})
    void refusesNonPositiveDuration(String written, String shown) throws IOException {
        String hocon = MINIMAL.replace("pools {", "timeouts {\n upstream-response = " + written + "\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a deadline of zero or less would fail every request")
                .containsExactly(at(
                        hocon,
                        "upstream-response",
                        "switchyard.timeouts.upstream-response: must be positive, got " + shown));
    }

    @Test
    void refusesUnparsableSize() throws IOException {
        String hocon = MINIMAL.replace("pools {", "limits { max-header-size = huge }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a size must be a number of bytes with an optional unit")
                .containsExactly(at(
                        hocon,
                        "huge",
                        "switchyard.limits.max-header-size: expected a size such as 16k or 1m, got string \"huge\""));
    }

    @ParameterizedTest
    @CsvSource({"512, 512", "2m, 2097152", "1023, 1023"})
    void refusesHeaderSizeOutsideOneKiloToOneMega(String written, long bytes) throws IOException {
        String hocon = MINIMAL.replace("pools {", "limits { max-header-size = " + written + " }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("below 1k no request fits; above 1m the limit protects nothing")
                .containsExactly(at(
                        hocon,
                        "max-header-size",
                        "switchyard.limits.max-header-size: must be between 1k"
                                + " and 1m (1024 to 1048576 bytes), got " + bytes + " bytes"));
    }

    // ---- addresses ----

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1        | missing port",
                "127.0.0.1:http   | port \"http\" is not a number",
                "127.0.0.1:70000  | port 70000 out of range 1-65535",
                "127.0.0.1:0      | port 0 out of range 1-65535",
            })
    void refusesBadServerAddress(String address, String reason) throws IOException {
        String hocon = MINIMAL.replace("{ address = \"127.0.0.1:9001\" }", "\n { address = \"" + address + "\" }");

        assertThat(errorsOf(hocon))
                .as("servers must name a real port")
                .containsExactly(at(
                        hocon,
                        "address = \"" + address,
                        "switchyard.pools.web.servers[0].address: invalid address \"" + address + "\": " + reason));
    }

    @Test
    void refusesListenerBindWithoutPortButAllowsPortZero() throws Exception {
        assertThat(load(MINIMAL).listeners().get(0).bind().port())
                .as("port 0 = ephemeral, for tests")
                .isZero();

        String hocon = MINIMAL.replace("127.0.0.1:0", "127.0.0.1");
        assertThat(errorsOf(hocon))
                .as("a bind needs a port")
                .containsExactly(
                        at(hocon, "bind", "switchyard.listeners[0].bind: invalid address \"127.0.0.1\": missing port"));
    }

    // ---- routes and pools ----

    @Test
    void refusesRouteNamingMissingPool() throws IOException {
        String hocon = MINIMAL.replace(
                "routes = [ { pool = web } ]", "routes = [\n { pool = web }\n { host = a, pool = wbe }\n ]");

        assertThat(errorsOf(hocon))
                .as("the route names its typo, the closest pool and all pools")
                .containsExactly(at(
                        hocon,
                        "wbe",
                        "switchyard.routes[1].pool: no pool named \"wbe\"; did you mean web? (pools: web)"));
    }

    @Test
    void refusesPoolThatNoRouteNames() throws IOException {
        String hocon =
                MINIMAL.replace("  }\n}", "    spare { servers = [ { address = \"127.0.0.1:9009\" } ] }\n  }\n}");

        assertThat(errorsOf(hocon))
                .as("an unused pool is a forgotten route or a leftover")
                .containsExactly(at(
                        hocon,
                        "spare",
                        "switchyard.pools.spare: no route names this pool; add a route to it or remove it"));
    }

    @Test
    void refusesPathPrefixWithoutLeadingSlash() throws IOException {
        String hocon = MINIMAL.replace("{ pool = web }", "{ path-prefix = api, pool = web }");

        assertThat(errorsOf(hocon))
                .as("request paths start with /, so this prefix matches nothing")
                .containsExactly(at(
                        hocon, "path-prefix", "switchyard.routes[0].path-prefix: must start with \"/\", got \"api\""));
    }

    @Test
    void refusesConfigWithoutRoutesAtTheSwitchyardLine() throws IOException {
        String hocon = """
                # shop
                switchyard {
                  pools { web { servers = [ { address = "127.0.0.1:9001" } ] } }
                }
                """;

        assertThat(errorsOf(hocon))
                .as("routes = [] comes from reference.conf, so blame the user's switchyard block")
                .containsExactly(at(
                        hocon,
                        "switchyard",
                        "switchyard.routes: no routes: every request would get 404;" + " add at least one route"));
    }

    @Test
    void refusesRouteThatAnEarlierRouteShadows() throws IOException {
        String hocon = MINIMAL.replace(
                "routes = [ { pool = web } ]",
                "routes = [\n { pool = web }\n { host = api.example, path-prefix = \"/v1\", pool = web }\n ]");

        assertThat(errorsOf(hocon))
                .as("first match wins, so the second route can never match")
                .containsExactly(at(
                        hocon,
                        "api.example",
                        "switchyard.routes[1]: unreachable: switchyard.routes[0] matches every request"
                                + " this route would, and the first match wins"));
    }

    @Test
    void refusesRouteHostWithPort() throws IOException {
        String hocon = MINIMAL.replace("{ pool = web }", "{ host = \"shop.example:8080\", pool = web }");

        assertThat(errorsOf(hocon))
                .as("routes ignore the request's port, so this could never match")
                .containsExactly(at(
                        hocon,
                        "host",
                        "switchyard.routes[0].host: must not include a port (routes ignore it),"
                                + " got \"shop.example:8080\""));
    }

    @Test
    void refusesPoolWithoutServers() throws IOException {
        String hocon = MINIMAL.replace("servers = [ { address = \"127.0.0.1:9001\" } ]", "\n servers = []");

        assertThat(errorsOf(hocon))
                .as("every request routed here would get 503")
                .containsExactly(at(
                        hocon, "servers = []", "switchyard.pools.web.servers: no servers: a pool needs at least one"));
    }

    @Test
    void refusesWeightBelowOne() throws IOException {
        String hocon = MINIMAL.replace(
                "{ address = \"127.0.0.1:9001\" }",
                "\n { address = \"127.0.0.1:9001\" }\n { address = \"127.0.0.1:9002\", weight = 0 }");

        assertThat(errorsOf(hocon))
                .as("the error format of the contract, to the character")
                .containsExactly(
                        at(hocon, "weight = 0", "switchyard.pools.web.servers[1].weight: must be >= 1, got 0"));
    }

    @Test
    void refusesWeightAboveTheCap() throws IOException {
        String hocon = MINIMAL.replace("\"127.0.0.1:9001\"", "\"127.0.0.1:9001\", weight = 5000");

        assertThat(errorsOf(hocon))
                .as("a schedule as long as the weights' sum must stay small")
                .containsExactly(
                        at(hocon, "weight", "switchyard.pools.web.servers[0].weight: must be <= 1000, got 5000"));
    }

    @Test
    void refusesNegativeRetries() throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n retries = -1\n servers");

        assertThat(errorsOf(hocon))
                .as("a count of extra attempts")
                .containsExactly(at(hocon, "retries", "switchyard.pools.web.retries: must be >= 0, got -1"));
    }

    @Test
    void refusesTwoServersWithOneAddressInOnePool() throws IOException {
        String hocon = MINIMAL.replace(
                "{ address = \"127.0.0.1:9001\" }",
                "\n { address = \"LOCALHOST:9001\" }\n { address = \"localhost:9001\", weight = 2 }");

        assertThat(errorsOf(hocon))
                .as("host names compare case-insensitively")
                .containsExactly(at(
                        hocon,
                        "weight = 2",
                        "switchyard.pools.web.servers[1].address: duplicate address localhost:9001,"
                                + " already at switchyard.pools.web.servers[0]"));
    }

    @Test
    void refusesUnknownStrategyListingTheValidOnes() throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n strategy = random\n servers");

        assertThat(errorsOf(hocon))
                .as("the reason lists every strategy")
                .containsExactly(
                        at(
                                hocon,
                                "random",
                                "switchyard.pools.web.strategy: unknown strategy \"random\" (valid: round-robin, least-connections)"));
    }

    // ---- listeners and threads ----

    @Test
    void refusesTwoListenersOnOneAddress() throws IOException {
        String hocon = MINIMAL.replace(
                "{ name = public, bind = \"127.0.0.1:0\" }",
                "\n { name = a, bind = \"0.0.0.0:8080\" }\n { name = b, bind = \"0.0.0.0:8080\" }");

        assertThat(errorsOf(hocon))
                .as("the second bind would fail at start with 'address in use'")
                .containsExactly(at(
                        hocon,
                        "name = b",
                        "switchyard.listeners[1].bind: duplicate address 0.0.0.0:8080,"
                                + " already bound by switchyard.listeners[0]"));
    }

    @Test
    void allowsTwoEphemeralListenersOnOneHost() throws Exception {
        String hocon = MINIMAL.replace(
                "{ name = public, bind = \"127.0.0.1:0\" }",
                "{ name = a, bind = \"127.0.0.1:0\" }, { name = b, bind = \"127.0.0.1:0\" }");

        assertThat(load(hocon).listeners())
                .as("port 0 binds two different ports")
                .hasSize(2);
    }

    @Test
    void refusesTwoListenersWithOneName() throws IOException {
        String hocon = MINIMAL.replace(
                "{ name = public, bind = \"127.0.0.1:0\" }",
                "\n { name = public, bind = \"127.0.0.1:8080\" }\n { name = public, bind = \"127.0.0.1:8081\" }");

        assertThat(errorsOf(hocon))
                .as("names label logs and metrics")
                .containsExactly(at(
                        hocon,
                        "8081",
                        "switchyard.listeners[1].name: duplicate name \"public\", already at switchyard.listeners[0]"));
    }

    @Test
    void refusesEmptyListenerList() throws IOException {
        String hocon = MINIMAL.replace("listeners = [ { name = public, bind = \"127.0.0.1:0\" } ]", "listeners = []");

        assertThat(errorsOf(hocon))
                .as("a proxy nobody can connect to")
                .containsExactly(at(hocon, "listeners", "switchyard.listeners: no listeners: add at least one"));
    }

    @Test
    void refusesNegativeThreads() throws IOException {
        String hocon = MINIMAL.replace("switchyard {", "switchyard {\n  threads = -2");

        assertThat(errorsOf(hocon))
                .as("0 means one per core; below that means nothing")
                .containsExactly(at(hocon, "threads", "switchyard.threads: must be >= 0 (0 = one per core), got -2"));
    }

    // ---- admin endpoint ----

    @Test
    void readsAdminBind() throws Exception {
        String hocon = MINIMAL.replace("pools {", "admin { bind = \"127.0.0.1:9090\" }\n  pools {");

        assertThat(load(hocon).admin())
                .as("the admin block as written")
                .isEqualTo(new AdminConfig(new HostPort("127.0.0.1", 9090), null));
    }

    @Test
    void allowsAdminOnPortZeroBesideAnEphemeralListener() throws Exception {
        String hocon = MINIMAL.replace("pools {", "admin { bind = \"127.0.0.1:0\" }\n  pools {");

        assertThat(load(hocon).admin().bind().port())
                .as("port 0 binds a port of its own, as in tests")
                .isZero();
    }

    @Test
    void refusesAdminBindWithoutPort() throws IOException {
        String hocon = MINIMAL.replace("pools {", "admin {\n bind = \"127.0.0.1\"\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("validated like a listener's bind")
                .containsExactly(at(
                        hocon,
                        "bind = \"127.0.0.1\"",
                        "switchyard.admin.bind: invalid address \"127.0.0.1\": missing port"));
    }

    @Test
    void refusesAdminBindOnAListenersAddress() throws IOException {
        String hocon = MINIMAL.replace("127.0.0.1:0", "localhost:8080")
                .replace("pools {", "admin {\n bind = \"LOCALHOST:8080\"\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("one of the two would fail with 'address in use'; hosts compare" + " case-insensitively")
                .containsExactly(
                        at(
                                hocon,
                                "LOCALHOST:8080",
                                "switchyard.admin.bind: duplicate address LOCALHOST:8080, already bound by switchyard.listeners[0]"));
    }

    @Test
    void bindsAdminToLoopbackWhenTheBlockNamesNoAddress() throws Exception {
        String hocon = MINIMAL.replace("pools {", "admin {}\n  pools {");

        assertThat(load(hocon).admin())
                .as("an admin block without bind listens on loopback only")
                .isEqualTo(new AdminConfig(new HostPort("127.0.0.1", 9090), null));
    }

    @Test
    void readsAdminTokenAndKeepsItOutOfToString() throws Exception {
        String hocon = MINIMAL.replace(
                "pools {", "admin { bind = \"0.0.0.0:0\", token = \"s3cret-s3cret-s3cret\" }\n  pools {");

        AdminConfig admin = load(hocon).admin();

        assertThat(admin.token()).as("the token as written").isEqualTo("s3cret-s3cret-s3cret");
        assertThat(admin.toString()).as("a printed config must not leak it").doesNotContain("s3cret");
    }

    @Test
    void refusesNonLoopbackAdminWithoutToken() throws IOException {
        String hocon = MINIMAL.replace("pools {", "admin {\n bind = \"0.0.0.0:9090\"\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("anyone reaching the port could drain servers or reload; the error says how to fix it")
                .containsExactly(at(
                        hocon,
                        "0.0.0.0:9090",
                        "switchyard.admin.bind: 0.0.0.0:9090 is not a loopback address, so the admin endpoint"
                                + " needs a token: set admin.token (e.g. token = ${?SWITCHYARD_ADMIN_TOKEN}) or bind"
                                + " to 127.0.0.1"));
    }

    @Test
    void refusesAShortAdminToken() throws IOException {
        String hocon = MINIMAL.replace("pools {", "admin {\n token = \"abc\"\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a guessable secret is no secret")
                .containsExactly(at(
                        hocon,
                        "token = \"abc\"",
                        "switchyard.admin.token: must be at least 16 characters to be a secret, got 3"));
    }

    @Test
    void readsEveryLimit() throws Exception {
        String hocon = MINIMAL.replace("pools {", """
                limits {
                    max-uri-length = 2k, max-header-count = 50, max-body-size = 1m, max-connections = 0
                    max-connections-per-ip = 20, rate-per-ip = 5, burst = 10
                  }
                  timeouts { client-body = 5s }
                  pools {""");

        SwitchyardConfig config = load(hocon);

        assertThat(config.limits())
                .as("each limit as written, the head size from reference.conf")
                .isEqualTo(new Limits(16 * 1024, 2048, 50, 1024 * 1024, 0, 20, 5, 10));
        assertThat(config.limits().rateLimited()).isTrue();
        assertThat(config.timeouts().clientBody()).isEqualTo(Duration.ofSeconds(5));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "max-uri-length = 100 | switchyard.limits.max-uri-length: must be between 256 and 1m (256 to 1048576 bytes), got 100 bytes",
                "max-header-count = 0 | switchyard.limits.max-header-count: must be between 1 and 10000, got 0",
                "max-body-size = -1 | switchyard.limits.max-body-size: expected a size such as 16k or 1m, got number -1",
                "max-connections = -1 | switchyard.limits.max-connections: must be >= 0 (0 = no limit), got -1",
                "max-connections-per-ip = -5 | switchyard.limits.max-connections-per-ip: must be >= 0 (0 = no limit), got -5",
                "rate-per-ip = 2000000 | switchyard.limits.rate-per-ip: must be between 0 and 1000000, got 2000000",
                "burst = 0 | switchyard.limits.burst: must be between 1 and 1000000, got 0",
            })
    void refusesLimitsOutOfRange(String line, String error) throws IOException {
        String hocon = MINIMAL.replace("pools {", "limits {\n " + line + "\n }\n  pools {");

        assertThat(errorsOf(hocon)).as(line).containsExactly(at(hocon, line, error));
    }

    // ---- access log ----

    @Test
    void appliesAccessLogDefaultsWhenTheBlockIsAbsent() throws Exception {
        assertThat(load(MINIMAL).accessLog())
                .as("reference.conf: off, text lines to stdout, 64 Ki lines queued")
                .isEqualTo(new AccessLogConfig(false, "text", "stdout", 65536));
    }

    @Test
    void readsEveryAccessLogKeyAsWritten() throws Exception {
        Path log = dir.resolve("access.log");
        String hocon = MINIMAL.replace(
                "pools {",
                "access-log {\n enabled = true\n format = json\n output = \"" + log
                        + "\"\n queue-size = 16777216\n }\n  pools {");

        assertThat(load(hocon).accessLog())
                .as("every key as written, the largest queue included")
                .isEqualTo(new AccessLogConfig(true, "json", log.toString(), 16777216));
        assertThat(log)
                .as("validation creates no file: --check must leave nothing behind")
                .doesNotExist();
    }

    @Test
    void keepsTheOtherAccessLogDefaultsInAPartialBlock() throws Exception {
        String hocon = MINIMAL.replace("pools {", "access-log { enabled = true, queue-size = 1024 }\n  pools {");

        assertThat(load(hocon).accessLog())
                .as("each key falls back to reference.conf on its own")
                .isEqualTo(new AccessLogConfig(true, "text", "stdout", 1024));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "xml | unknown format \"xml\" (valid: text, json)",
                "jsn | unknown format \"jsn\"; did you mean json? (valid: text, json)",
            })
    void refusesUnknownAccessLogFormatListingTheValidOnes(String format, String reason) throws IOException {
        String hocon = MINIMAL.replace("pools {", "access-log {\n format = " + format + "\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("the reason lists every format")
                .containsExactly(at(hocon, "format", "switchyard.access-log.format: " + reason));
    }

    @ParameterizedTest
    @CsvSource({"1023", "16777217", "0", "-1"})
    void refusesQueueSizeOutsideItsRange(int size) throws IOException {
        String hocon = MINIMAL.replace("pools {", "access-log {\n queue-size = " + size + "\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("too small drops lines in any burst, too large hoards heap")
                .containsExactly(at(
                        hocon,
                        "queue-size",
                        "switchyard.access-log.queue-size: must be between 1024 and 16777216, got " + size));
    }

    @Test
    void refusesOutputInADirectoryThatDoesNotExist() throws IOException {
        Path missing = dir.resolve("no-such");
        String hocon = MINIMAL.replace(
                "pools {", "access-log {\n output = \"" + missing.resolve("access.log") + "\"\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("checked even while the log is off, so turning it on cannot fail at start")
                .containsExactly(at(
                        hocon,
                        "output",
                        "switchyard.access-log.output: directory " + missing
                                + " does not exist; Switchyard creates the log file, not its directory"));
        assertThat(missing).as("validation creates nothing").doesNotExist();
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(
            delimiter = '|',
            value = {
                "''   | must not be empty; write stdout or a file path",
                "'  ' | must not be empty; write stdout or a file path",
                "a\\u0000b | not a file path: Nul character not allowed",
            })
    void refusesOutputThatIsNotAFilePath(String output, String reason) throws IOException {
        String hocon = MINIMAL.replace("pools {", "access-log {\n output = \"" + output + "\"\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("output is stdout or a file")
                .containsExactly(at(hocon, "output", "switchyard.access-log.output: " + reason));
    }

    @Test
    void refusesOutputThatIsADirectory() throws IOException {
        String hocon = MINIMAL.replace("pools {", "access-log {\n output = \"" + dir + "\"\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a directory cannot be appended to")
                .containsExactly(at(
                        hocon,
                        "output",
                        "switchyard.access-log.output: \"" + dir + "\" is a directory; name a file in it"));
    }

    @Test
    void refusesAccessLogEnabledThatIsNotABoolean() throws IOException {
        String hocon = MINIMAL.replace("pools {", "access-log {\n enabled = maybe\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a switch is true or false")
                .containsExactly(at(
                        hocon, "maybe", "switchyard.access-log.enabled: expected true or false, got string \"maybe\""));
    }

    @Test
    void refusesAccessLogThatIsNotAnObject() throws IOException {
        String hocon = MINIMAL.replace("pools {", "access-log = true\n  pools {");

        assertThat(errorsOf(hocon))
                .as("refused, never read as 'the defaults'")
                .containsExactly(
                        at(hocon, "access-log", "switchyard.access-log: expected an object { ... }, got boolean true"));
    }

    @Test
    void refusesUnknownKeyInAccessLog() throws IOException {
        String hocon = MINIMAL.replace("pools {", "access-log {\n fromat = json\n }\n  pools {");

        assertThat(errorsOf(hocon))
                .as("a block merged with reference.conf is checked too")
                .containsExactly(
                        at(hocon, "fromat", "switchyard.access-log.fromat: unknown key; did you mean format?"));
    }

    @Test
    void reportsEveryAccessLogMistakeAtOnce() throws IOException {
        String hocon = MINIMAL.replace("pools {", """
                access-log {
                    enabled = 2
                    format = csv
                    output = ""
                    queue-size = 10
                  }
                  pools {""");

        assertThat(errorsOf(hocon))
                .as("every key checked, each mistake at its line")
                .containsExactly(
                        at(hocon, "enabled", "switchyard.access-log.enabled: expected true or false, got number 2"),
                        at(hocon, "csv", "switchyard.access-log.format: unknown format \"csv\" (valid: text, json)"),
                        at(
                                hocon,
                                "output",
                                "switchyard.access-log.output: must not be empty; write stdout or a file path"),
                        at(
                                hocon,
                                "queue-size",
                                "switchyard.access-log.queue-size: must be between 1024 and 16777216," + " got 10"));
    }

    // ---- strategies ----

    @Test
    void acceptsLeastConnections() throws Exception {
        String hocon = MINIMAL.replace("web { servers", "web {\n strategy = least-connections\n servers");

        assertThat(load(hocon).pools().get("web").strategy())
                .as("a contract value, now implemented")
                .isEqualTo("least-connections");
    }

    // ---- health checks ----

    @Test
    void appliesEveryDefaultToAnEmptyHealthCheck() throws Exception {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check = {}\n servers");

        assertThat(load(hocon).pools().get("web").healthCheck())
                .as("{} means an HTTP check with all defaults")
                .isEqualTo(new HealthCheckConfig(
                        "http", "/health", null, Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, List.of()));
    }

    @Test
    void readsEveryHealthCheckKeyAsWritten() throws Exception {
        String hocon = MINIMAL.replace("web { servers", """
                web {
                    health-check {
                      type = http
                      path = "/ready?deep=1"
                      host = "shop.example:8080"
                      interval = 5s
                      timeout = 500ms
                      healthy-threshold = 1
                      unhealthy-threshold = 5
                      expected-statuses = [ 200, 204 ]
                    }
                    servers""");

        assertThat(load(hocon).pools().get("web").healthCheck())
                .as("every key as written, statuses in file order")
                .isEqualTo(new HealthCheckConfig(
                        "http",
                        "/ready?deep=1",
                        "shop.example:8080",
                        Duration.ofSeconds(5),
                        Duration.ofMillis(500),
                        1,
                        5,
                        List.of(200, 204)));
    }

    @Test
    void readsTcpHealthCheckWithTimeoutEqualToInterval() throws Exception {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check { type = tcp, interval = 1s }\n servers");

        assertThat(load(hocon).pools().get("web").healthCheck())
                .as("a timeout as long as the interval is allowed")
                .isEqualTo(new HealthCheckConfig(
                        "tcp", "/health", null, Duration.ofSeconds(1), Duration.ofSeconds(1), 2, 3, List.of()));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "grpc | unknown type \"grpc\" (valid: http, tcp)",
                "htp  | unknown type \"htp\"; did you mean http? (valid: http, tcp)",
            })
    void refusesUnknownHealthCheckTypeListingTheValidOnes(String type, String reason) throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check { type = " + type + " }\n servers");

        assertThat(errorsOf(hocon))
                .as("the reason lists every type")
                .containsExactly(at(hocon, "type", "switchyard.pools.web.health-check.type: " + reason));
    }

    @Test
    void refusesTimeoutAboveInterval() throws IOException {
        String hocon =
                MINIMAL.replace("web { servers", "web {\n health-check {\n interval = 1s\n timeout = 2s\n }\n servers");

        assertThat(errorsOf(hocon))
                .as("probes would overlap")
                .containsExactly(at(
                        hocon,
                        "timeout",
                        "switchyard.pools.web.health-check.timeout: must not exceed interval (1000ms), got 2000ms"));
    }

    @Test
    void refusesShortIntervalUnderTheDefaultTimeoutAtTheBlock() throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check {\n interval = 500ms\n }\n servers");

        assertThat(errorsOf(hocon))
                .as("the user never wrote a timeout: say it is the default's")
                .containsExactly(
                        at(
                                hocon,
                                "health-check",
                                "switchyard.pools.web.health-check.timeout: the default"
                                        + " timeout (1000ms) exceeds interval (500ms); write a timeout of at most the interval"));
    }

    @ParameterizedTest
    @CsvSource({"healthy-threshold", "unhealthy-threshold"})
    void refusesThresholdZero(String key) throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check {\n " + key + " = 0\n }\n servers");

        assertThat(errorsOf(hocon))
                .as("0 would flip the state without any probe")
                .containsExactly(at(hocon, key, "switchyard.pools.web.health-check." + key + ": must be >= 1, got 0"));
    }

    @Test
    void refusesExpectedStatusOutsideTheHttpRange() throws IOException {
        String hocon = MINIMAL.replace(
                "web { servers", "web {\n health-check {\n expected-statuses = [\n 200\n 700\n 99\n ]\n }\n servers");

        assertThat(errorsOf(hocon))
                .as("each bad status at its own line, by index")
                .containsExactly(
                        at(
                                hocon,
                                "700",
                                "switchyard.pools.web.health-check.expected-statuses[1]: must be between 100 and 599,"
                                        + " got 700"),
                        at(
                                hocon,
                                "99",
                                "switchyard.pools.web.health-check.expected-statuses[2]: must be between 100 and 599,"
                                        + " got 99"));
    }

    @Test
    void refusesExpectedStatusesThatAreNotWholeNumbers() throws IOException {
        String single =
                MINIMAL.replace("web { servers", "web {\n health-check {\n expected-statuses = 200\n }\n servers");
        String word =
                MINIMAL.replace("web { servers", "web {\n health-check {\n expected-statuses = [ ok ]\n }\n servers");

        assertThat(errorsOf(single))
                .as("one status is still written as a list")
                .containsExactly(at(
                        single,
                        "expected-statuses",
                        "switchyard.pools.web.health-check.expected-statuses: expected a list of whole"
                                + " numbers [ ... ], got number 200"));
        assertThat(errorsOf(word))
                .as("an element of the wrong type")
                .containsExactly(
                        at(
                                word,
                                "ok",
                                "switchyard.pools.web.health-check.expected-statuses[0]: expected a whole number, got string \"ok\""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "health     | must start with \"/\", got \"health\"",
                "/a b       | must not contain spaces or control characters, got \"/a b\"",
            })
    void refusesProbePathThatIsNotARequestTarget(String path, String reason) throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check { path = \"" + path + "\" }\n servers");

        assertThat(errorsOf(hocon))
                .as("the probe sends path as the request target")
                .containsExactly(at(hocon, "path", "switchyard.pools.web.health-check.path: " + reason));
    }

    @ParameterizedTest(name = "\"{0}\"")
    @CsvSource(
            delimiter = '|',
            value = {
                "''            | must not be empty; leave host out to send the server's address",
                "shop.example/ | not a host name: \"shop.example/\"",
                "'a b'         | not a host name: \"a b\"",
            })
    void refusesProbeHostThatIsNotAHostHeader(String host, String reason) throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check { host = \"" + host + "\" }\n servers");

        assertThat(errorsOf(hocon))
                .as("host is sent as the probe's Host header")
                .containsExactly(at(hocon, "host", "switchyard.pools.web.health-check.host: " + reason));
    }

    @Test
    void reportsEveryHealthCheckMistakeAtOnce() throws IOException {
        String hocon = MINIMAL.replace("web { servers", """
                web {
                    health-check {
                      path = health
                      interval = soon
                      timeout = 1s
                      healthy-threshold = two
                      unhealthy-threshold = 3
                    }
                    servers""");

        assertThat(errorsOf(hocon))
                .as("every key checked, each mistake at its line")
                .containsExactly(
                        at(
                                hocon,
                                "path = health",
                                "switchyard.pools.web.health-check.path: must start with \"/\", got \"health\""),
                        at(
                                hocon,
                                "soon",
                                "switchyard.pools.web.health-check.interval: expected a duration such as 500ms,"
                                        + " 2s or 1m, got string \"soon\""),
                        at(
                                hocon,
                                "two",
                                "switchyard.pools.web.health-check.healthy-threshold: expected a whole number,"
                                        + " got string \"two\""));
    }

    @Test
    void refusesHealthCheckThatIsNotAnObject() throws IOException {
        String hocon = MINIMAL.replace("web { servers", "web {\n health-check = true\n servers");

        assertThat(errorsOf(hocon))
                .as("refused, never read as 'no health check'")
                .containsExactly(at(
                        hocon,
                        "health-check",
                        "switchyard.pools.web.health-check: expected an object { ... }, got boolean true"));
    }

    // ---- not supported yet ----

    @Test
    void refusesListenerTls() throws IOException {
        String hocon = MINIMAL.replace(
                "{ name = public, bind = \"127.0.0.1:0\" }",
                "{ name = public, bind = \"127.0.0.1:0\"\n tls { cert = \"c.pem\" } }");

        assertThat(errorsOf(hocon))
                .as("tls is checked, then refused")
                .containsExactly(
                        at(hocon, "tls", "switchyard.listeners[0].tls.key: missing required key"),
                        at(
                                hocon,
                                "tls",
                                "switchyard.listeners[0].tls: not supported yet: TLS on a listener;"
                                        + " terminate TLS in front of Switchyard for now"));
    }

    // ---- the file itself ----

    @Test
    void reportsSyntaxErrorAtItsLine() throws IOException {
        String hocon = MINIMAL.replace("\"127.0.0.1:9001\"", "127.0.0.1:9001");

        assertThat(errorsOf(hocon))
                .as("an unquoted host:port is the classic HOCON slip")
                .singleElement()
                .asString()
                .startsWith(at(hocon, "127.0.0.1:9001", "syntax error: "))
                .contains("double quotes");
    }

    @Test
    void reportsMissingFile() {
        Path missing = dir.resolve("nope.conf");

        assertThatThrownBy(() -> ConfigLoader.load(missing))
                .as("a missing file is an error, never an empty config")
                .isInstanceOf(InvalidConfigException.class)
                .hasMessage(missing + ": file not found");
    }

    @Test
    void collectsEveryErrorInFileOrder() throws IOException {
        String hocon = """
                switchyard {
                  threads = -1
                  listeners = [ { name = public, bind = "127.0.0.1:0", colour = blue } ]
                  routes = [ { pool = web } ]
                  pools {
                    web { servers = [ { address = "127.0.0.1:9001", weight = 0 } ], retries = -1 }
                  }
                }
                """;

        InvalidConfigException refused = refusal(hocon);
        assertThat(refused.errors())
                .as("every problem at once, top to bottom")
                .containsExactly(
                        at(hocon, "threads", "switchyard.threads: must be >= 0 (0 = one per core), got -1"),
                        at(
                                hocon,
                                "colour",
                                "switchyard.listeners[0].colour: unknown key; known keys here: name, bind, tls"),
                        at(hocon, "weight", "switchyard.pools.web.servers[0].weight: must be >= 1, got 0"),
                        at(hocon, "retries", "switchyard.pools.web.retries: must be >= 0, got -1"));
        assertThat(refused.getMessage())
                .as("the message is the errors, one per line")
                .isEqualTo(String.join("\n", refused.errors()));
    }

    @Test
    void placesErrorsOfIncludedFilesInThoseFiles() throws IOException {
        Path pools = Files.writeString(
                dir.resolve("pools.conf"),
                "switchyard.pools.web {\n  servers = [ { address = \"127.0.0.1:9001\", wieght = 2 } ]\n}\n");
        String hocon = """
                include "pools.conf"
                switchyard.routes = [ { pool = web } ]
                """;

        assertThat(errorsOf(hocon))
                .as("an include is resolved next to the including file, and blamed itself")
                .containsExactly(
                        pools + ":2: switchyard.pools.web.servers[0].wieght: unknown key; did you mean weight?");
    }

    @Test
    void refusesExplicitNullInsteadOfTakingTheDefault() throws IOException {
        String hocon = MINIMAL.replace("{ pool = web }", "{ host = null, pool = web }");

        assertThat(errorsOf(hocon))
                .as("null is not 'absent': the reader says what it found")
                .containsExactly(at(hocon, "host = null", "switchyard.routes[0].host: expected a string, got null"));
    }

    // ---- helpers ----

    /** An environment variable whose value is safe to splice into HOCON, or null. */
    private static Map.Entry<String, String> plainEnvironmentVariable() {
        return System.getenv().entrySet().stream()
                .filter(e ->
                        e.getKey().matches("[A-Z_][A-Z0-9_]*") && e.getValue().matches("[A-Za-z0-9._-]+"))
                .findFirst()
                .orElse(null);
    }

    private Path file() {
        return dir.resolve("shop.conf");
    }

    private SwitchyardConfig load(String hocon) throws IOException, InvalidConfigException {
        return ConfigLoader.load(Files.writeString(file(), hocon));
    }

    private InvalidConfigException refusal(String hocon) throws IOException {
        try {
            load(hocon);
        } catch (InvalidConfigException expected) {
            return expected;
        }
        return fail("expected the config to be refused:%n%s", hocon);
    }

    private List<String> errorsOf(String hocon) throws IOException {
        return refusal(hocon).errors();
    }

    /** The expected error line: the temp file, the line holding marker, then the rest. */
    private String at(String hocon, String marker, String rest) {
        return file() + ":" + lineOf(hocon, marker) + ": " + rest;
    }

    private static int lineOf(String hocon, String marker) {
        String[] lines = hocon.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].contains(marker)) {
                return i + 1;
            }
        }
        throw new IllegalArgumentException("no line contains " + marker);
    }
}
