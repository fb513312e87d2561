package dev.switchyard.upstream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.switchyard.testkit.ProxyFixture;
import dev.switchyard.testkit.RawHttp;
import dev.switchyard.testkit.TestBackend;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code transport} key picks what runs, and each choice carries traffic. The full data-path
 * suite runs on the default and again on epoll in failsafe's {@code it-epoll} execution; this
 * class checks the choice itself, so it stays out of that run (its property would override every
 * choice here).
 */
class TransportIT {

    private static final String NATIVE_OR_NIO = Epoll.isAvailable() ? "epoll" : "nio";

    /** Skipped, not failed, when a developer's -Dit.test names this class in the io_uring run too. */
    @BeforeEach
    void notOverridden() {
        assumeTrue(System.getProperty(ProxyFixture.TRANSPORT_PROPERTY) == null, "transport forced for the whole run");
    }

    @Test
    void runsIoUringWhereTheHostAllowsItAndTheDefaultOtherwise() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("transport = io_uring", backend)) {
            assertThat(proxy.switchyard().transportName())
                    .as(
                            "io_uring when this host allows it (%s), else a warning and the default",
                            IoUring.isAvailable() ? "it does" : IoUring.unavailabilityCause())
                    .isEqualTo(IoUring.isAvailable() ? "io_uring" : NATIVE_OR_NIO);
            assertServes(proxy);
        }
    }

    /**
     * More large answers at once than one loop's upstream receive ring holds (16 buffers of
     * 64 KiB on io_uring), with small ones between them sharing its buffers: every body arrives
     * whole, whether the kernel ran out of ring buffers or not.
     */
    @Test
    void manyAnswersAtOnceArriveWholeOnIoUring() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("transport = io_uring\nthreads = 1", backend)) {
            int size = 300_000;
            List<CompletableFuture<HttpResponse<byte[]>>> downloads = new ArrayList<>();
            List<CompletableFuture<HttpResponse<String>>> small = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                downloads.add(proxy.client()
                        .sendAsync(
                                HttpRequest.newBuilder(proxy.uri("/download?bytes=" + (size + i)))
                                        .build(),
                                HttpResponse.BodyHandlers.ofByteArray()));
                small.add(proxy.client()
                        .sendAsync(
                                HttpRequest.newBuilder(proxy.uri("/plain-" + i)).build(),
                                HttpResponse.BodyHandlers.ofString()));
            }
            for (int i = 0; i < downloads.size(); i++) {
                HttpResponse<byte[]> download = downloads.get(i).get(30, TimeUnit.SECONDS);
                assertThat(download.statusCode()).as("download %d", i).isEqualTo(200);
                assertThat(download.body()).as("download %d", i).isEqualTo(TestBackend.downloadBytes(size + i));
                HttpResponse<String> plain = small.get(i).get(30, TimeUnit.SECONDS);
                assertThat(plain.statusCode()).as("small %d", i).isEqualTo(200);
                assertThat(plain.body()).as("small %d", i).isEqualTo("s1\n");
            }
        }
    }

    @Test
    void runsIoUringByDefaultWhereTheKernelHasIncrementalRingsAndEpollOtherwise() throws Exception {
        boolean ioUring = IoUring.isAvailable() && IoUring.isRegisterBufferRingIncSupported();
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("", backend)) {
            assertThat(proxy.switchyard().transportName())
                    .as(
                            "io_uring where this host allows it with incremental buffer rings (%s)",
                            IoUring.isAvailable() ? "allowed" : IoUring.unavailabilityCause())
                    .isEqualTo(ioUring ? "io_uring" : NATIVE_OR_NIO);
            assertServes(proxy);
        }
    }

    @Test
    void runsEpollWhenAsked() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("transport = epoll", backend)) {
            assertThat(proxy.switchyard().transportName()).isEqualTo(NATIVE_OR_NIO);
            assertServes(proxy);
        }
    }

    @Test
    void runsNioWhenAsked() throws Exception {
        try (TestBackend backend = TestBackend.start("s1");
                ProxyFixture proxy = ProxyFixture.inFrontOf("transport = nio", backend)) {
            assertThat(proxy.switchyard().transportName()).isEqualTo("nio");
            assertServes(proxy);
        }
    }

    /** Keep-alive on one client connection, and a body larger than any one read or write. */
    private static void assertServes(ProxyFixture proxy) throws Exception {
        try (RawHttp client = proxy.raw()) {
            for (int i = 0; i < 20; i++) {
                client.send("GET /plain-" + i + " HTTP/1.1\r\nHost: x\r\n\r\n");
                RawHttp.Response response = client.read();
                assertThat(response.status())
                        .as("request %d on one connection", i)
                        .isEqualTo(200);
                assertThat(response.text()).isEqualTo("s1\n");
            }
        }
        int size = 3 * 1024 * 1024 + 17;
        HttpResponse<byte[]> download = proxy.client()
                .send(
                        HttpRequest.newBuilder(proxy.uri("/download?bytes=" + size))
                                .build(),
                        HttpResponse.BodyHandlers.ofByteArray());
        assertThat(download.statusCode()).isEqualTo(200);
        assertThat(download.body()).isEqualTo(TestBackend.downloadBytes(size));
    }
}
