package dev.switchyard.proxy;

/** Why an attempt on one server ended without a usable response. */
enum Failure {
    /** The TCP connect failed or timed out: nothing of the request left the proxy. */
    CONNECT_FAILED,
    /** The connection closed or reset before any response byte: the backend may have acted. */
    RESET_BEFORE_RESPONSE,
    /** No response head within timeouts.upstream-response. */
    RESPONSE_TIMEOUT,
    /** The backend answered with bytes that are not a valid HTTP response head. */
    INVALID_RESPONSE
}
