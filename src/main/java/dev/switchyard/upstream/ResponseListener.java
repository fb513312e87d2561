package dev.switchyard.upstream;

import io.netty.handler.codec.http.HttpObject;

/**
 * What an upstream connection tells the exchange it is attached to. Called on the
 * connection's event loop, which is also the exchange's.
 */
public interface ResponseListener {

    /** A decoded response part; the listener owns it and must forward or release it. */
    void onResponsePart(HttpObject part);

    /** The end of one read burst: the moment to flush what was forwarded and ask for more. */
    void onResponseReadComplete();

    /** The upstream channel's writability flipped: resume or pause reading the client. */
    void onUpstreamWritabilityChanged(boolean writable);

    /** The response did not start within the time given to {@link UpstreamHandler#startResponseClock}. */
    void onResponseTimeout();

    /** The connection closed under the exchange; {@code cause} is null for a plain close. */
    void onUpstreamClosed(Throwable cause);
}
