package dev.switchyard.frontend;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The open-connection counts, with channels that only pretend to come from an address; the
 * pipeline's release at close is {@link FrontendSetupHandlerTest}'s and ConnectionLimitsIT's.
 */
class ConnectionLimiterTest {

    private final ConnectionLimiter limiter = new ConnectionLimiter();

    @Test
    void refusesPastTheListenerLimitAndCountsOutOnClose() throws Exception {
        AtomicInteger open = limiter.listener("public");
        Channel a = from(1);
        Channel b = from(2);
        assertThat(limiter.admit(a, open, 2, 0)).isNull();
        assertThat(limiter.admit(b, open, 2, 0)).isNull();
        assertThat(limiter.admit(from(3), open, 2, 0)).isEqualTo(ConnectionLimiter.Refusal.LISTENER_LIMIT);
        assertThat(open.get()).isEqualTo(2);
        limiter.release(a, open);
        assertThat(open.get()).isEqualTo(1);
        assertThat(limiter.admit(from(3), open, 2, 0))
                .as("a close frees a slot")
                .isNull();
        assertThat(limiter.listener("public")).as("one count per listener name").isSameAs(open);
    }

    @Test
    void refusesPastTheAddressLimitAcrossListenersAndForgetsAnAddressAtZero() throws Exception {
        Channel first = from(7);
        Channel second = from(7);
        assertThat(limiter.admit(first, limiter.listener("public"), 0, 2)).isNull();
        assertThat(limiter.admit(second, limiter.listener("second"), 0, 2)).isNull();
        assertThat(limiter.admit(from(7), limiter.listener("public"), 0, 2))
                .isEqualTo(ConnectionLimiter.Refusal.IP_LIMIT);
        assertThat(limiter.listener("public").get())
                .as("a refusal by address gives the listener slot back")
                .isEqualTo(1);
        assertThat(limiter.admit(from(8), limiter.listener("public"), 0, 2)).isNull();
        assertThat(limiter.openFrom(address(7))).isEqualTo(2);

        limiter.release(first, limiter.listener("public"));
        limiter.release(second, limiter.listener("second"));
        assertThat(limiter.openFrom(address(7))).isZero();
        assertThat(limiter.addresses())
                .as("only the address with an open connection is kept")
                .isEqualTo(1);
    }

    @Test
    void concurrentOpensAndClosesOfOneAddressLeaveNothingBehind() throws Exception {
        AtomicInteger open = limiter.listener("public");
        ExecutorService threads = Executors.newFixedThreadPool(4);
        try {
            List<Future<Integer>> refusals = new ArrayList<>();
            for (int t = 0; t < 4; t++) {
                refusals.add(threads.submit(() -> {
                    int refused = 0;
                    for (int i = 0; i < 5_000; i++) {
                        Channel channel = from(42);
                        if (limiter.admit(channel, open, 0, 3) != null) {
                            refused++;
                        } else {
                            limiter.release(channel, open);
                        }
                    }
                    return refused;
                }));
            }
            for (Future<Integer> refused : refusals) {
                // 4 threads, each holding at most one: a limit of 3 may refuse some, never all.
                assertThat(refused.get(60, TimeUnit.SECONDS)).isLessThan(5_000);
            }
        } finally {
            threads.shutdownNow();
        }
        assertThat(open.get()).as("every admitted channel was counted out").isZero();
        assertThat(limiter.openFrom(address(42))).isZero();
        assertThat(limiter.addresses()).as("the address left the table").isZero();
    }

    private static Channel from(int host) throws Exception {
        InetSocketAddress remote = new InetSocketAddress(address(host), 40_000);
        return new EmbeddedChannel() {
            @Override
            protected SocketAddress remoteAddress0() {
                return remote;
            }
        };
    }

    private static InetAddress address(int host) throws Exception {
        return InetAddress.getByAddress(new byte[] {10, 0, 0, (byte) host});
    }
}
