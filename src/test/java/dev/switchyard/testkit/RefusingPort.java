package dev.switchyard.testkit;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A loopback port that refuses connections for as long as this is open: a socket bound to it
 * but not listening. A port taken from a closed listener is free again at once, and under a
 * parallel test run another test's server (or a connect's own source port) can take it, so a
 * connect meant to be refused was accepted now and then.
 */
public final class RefusingPort implements AutoCloseable {

    private final Socket placeholder = new Socket();

    public RefusingPort() throws IOException {
        placeholder.bind(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0));
    }

    public int port() {
        return placeholder.getLocalPort();
    }

    /** {@code 127.0.0.1:port}, as a config's server address. */
    public String address() {
        return "127.0.0.1:" + port();
    }

    @Override
    public void close() throws IOException {
        placeholder.close();
    }
}
