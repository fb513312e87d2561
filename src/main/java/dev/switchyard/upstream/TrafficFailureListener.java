package dev.switchyard.upstream;

/**
 * Hears about a connect failure or a reset before any response byte on live traffic, so the
 * health checker can count it as a failed check (HAProxy's {@code observe layer4}). Called on
 * the event loop of the failed exchange; an implementation hops to its own thread.
 */
@FunctionalInterface
public interface TrafficFailureListener {

    void trafficFailed(Server server, String reason);
}
