package dev.switchyard.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpContent;
import java.util.ArrayList;
import java.util.List;

/**
 * The request body chunks an exchange keeps so it can send the request again to another
 * server, up to a byte bound; past the bound the request is no longer replayable and the
 * chunks are let go.
 *
 * <p>Event-loop confined. Owns one reference to every chunk it holds and releases them all
 * in {@link #release()}. Each replay writes a {@code retainedDuplicate()}, so every attempt
 * has its own reader index over the same bytes (netty-notes §6; netty #11959).
 */
final class ReplayBuffer {

    private final long limitBytes;
    private List<HttpContent> chunks;
    private long bytes;
    private boolean replayable = true;

    ReplayBuffer(long limitBytes) {
        this.limitBytes = limitBytes;
    }

    boolean replayable() {
        return replayable;
    }

    /** Takes ownership of {@code chunk}. Kept even past the bound: the caller needs it once more. */
    void keep(HttpContent chunk) {
        if (chunks == null) {
            chunks = new ArrayList<>(4);
        }
        chunks.add(chunk);
        bytes += chunk.content().readableBytes();
    }

    /** Whether a chunk that is about to be sent fits in the bound; if not, replay is over. */
    boolean admits(HttpContent chunk) {
        if (replayable && bytes + chunk.content().readableBytes() <= limitBytes) {
            return true;
        }
        giveUp();
        return false;
    }

    /** Writes (without flushing) a fresh duplicate of every chunk kept so far. */
    void replayTo(Channel upstream) {
        if (chunks == null) {
            return;
        }
        for (int i = 0; i < chunks.size(); i++) {
            upstream.write(chunks.get(i).retainedDuplicate(), upstream.voidPromise());
        }
    }

    /** After a first write past the bound: what was kept can no longer make a full replay. */
    void trimToBound() {
        if (bytes > limitBytes) {
            giveUp();
        }
    }

    private void giveUp() {
        replayable = false;
        release();
    }

    /** The response has started: there will be no retry, so nothing more is kept. */
    void discard() {
        giveUp();
    }

    void release() {
        if (chunks != null) {
            for (int i = 0; i < chunks.size(); i++) {
                chunks.get(i).release();
            }
            chunks = null;
        }
        bytes = 0;
    }
}
