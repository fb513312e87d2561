package dev.switchyard.testkit;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A backend that records the exact messages a proxy sends it, read by its own strict parser
 * ({@link StrictRequestParser}, not Netty's, so a mistake shared by the proxy's codec and the
 * parser cannot hide itself). Every complete message gets an id and is answered
 * {@code 200} with {@code X-Recorder: <id>} and an empty body; anything the parser refuses is
 * recorded as a {@link Violation} and the connection closes without an answer. A connection
 * that ends inside a message is counted as truncated: a proxy may abandon a request whose
 * client went away, but must never have sent it framed differently.
 *
 * <p>Blocking sockets, one thread per connection: a test tool, not on any event loop. Also a
 * command ({@link #main}) for bench/smuggling, printing one line per event.
 */
public final class RecordingBackend implements AutoCloseable {

    /** One complete message as received; {@code framing} is "none", "length N" or "chunked N". */
    public record Message(
            long id, int connection, String method, String target, String framing, List<String> headers) {}

    /** What the strict parser refused, and on which connection. */
    public record Violation(int connection, String reason) {}

    private final ServerSocket server;
    private final List<Message> messages = new CopyOnWriteArrayList<>();
    private final List<Violation> violations = new CopyOnWriteArrayList<>();
    private final AtomicLong ids = new AtomicLong();
    private final AtomicInteger connectionIds = new AtomicInteger();
    private final AtomicInteger truncated = new AtomicInteger();
    /** Connections that have received part of a message that is not complete yet. */
    private final AtomicInteger midMessage = new AtomicInteger();

    private final Map<Socket, Boolean> open = new ConcurrentHashMap<>();
    private final PrintStream events;

    private RecordingBackend(ServerSocket server, PrintStream events) {
        this.server = server;
        this.events = events;
    }

    /** Listens on 127.0.0.1 at {@code port} (0 for an ephemeral one); {@code events} may be null. */
    public static RecordingBackend start(int port, PrintStream events) throws IOException {
        ServerSocket server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 128);
        RecordingBackend backend = new RecordingBackend(server, events);
        Thread acceptor = new Thread(backend::acceptLoop, "recorder-accept");
        acceptor.setDaemon(true);
        acceptor.start();
        return backend;
    }

    public static RecordingBackend start() throws IOException {
        return start(0, null);
    }

    /** {@code RecordingBackend PORT}: serves until killed, one event line per message on stdout. */
    public static void main(String[] args) throws Exception {
        RecordingBackend backend = start(Integer.parseInt(args[0]), System.out);
        System.out.println("listening " + backend.address().getPort());
        System.out.flush();
        Thread.currentThread().join();
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    /** "127.0.0.1:port", as a pool server address. */
    public String hostPort() {
        return "127.0.0.1:" + address().getPort();
    }

    public List<Message> messages() {
        return messages;
    }

    public List<Violation> violations() {
        return violations;
    }

    public int truncated() {
        return truncated.get();
    }

    /** No connection is inside a message: everything sent so far has been judged. */
    public boolean quiet() {
        return midMessage.get() == 0;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket socket = server.accept();
                int connection = connectionIds.incrementAndGet();
                open.put(socket, Boolean.TRUE);
                Thread thread = new Thread(() -> serve(socket, connection), "recorder-conn-" + connection);
                thread.setDaemon(true);
                thread.start();
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void serve(Socket socket, int connection) {
        try (socket) {
            InputStream in = new BufferedInputStream(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            StrictRequestParser parser = new StrictRequestParser(in);
            while (true) {
                if (!parser.awaitFirstByte()) {
                    return; // a clean close between messages
                }
                midMessage.incrementAndGet();
                StrictRequestParser.Request request;
                try {
                    request = parser.readRest();
                    if (in.available() > 0) {
                        // A proxy sends one request upstream and waits for its answer; bytes
                        // already here are a second message or the tail of a misframed one.
                        throw new StrictRequestParser.Violation(
                                "bytes after a complete message, before its answer: " + peek(in));
                    }
                } catch (StrictRequestParser.Violation e) {
                    violations.add(new Violation(connection, e.getMessage()));
                    event("violation conn=" + connection + " " + e.getMessage());
                    return;
                } catch (StrictRequestParser.Truncated e) {
                    truncated.incrementAndGet();
                    event("truncated conn=" + connection + " " + e.getMessage());
                    return;
                } finally {
                    midMessage.decrementAndGet();
                }
                long id = ids.incrementAndGet();
                messages.add(new Message(
                        id, connection, request.method(), request.target(), request.framing(), request.headers()));
                event("message id=" + id + " conn=" + connection + " " + request.method() + " " + request.target()
                        + " framing=" + request.framing().replace(' ', '='));
                out.write(("HTTP/1.1 200 OK\r\nX-Recorder: " + id + "\r\nContent-Length: 0\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            }
        } catch (IOException e) {
            // reset by the proxy: nothing was half-judged (midMessage is balanced above)
        } finally {
            open.remove(socket);
        }
    }

    private static String peek(InputStream in) throws IOException {
        byte[] bytes = new byte[Math.min(in.available(), 40)];
        int n = in.read(bytes);
        return StrictRequestParser.printable(bytes, Math.max(n, 0));
    }

    private void event(String line) {
        if (events != null) {
            synchronized (events) {
                events.println(line);
                events.flush();
            }
        }
    }

    /** A copy of the counters, for comparing before and after one case. */
    public Snapshot snapshot() {
        return new Snapshot(messages.size(), violations.size(), truncated.get());
    }

    public record Snapshot(int messages, int violations, int truncated) {}

    /** The messages recorded after {@code before}. */
    public List<Message> messagesSince(Snapshot before) {
        return new ArrayList<>(messages.subList(before.messages(), messages.size()));
    }

    public List<Violation> violationsSince(Snapshot before) {
        return new ArrayList<>(violations.subList(before.violations(), violations.size()));
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        for (Socket socket : open.keySet()) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
