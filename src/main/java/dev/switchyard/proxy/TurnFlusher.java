package dev.switchyard.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.util.concurrent.FastThreadLocal;
import java.util.ArrayList;
import java.util.concurrent.RejectedExecutionException;

/**
 * Sends small messages once the loop turn's ready sockets have all been read, the way HAProxy
 * sends at the end of its turn: a short answer waits in its channel's outbound buffer for the rest
 * of the turn instead of the next socket's request waiting to be read, and wrk and the backend are
 * woken once for a burst instead of once per message. Interleaved A/Bs at N = 2 with 100 B answers
 * put the p99 at 0.84 to 0.89 × of flushing at once (bench/README.md, "sixteenth round").
 *
 * <p>Only small messages wait, and only a bounded amount of them per loop. A channel holding more
 * than {@link #SMALL_BYTES} is flushed at once, as is every channel due once the turn holds more
 * than {@link #TURN_BYTES}: deferring every flush kept hundreds of 64 KiB answers in memory at
 * 1,000 connections and took peak RSS over 200 MB (bench/README.md, "fifteenth round").
 *
 * <p>One per event-loop thread, confined to it: the channels it holds all belong to that loop,
 * so a plain list and counters need no lock. The flush runs as a task, and a loop runs its tasks
 * right after the I/O batch they were queued in.
 */
final class TurnFlusher implements Runnable {

    /** A message no larger than this (a short answer or a GET, with its head) may wait. */
    static final int SMALL_BYTES = 4096;

    /** What one loop lets wait in all: hundreds of short answers, a few hundred KiB at most. */
    static final int TURN_BYTES = 256 * 1024;

    private static final FastThreadLocal<TurnFlusher> OF_THIS_LOOP = new FastThreadLocal<>() {
        @Override
        protected TurnFlusher initialValue() {
            return new TurnFlusher();
        }
    };

    private final ArrayList<Channel> due = new ArrayList<>();
    private long waitingBytes;
    private boolean queued;

    private TurnFlusher() {}

    /**
     * Flushes {@code channel} after the current loop turn's I/O, or now if what it holds is large
     * or the turn already holds enough; call on its event loop.
     */
    static void flushAfterTurn(Channel channel) {
        assert channel.eventLoop().inEventLoop();
        OF_THIS_LOOP.get().add(channel);
    }

    private void add(Channel channel) {
        long pending = pendingBytes(channel);
        if (pending > SMALL_BYTES) {
            channel.flush();
            return;
        }
        due.add(channel);
        waitingBytes += pending;
        if (waitingBytes > TURN_BYTES) {
            // The queued task stays queued and finds the turn's later channels, or nothing.
            flushDue();
            return;
        }
        if (queued) {
            return;
        }
        queued = true;
        try {
            channel.eventLoop().execute(this);
        } catch (RejectedExecutionException loopShutDown) {
            // The loop takes no more tasks: nothing may wait for a turn that will not end.
            run();
        }
    }

    private static long pendingBytes(Channel channel) {
        ChannelOutboundBuffer outbound = channel.unsafe().outboundBuffer();
        return outbound == null ? 0 : outbound.totalPendingWriteBytes();
    }

    /** The turn's task: flushes what waited for it. */
    @Override
    public void run() {
        queued = false;
        flushDue();
    }

    /** Flushes every due channel, including any that a flush made due again. */
    private void flushDue() {
        for (int i = 0; i < due.size(); i++) {
            due.get(i).flush();
        }
        due.clear();
        waitingBytes = 0;
    }
}
