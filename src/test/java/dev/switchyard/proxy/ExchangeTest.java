package dev.switchyard.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.switchyard.balance.RoundRobin;
import dev.switchyard.metrics.Metrics;
import dev.switchyard.metrics.ProxyMetrics;
import dev.switchyard.upstream.Pool;
import dev.switchyard.upstream.RetryBudget;
import dev.switchyard.upstream.Server;
import io.netty.channel.Channel;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Exchange decisions that need no socket. */
class ExchangeTest {

    @Test
    void answers503AtOnceWhenThePoolHasNoUsableServer() {
        EmbeddedChannel channel = new EmbeddedChannel();
        RecordingDownstream client = new RecordingDownstream(channel);
        Pool empty =
                new Pool("web", List.<Server>of(), 1, new RoundRobin<>(() -> 0), new RetryBudget(System::nanoTime));
        ProxySettings settings = new ProxySettings(
                null, Duration.ofSeconds(1), 1024, "http", new ProxyMetrics(new Metrics(), List.of(empty)), null);
        DefaultHttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/");
        request.headers().set("Host", "x");

        Exchange exchange = Exchange.start(client, empty, settings, request);
        exchange.onRequestContent(LastHttpContent.EMPTY_LAST_CONTENT);

        assertThat(exchange.isDone()).as("no connection attempt, no waiting").isTrue();
        assertThat(client.parts).hasSize(1);
        FullHttpResponse response = (FullHttpResponse) client.parts.get(0);
        assertThat(response.status().code()).isEqualTo(503);
        assertThat(client.keepAlive)
                .as("a bodiless request keeps its connection")
                .isTrue();
        client.parts.forEach(ReferenceCountUtil::release);
        assertThat(channel.finishAndReleaseAll()).isFalse();
    }

    private static final class RecordingDownstream implements Downstream {
        final List<HttpObject> parts = new ArrayList<>();
        final Channel channel;
        Boolean keepAlive;

        RecordingDownstream(Channel channel) {
            this.channel = channel;
        }

        @Override
        public Channel channel() {
            return channel;
        }

        @Override
        public void forward(HttpObject part) {
            parts.add(part);
        }

        @Override
        public void exchangeComplete(boolean keepAlive) {
            this.keepAlive = keepAlive;
        }

        @Override
        public void abort() {}

        @Override
        public void requestBodyWanted() {}

        @Override
        public boolean closeAfterResponse() {
            return false;
        }
    }
}
