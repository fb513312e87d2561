package dev.switchyard.counter;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.FastThreadLocalThread;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The thread factory of the proxy's event loops: Netty's own (same names, same
 * {@link FastThreadLocalThread}), except that each thread knows its stripe of a
 * {@link StripedLongs}. The first loop gets stripe 1, the next 2, and so on. With more loops
 * than {@link StripedLongs#STRIPES} - 1 they wrap round and two loops share a stripe, which
 * costs speed, not counts. Any other thread (the admin endpoint, a test, a benchmark's) takes
 * the stripe its thread id falls on; it may share one with a loop, just as rarely.
 */
public final class LoopThreads extends DefaultThreadFactory {

    private final AtomicInteger created = new AtomicInteger();

    public LoopThreads() {
        // Netty's default for this group, so thread names in logs stay as they were.
        super(MultiThreadIoEventLoopGroup.class);
    }

    @Override
    protected Thread newThread(Runnable task, String name) {
        int stripe = 1 + created.getAndIncrement() % (StripedLongs.STRIPES - 1);
        return new LoopThread(threadGroup, task, name, stripe);
    }

    /** The current thread's stripe: its own on an event loop, one by its id anywhere else. */
    static int currentStripe() {
        Thread thread = Thread.currentThread();
        return thread instanceof LoopThread loop ? loop.stripe : (int) (thread.getId() % StripedLongs.STRIPES);
    }

    private static final class LoopThread extends FastThreadLocalThread {
        final int stripe;

        LoopThread(ThreadGroup group, Runnable task, String name, int stripe) {
            super(group, task, name);
            this.stripe = stripe;
        }
    }
}
