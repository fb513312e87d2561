package dev.switchyard.upstream;

import io.netty.channel.EventLoop;
import java.util.ArrayDeque;

/**
 * The idle keep-alive connections to one server that belong to one event loop.
 *
 * <p>Event-loop confined: every method runs on {@code loop} (asserted; tests run with -ea),
 * so a plain deque needs no lock. Most recently used first: a hot connection has the best
 * chance of still being open on the backend side, and surplus ones age out at the back.
 */
public final class LoopConnections {

    private final EventLoop loop;
    private final int maxIdle;
    private final ArrayDeque<UpstreamHandler> idle = new ArrayDeque<>();

    LoopConnections(EventLoop loop, int maxIdle) {
        this.loop = loop;
        this.maxIdle = maxIdle;
    }

    /**
     * An idle connection that is still open, or null: the caller then connects on this loop.
     * Connections found closed are dropped here (netty-notes §3, "check on take").
     */
    public UpstreamHandler pollIdle() {
        assert loop.inEventLoop();
        UpstreamHandler candidate;
        while ((candidate = idle.pollFirst()) != null) {
            if (candidate.isUsable()) {
                return candidate;
            }
            candidate.close();
        }
        return null;
    }

    /** Keeps a clean connection for reuse; closes it when the deque is full. */
    void offer(UpstreamHandler connection) {
        assert loop.inEventLoop();
        if (idle.size() >= maxIdle) {
            connection.close();
            return;
        }
        idle.offerFirst(connection);
    }

    /** Forgets a connection that closed or timed out while idle. */
    void remove(UpstreamHandler connection) {
        assert loop.inEventLoop();
        idle.remove(connection);
    }

    /** Closes every idle connection: the server is draining or gone. */
    void closeAll() {
        assert loop.inEventLoop();
        UpstreamHandler connection;
        while ((connection = idle.pollFirst()) != null) {
            connection.close();
        }
    }

    int idleCount() {
        return idle.size();
    }
}
