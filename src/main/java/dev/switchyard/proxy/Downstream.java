package dev.switchyard.proxy;

import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpObject;

/**
 * What an {@link Exchange} needs of the client connection it answers. Implemented by the
 * frontend's per-connection handler; every call happens on the client channel's event loop.
 */
public interface Downstream {

    Channel channel();

    /**
     * The client's IP as X-Forwarded-For and the access log write it. The same for every
     * request of a connection, so an implementation may work it out once.
     */
    default String clientIp() {
        return ForwardedHeaders.ipOf(channel().remoteAddress());
    }

    /**
     * Writes one response part, in order, without flushing (the exchange flushes the channel
     * once per upstream read burst, through TurnFlusher); ownership moves with it.
     */
    void forward(HttpObject part);

    /** The response's last part was forwarded; the connection may serve the next request. */
    void exchangeComplete(boolean keepAlive);

    /** A started response cannot end cleanly: close now, so the client sees truncation. */
    void abort();

    /** The upstream side can take more request body: read the client if it has more. */
    void requestBodyWanted();

    /** The proxy is shutting down: the response must say {@code Connection: close}. */
    boolean closeAfterResponse();
}
