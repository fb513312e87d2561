package dev.switchyard.health;

import dev.switchyard.upstream.FailureReason;
import dev.switchyard.upstream.Server;
import dev.switchyard.upstream.Transport;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * The part every probe shares: a fresh connection on the probing loop, one deadline for the
 * whole check, exactly one result, and the connection closed afterwards. A fresh connection
 * per probe, as HAProxy does by default: a check must see what a new client would see.
 * Event-loop confined.
 */
final class ProbeConnection {

    private final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
    private final long timeoutMillis;
    private Channel channel;
    private ScheduledFuture<?> deadline;

    ProbeConnection(Duration timeout) {
        this.timeoutMillis = timeout.toMillis();
    }

    /** Connects; {@code handler} is the pipeline, {@code onConnected} runs once connected. */
    CompletableFuture<ProbeResult> open(
            Transport transport, Server server, EventLoop loop, ChannelHandler handler, Runnable onConnected) {
        deadline = loop.schedule(
                () -> finish(ProbeResult.fail("no answer within " + timeoutMillis + " ms")),
                timeoutMillis,
                TimeUnit.MILLISECONDS);
        ChannelFuture connect = new Bootstrap()
                .group(loop)
                .channel(transport.channelClass())
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.max(1, timeoutMillis))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(handler)
                .connect(server.address());
        channel = connect.channel();
        connect.addListener((ChannelFutureListener) f -> {
            if (f.isSuccess()) {
                onConnected.run();
            } else {
                finish(ProbeResult.fail(reasonOf(f.cause())));
            }
        });
        return result;
    }

    Channel channel() {
        return channel;
    }

    /** The first verdict wins; later ones (a close after a timeout) are ignored. */
    void finish(ProbeResult verdict) {
        if (result.isDone()) {
            return;
        }
        if (deadline != null) {
            deadline.cancel(false);
        }
        if (channel != null) {
            channel.close();
        }
        result.complete(verdict);
    }

    static String reasonOf(Throwable cause) {
        return FailureReason.of(cause, "failed");
    }
}
