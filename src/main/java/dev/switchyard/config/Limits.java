package dev.switchyard.config;

/**
 * Size limits on what a client may send. Immutable.
 *
 * @param maxHeaderSize bytes a request head may take (request line and headers); more gets 431
 */
public record Limits(int maxHeaderSize) {}
