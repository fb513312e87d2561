package dev.switchyard.frontend;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code limits.max-connections} and {@code limits.max-connections-per-ip}: exact counts of the
 * client connections open now, per listener name and per client IP address. Long-lived (owned
 * by {@link Listeners}), so the counts survive a reload, and a listener re-bound to a new
 * address keeps counting the connections its old socket accepted; the limits themselves are
 * passed in at each accept, from the current snapshot.
 *
 * <p>Lock-free: a count is taken with a CAS loop below its limit and given back by
 * {@link #release} when the channel closes (its pipeline's first handler calls it from
 * {@code channelInactive}, which fires once per channel: no close-future listener per
 * connection). The per-address table holds only addresses with open connections: the
 * release that brings a count to 0 marks it dead (-1) with a CAS and removes it, and an
 * acquire that finds a dead count looks again, so a count is never lost between the two.
 */
final class ConnectionLimiter {

    /** Why a connection was refused. */
    enum Refusal {
        LISTENER_LIMIT,
        IP_LIMIT
    }

    private static final int DEAD = -1;

    private final ConcurrentHashMap<String, AtomicInteger> perListener = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    /** The open-connection count of one listener, the same object for the same name. */
    AtomicInteger listener(String name) {
        return perListener.computeIfAbsent(name, n -> new AtomicInteger());
    }

    /**
     * Counts {@code channel} in, unless that would pass a limit (0 = none); an admitted channel
     * must be counted out with {@link #release} exactly once, when it closes.
     *
     * @return null if admitted, else why not
     */
    Refusal admit(Channel channel, AtomicInteger listenerOpen, int maxConnections, int maxPerAddress) {
        if (!acquire(listenerOpen, maxConnections)) {
            return Refusal.LISTENER_LIMIT;
        }
        InetAddress address = addressOf(channel);
        if (address != null && acquire(address, maxPerAddress) == null) {
            listenerOpen.decrementAndGet();
            return Refusal.IP_LIMIT;
        }
        return null;
    }

    /**
     * Counts out a channel {@link #admit} let in. Its address's count is found again by address:
     * the entry cannot have left the table, as this channel still holds a count in it.
     */
    void release(Channel channel, AtomicInteger listenerOpen) {
        listenerOpen.decrementAndGet();
        InetAddress address = addressOf(channel);
        AtomicInteger addressOpen = address == null ? null : perAddress.get(address);
        if (addressOpen != null) {
            release(address, addressOpen);
        }
    }

    private static InetAddress addressOf(Channel channel) {
        return channel.remoteAddress() instanceof InetSocketAddress inet ? inet.getAddress() : null;
    }

    /** Open connections from {@code address} now (0 if it has none). */
    int openFrom(InetAddress address) {
        AtomicInteger count = perAddress.get(address);
        return count == null ? 0 : Math.max(0, count.get());
    }

    /** Addresses with open connections now. */
    int addresses() {
        return perAddress.size();
    }

    private static boolean acquire(AtomicInteger count, int max) {
        while (true) {
            int open = count.get();
            if (max > 0 && open >= max) {
                return false;
            }
            if (count.compareAndSet(open, open + 1)) {
                return true;
            }
        }
    }

    /** The address's count, taken; null if the address is at its limit. */
    private AtomicInteger acquire(InetAddress address, int max) {
        while (true) {
            AtomicInteger count = perAddress.get(address);
            if (count == null) {
                AtomicInteger first = new AtomicInteger(1);
                if (perAddress.putIfAbsent(address, first) == null) {
                    return first;
                }
                continue;
            }
            int open = count.get();
            if (open == DEAD) {
                perAddress.remove(address, count);
                continue;
            }
            if (max > 0 && open >= max) {
                return null;
            }
            if (count.compareAndSet(open, open + 1)) {
                return count;
            }
        }
    }

    private void release(InetAddress address, AtomicInteger count) {
        if (count.decrementAndGet() == 0 && count.compareAndSet(0, DEAD)) {
            perAddress.remove(address, count);
        }
    }
}
