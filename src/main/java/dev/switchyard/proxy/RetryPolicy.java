package dev.switchyard.proxy;

import dev.switchyard.upstream.Pool;
import io.netty.handler.codec.http.HttpMethod;

/**
 * config.md's retry rules as one decision. Stateless; any thread.
 *
 * <p>A connect failure is always safe to retry: nothing reached a backend. A reset before
 * any response byte is retried only for idempotent methods (RFC 9110 §9.2.2), because the
 * backend may have acted on a POST before it died. A response timeout is never retried: the
 * backend is slow, not dead, and a second copy would double its load (504 instead). A retry
 * also needs the request body still replayable (kept in full by the {@link ReplayBuffer}) and
 * room in the pool's {@link dev.switchyard.upstream.RetryBudget}.
 */
final class RetryPolicy {

    static final RetryPolicy INSTANCE = new RetryPolicy();

    private RetryPolicy() {}

    /**
     * Whether this failure may be retried on another server of {@code pool}. A yes takes one
     * retry from the pool's budget, so ask only when about to retry.
     */
    boolean mayRetry(Failure failure, HttpMethod method, boolean bodyReplayable, int retriesDone, Pool pool) {
        return mayRetry(failure, method, bodyReplayable, retriesDone, pool.retries())
                && pool.retryBudget().tryAcquire();
    }

    /** The rules without the budget. */
    boolean mayRetry(Failure failure, HttpMethod method, boolean bodyReplayable, int retriesDone, int retries) {
        if (retriesDone >= retries || !bodyReplayable) {
            return false;
        }
        return switch (failure) {
            case CONNECT_FAILED -> true;
            case RESET_BEFORE_RESPONSE -> isIdempotent(method);
            case RESPONSE_TIMEOUT, INVALID_RESPONSE -> false;
        };
    }

    /** RFC 9110 §9.2.2: GET, HEAD, OPTIONS, TRACE, PUT and DELETE. */
    static boolean isIdempotent(HttpMethod method) {
        return HttpMethod.GET.equals(method)
                || HttpMethod.HEAD.equals(method)
                || HttpMethod.PUT.equals(method)
                || HttpMethod.DELETE.equals(method)
                || HttpMethod.OPTIONS.equals(method)
                || HttpMethod.TRACE.equals(method);
    }
}
