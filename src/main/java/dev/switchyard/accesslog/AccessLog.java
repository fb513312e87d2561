package dev.switchyard.accesslog;

import io.netty.util.internal.PlatformDependent;
import java.io.BufferedOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per exchange, written by a background thread so an event loop never waits on a
 * disk. Loops hand entries over through a bounded lock-free queue; when it is full the line is
 * dropped and counted ({@link #dropped()}), never waited for.
 *
 * <p>Thread safety: {@link #log} from any loop (multi-producer queue); formatting and writing
 * only on the writer thread.
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);
    /** How long the writer naps when it finds nothing: bounds a line's delay, costs no CPU. */
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);

    private final Queue<AccessLogEntry> queue;
    private final AccessLogFormat format;
    private final OutputStream out;
    private final boolean ownsStream;
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong written = new AtomicLong();
    /** The writer thread's. */
    private final TimeText time = new TimeText();

    private final Thread writer;
    private volatile boolean running = true;

    private AccessLog(String format, OutputStream out, boolean ownsStream, int queueSize) {
        this.queue = PlatformDependent.newFixedMpscQueue(queueSize);
        this.format = AccessLogFormat.named(format);
        this.out = out;
        this.ownsStream = ownsStream;
        this.writer = new Thread(this::drainLoop, "switchyard-access-log");
        this.writer.setDaemon(true);
        this.writer.start();
    }

    /**
     * Opens the log and starts its writer thread.
     *
     * @param output {@code stdout} or a file path, appended to
     */
    public static AccessLog open(String format, String output, int queueSize) throws IOException {
        if ("stdout".equals(output)) {
            return new AccessLog(format, System.out, false, queueSize);
        }
        return new AccessLog(
                format, new BufferedOutputStream(new FileOutputStream(output, true), 64 * 1024), true, queueSize);
    }

    /** Never blocks: a full queue drops the line and counts it. */
    public void log(AccessLogEntry entry) {
        if (!queue.offer(entry)) {
            dropped.incrementAndGet();
        }
    }

    public long dropped() {
        return dropped.get();
    }

    public long written() {
        return written.get();
    }

    private void drainLoop() {
        StringBuilder batch = new StringBuilder(16 * 1024);
        while (running || !queue.isEmpty()) {
            AccessLogEntry entry = queue.poll();
            if (entry == null) {
                flush(batch);
                LockSupport.parkNanos(IDLE_PARK_NANOS);
                continue;
            }
            format.append(batch, entry, time);
            written.incrementAndGet();
            if (batch.length() > 32 * 1024) {
                flush(batch);
            }
        }
        flush(batch);
    }

    private void flush(StringBuilder batch) {
        if (batch.length() == 0) {
            return;
        }
        try {
            out.write(batch.toString().getBytes(StandardCharsets.UTF_8));
            out.flush();
        } catch (IOException e) {
            log.warn("access log write failed: {}", e.toString());
        }
        batch.setLength(0);
    }

    /** Writes what is queued, then stops the writer. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(writer);
        try {
            writer.join(5000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (ownsStream) {
            try {
                out.close();
            } catch (IOException e) {
                log.warn("access log close failed: {}", e.toString());
            }
        }
    }
}
