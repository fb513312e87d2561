package dev.switchyard.testkit;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Slowloris clients: many connections that each send one byte per second, either of a request
 * head that never ends or of a chunked body after a complete head. One scheduler thread drives
 * them all, spreading the writes evenly over each second (as a real attacker's timers would),
 * so a thousand of them cost the test two file descriptors each and no threads.
 *
 * <p>Nothing is ever read until {@link #census()}: a trickler that receives a byte or an EOF
 * was answered or cut by the proxy, which is what the census reports.
 */
public final class Tricklers implements AutoCloseable {

    /** What the tricklers look like from the client side at one moment. */
    public record Census(int open, int answered, int closed, int writeFailures) {}

    private static final long TICK_MILLIS = 5;
    /** A head that never ends: one header value growing a byte a second, far below any size limit. */
    private static final String SLOW_HEAD = "GET /slow-head HTTP/1.1\r\nHost: slow\r\nX-Trickle: ";

    private final List<Trickler> tricklers = new ArrayList<>();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "tricklers");
        thread.setDaemon(true);
        return thread;
    });
    private final AtomicLong bytesSent = new AtomicLong();
    private final AtomicInteger writeFailures = new AtomicInteger();
    private final long bytesPerSecondEach;
    private long started;
    private long writesDone;

    private Tricklers(long bytesPerSecondEach) {
        this.bytesPerSecondEach = bytesPerSecondEach;
    }

    /**
     * Opens {@code heads} connections that trickle a request head and {@code bodies} that send
     * the head of {@code POST bodyPath} (chunked) at once and then trickle its body, each at
     * one byte per second. All are connected when this returns.
     */
    public static Tricklers open(InetSocketAddress proxy, int heads, int bodies, String bodyPath) throws IOException {
        Tricklers set = new Tricklers(1);
        try {
            String bodyHead = "POST " + bodyPath + " HTTP/1.1\r\nHost: slow\r\nTransfer-Encoding: chunked\r\n\r\n";
            // Interleaved, so both kinds are spread over each second and over both event loops.
            int total = heads + bodies;
            for (int i = 0; i < total; i++) {
                boolean body = bodies > 0 && (long) i * bodies / total != (long) (i + 1) * bodies / total;
                set.tricklers.add(
                        body
                                ? Trickler.connect(proxy, bodyHead, "", "1\r\nx\r\n")
                                : Trickler.connect(proxy, "", SLOW_HEAD, "x"));
            }
        } catch (IOException | RuntimeException e) {
            set.close();
            throw e;
        }
        set.started = System.nanoTime();
        set.scheduler.scheduleAtFixedRate(set::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
        return set;
    }

    public int size() {
        return tricklers.size();
    }

    public long bytesSent() {
        return bytesSent.get();
    }

    /**
     * Writes every byte that is due by now: trickler {@code k} of {@code n} sends its bytes at
     * {@code k/n} of each second, so a late tick catches up instead of drifting.
     */
    private void tick() {
        long due = (System.nanoTime() - started) * bytesPerSecondEach * tricklers.size() / 1_000_000_000L;
        for (; writesDone < due; writesDone++) {
            Trickler trickler = tricklers.get((int) (writesDone % tricklers.size()));
            if (!trickler.failed && !trickler.sendOne()) {
                writeFailures.incrementAndGet();
            } else if (!trickler.failed) {
                bytesSent.incrementAndGet();
            }
        }
    }

    /** Peeks at every connection without blocking; call it while they still trickle. */
    public Census census() throws InterruptedException {
        // On the scheduler thread, so no write races a read of the same channel.
        try {
            return scheduler
                    .submit(() -> {
                        int open = 0;
                        int answered = 0;
                        int closed = 0;
                        for (Trickler trickler : tricklers) {
                            switch (trickler.peek()) {
                                case OPEN -> open++;
                                case ANSWERED -> answered++;
                                case CLOSED -> closed++;
                            }
                        }
                        return new Census(open, answered, closed, writeFailures.get());
                    })
                    .get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("census failed", e);
        }
    }

    /** Stops the writes and closes every socket. */
    @Override
    public void close() {
        scheduler.shutdownNow();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (Trickler trickler : tricklers) {
            trickler.close();
        }
    }

    private enum State {
        OPEN,
        ANSWERED,
        CLOSED
    }

    /** One slow connection: bytes sent at connect, then a preamble and an endless cycle, a byte at a time. */
    private static final class Trickler {
        private final SocketChannel channel;
        private final byte[] preamble;
        private final byte[] cycle;
        private long position;
        private boolean failed;

        private Trickler(SocketChannel channel, byte[] preamble, byte[] cycle) {
            this.channel = channel;
            this.preamble = preamble;
            this.cycle = cycle;
        }

        /** Sends {@code immediately} at once; then trickles {@code preamble}, then {@code cycle} forever. */
        static Trickler connect(InetSocketAddress address, String immediately, String preamble, String cycle)
                throws IOException {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(address);
                byte[] now = immediately.getBytes(StandardCharsets.ISO_8859_1);
                if (now.length > 0) {
                    channel.write(ByteBuffer.wrap(now));
                }
                channel.configureBlocking(false);
            } catch (IOException e) {
                channel.close();
                throw e;
            }
            return new Trickler(
                    channel,
                    preamble.getBytes(StandardCharsets.ISO_8859_1),
                    cycle.getBytes(StandardCharsets.ISO_8859_1));
        }

        /** One byte; false when the socket refuses it (closed, reset, or not even one byte of room). */
        boolean sendOne() {
            byte next = position < preamble.length
                    ? preamble[(int) position]
                    : cycle[(int) ((position - preamble.length) % cycle.length)];
            try {
                if (channel.write(ByteBuffer.wrap(new byte[] {next})) == 1) {
                    position++;
                    return true;
                }
            } catch (IOException e) {
                // reset or closed by the proxy: counted by the caller
            }
            failed = true;
            return false;
        }

        State peek() {
            try {
                int n = channel.read(ByteBuffer.allocate(512));
                return n == 0 ? State.OPEN : n > 0 ? State.ANSWERED : State.CLOSED;
            } catch (IOException e) {
                return State.CLOSED;
            }
        }

        void close() {
            try {
                channel.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
