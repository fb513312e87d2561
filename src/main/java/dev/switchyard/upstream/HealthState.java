package dev.switchyard.upstream;

/**
 * A server's health as traffic sees it. Lives here rather than in {@code health} because
 * {@link Server} carries it and {@code health} depends on {@code upstream}, not the reverse.
 */
public enum HealthState {
    /** Takes new requests. */
    UP,
    /** Ejected: takes no new request until it passes healthy-threshold checks in a row. */
    DOWN,
    /** Finishing what it has, taking nothing new (drain and reload, a later issue). */
    DRAINING
}
