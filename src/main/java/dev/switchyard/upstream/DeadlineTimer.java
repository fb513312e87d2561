package dev.switchyard.upstream;

import io.netty.util.concurrent.EventExecutor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One deadline on one connection, with at most one scheduled task: setting a later deadline
 * only writes a field, and the task re-arms itself when it fires early, so a kept-alive
 * connection schedules and cancels nothing per request (HAProxy's and IdleStateHandler's way).
 * Only an earlier deadline than the pending task's replaces that task.
 *
 * <p>Confined to the connection's event loop, like the handler that owns it.
 */
public final class DeadlineTimer implements Runnable {

    private final EventExecutor executor;
    private final Runnable onExpiry;
    private boolean running;
    private long deadline;
    private ScheduledFuture<?> task;
    private long taskFiresAt;

    /** @param onExpiry runs on {@code executor} when a running deadline passes; the timer is then stopped */
    public DeadlineTimer(EventExecutor executor, Runnable onExpiry) {
        this.executor = executor;
        this.onExpiry = onExpiry;
    }

    /** Runs the clock until {@code nanos} from now, replacing any earlier or later deadline. */
    public void start(long nanos) {
        long now = System.nanoTime();
        running = true;
        deadline = now + nanos;
        if (task == null || deadline - taskFiresAt < 0) {
            if (task != null) {
                task.cancel(false);
            }
            schedule(now, nanos);
        }
    }

    /** No deadline now; a pending task finds nothing to do when it fires. */
    public void stop() {
        running = false;
    }

    /** Stops and drops the pending task: the connection is gone. */
    public void cancel() {
        running = false;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void schedule(long now, long delayNanos) {
        taskFiresAt = now + delayNanos;
        task = executor.schedule(this, delayNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * The scheduled task, not for callers: the timer schedules itself rather than a method
     * reference, which would be one more object per connection and per re-arm.
     */
    @Override
    public void run() {
        task = null;
        if (!running) {
            return;
        }
        long now = System.nanoTime();
        long left = deadline - now;
        if (left > 0) {
            schedule(now, left);
            return;
        }
        running = false;
        onExpiry.run();
    }
}
