package dev.switchyard.frontend;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The client connections open now, kept for shutdown: one identity set per event loop, changed
 * only on that loop. A connection's add and remove touch nothing another loop writes.
 *
 * <p>Netty's {@code DefaultChannelGroup} did this with one concurrent map shared by every loop
 * and a close-future listener per connection: a put, a listener and a remove, 2 % of the loops'
 * JFR samples with a new connection per request (bench/README.md, "nineteenth round"). Here
 * the connection's first handler removes it in {@code channelInactive}, which fires once per
 * channel, on its loop.
 *
 * <p>Counts are read from any thread. Visiting the channels ({@link #forEach}, {@link #closeAll})
 * runs a task on each loop, so it sees each set from its own thread.
 */
final class ClientChannels {

    private final ConcurrentHashMap<EventLoop, LoopChannels> byLoop = new ConcurrentHashMap<>();

    /** On {@code channel}'s event loop. */
    void add(Channel channel) {
        EventLoop loop = channel.eventLoop();
        assert loop.inEventLoop();
        byLoop.computeIfAbsent(loop, l -> new LoopChannels()).add(channel);
    }

    /** On {@code channel}'s event loop; a channel never added is ignored. */
    void remove(Channel channel) {
        EventLoop loop = channel.eventLoop();
        assert loop.inEventLoop();
        LoopChannels channels = byLoop.get(loop);
        if (channels != null) {
            channels.remove(channel);
        }
    }

    /** Client connections open now, over all loops. */
    int size() {
        int size = 0;
        for (LoopChannels channels : byLoop.values()) {
            size += channels.size;
        }
        return size;
    }

    /**
     * Runs {@code action} on every open channel, on that channel's loop, and returns at once.
     * Loops already shutting down are skipped: their channels are closed with them.
     */
    void forEach(Consumer<Channel> action) {
        byLoop.forEach((loop, channels) -> {
            if (!loop.isShuttingDown()) {
                loop.execute(() -> channels.snapshot().forEach(action));
            }
        });
    }

    /**
     * Closes every open channel on its loop. Each returned future completes when its loop has
     * closed all of its channels, with their close futures.
     */
    List<Future<List<ChannelFuture>>> closeAll() {
        List<Future<List<ChannelFuture>>> done = new ArrayList<>();
        byLoop.forEach((loop, channels) -> {
            if (!loop.isShuttingDown()) {
                done.add(loop.submit(() -> {
                    List<ChannelFuture> closed = new ArrayList<>();
                    channels.snapshot().forEach(channel -> closed.add(channel.close()));
                    return closed;
                }));
            }
        });
        return done;
    }

    /** Event-loop confined, but for {@code size}, which any thread may read. */
    private static final class LoopChannels {
        private final Set<Channel> open = Collections.newSetFromMap(new IdentityHashMap<>());
        private volatile int size;

        void add(Channel channel) {
            open.add(channel);
            size = open.size();
        }

        void remove(Channel channel) {
            if (open.remove(channel)) {
                size = open.size();
            }
        }

        /** A copy: closing a channel may remove it while the caller walks the set. */
        List<Channel> snapshot() {
            return new ArrayList<>(open);
        }
    }
}
