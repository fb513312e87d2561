/**
 * Counters every event loop adds to on every request, kept per loop so that no two loops write
 * one cache line, and summed when someone reads them (the admin endpoint, a retry decision).
 *
 * <p>A count shared by all loops moves its cache line from core to core on every request; the
 * JDK's {@code LongAdder} spreads threads over cells only after two of them collide on a CAS,
 * which at a few tens of thousands of requests a second per loop rarely happens, so its one
 * base field bounced too (bench/README.md, "Issue 5, twentieth round"). HAProxy keeps such
 * counters per thread for the same reason. The loops' threads carry their stripe
 * ({@link dev.switchyard.counter.LoopThreads}); any other thread takes one by its id.
 * Depends on no other package of ours.
 */
package dev.switchyard.counter;
