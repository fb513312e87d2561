import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The failover benchmark's backend: a tiny HTTP/1.1 keep-alive server on 127.0.0.1, one per
 * OS process so that run.sh can SIGKILL it.
 *
 * <pre>java Backend.java PORT NAME [WORK_MS]</pre>
 *
 * GET / answers 200 with a small body and {@code X-Backend: NAME}, after sleeping WORK_MS
 * milliseconds (default 0) to stand for some work, so that a kill catches requests in flight.
 * GET /health answers 200 "ok" at once. Anything else is 404. JDK only
 * (com.sun.net.httpserver with a fixed thread pool), no dependencies.
 */
public final class Backend {

    public static void main(String[] args) throws IOException {
        if (args.length < 2) {
            System.err.println("usage: java Backend.java PORT NAME [WORK_MS]");
            System.exit(2);
        }
        // Without this the JDK server leaves Nagle on, and keep-alive answers can wait for a
        // delayed ACK (~40 ms on Linux loopback).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        int port = Integer.parseInt(args[0]);
        String name = args[1];
        long workMillis = args.length > 2 ? Long.parseLong(args[2]) : 0;
        byte[] body = ("hello from " + name + "\n").getBytes(StandardCharsets.US_ASCII);
        byte[] ok = "ok\n".getBytes(StandardCharsets.US_ASCII);

        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(128);
        server.setExecutor(pool);
        server.createContext("/", exchange -> {
            try (exchange) {
                drain(exchange.getRequestBody());
                String path = exchange.getRequestURI().getPath();
                exchange.getResponseHeaders().set("X-Backend", name);
                exchange.getResponseHeaders().set("Content-Type", "text/plain");
                if ("/health".equals(path)) {
                    send(exchange, 200, ok);
                } else if ("/".equals(path)) {
                    if (workMillis > 0) {
                        try {
                            Thread.sleep(workMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    }
                    send(exchange, 200, body);
                } else {
                    send(exchange, 404, "not found\n".getBytes(StandardCharsets.US_ASCII));
                }
            }
        });
        server.start();
        System.err.println("backend " + name + " listening on 127.0.0.1:" + port + " (pid "
                + ProcessHandle.current().pid() + ", work " + workMillis + " ms)");
    }

    private static void drain(InputStream in) throws IOException {
        byte[] buffer = new byte[4096];
        while (in.read(buffer) >= 0) {
            // discard
        }
    }

    private static void send(HttpExchange exchange, int status, byte[] bytes) throws IOException {
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
