import java.io.BufferedInputStream;
import java.io.BufferedWriter;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The failover benchmark's load generator: a constant-rate (open-loop) stream of
 * {@code GET /} over a fixed set of keep-alive connections, one record per request.
 *
 * <pre>
 * java LoadGen.java --url http://127.0.0.1:19180/ --rate 2000 --connections 32 \
 *      --warmup 5 --duration 10 [--kill-pid PID --kill-at 3.0 [--watch-port PORT]] \
 *      [--poll-url http://127.0.0.1:19190/status --poll-ms 50 --poll-out poll.txt] \
 *      [--timeout-ms 10000] --out requests.csv
 * </pre>
 *
 * <p><b>Timing model (coordinated-omission safe).</b> Request {@code i} is due at
 * {@code start + i / rate}. Each of the {@code connections} worker threads owns one
 * connection, takes the next due request, waits until it is due, sends it and reads the whole
 * answer. The latency recorded is from the <em>due</em> time to the last byte of the answer, so
 * when every connection is stuck behind a stall, the requests that should have been sent
 * meanwhile are charged the wait (as wrk2 does). The time actually sent is recorded too.
 *
 * <p><b>Why a raw socket client and not java.net.http.HttpClient.</b> HttpClient silently
 * re-sends an idempotent request once when a reused connection closes before the answer
 * (its ConnectionExpiredException retry), which would hide exactly the client-visible errors
 * this benchmark counts. Here a socket error is an error: the request is recorded as failed,
 * the connection is dropped, and the next request of that worker opens a new one.
 *
 * <p>First {@code --warmup} seconds of the same load, not recorded (JIT of the proxy, the
 * backends and this generator; the connections open). Once every warm-up request is answered,
 * the recorded phase starts on a fresh schedule, 100 ms later, on the same connections, and
 * lasts {@code --duration} seconds; times in the CSV are microseconds from its start. With {@code --kill-pid}, the process is
 * sent SIGKILL ({@link ProcessHandle#destroyForcibly()}) {@code --kill-at} seconds into the
 * recorded phase, so the kill time is on the same clock as the requests. With
 * {@code --watch-port}, it then connects to that port every millisecond and notes when the
 * connect is first refused: until the kernel has torn the killed process down, its listening
 * socket still completes handshakes, so "killed" and "refusing" are not the same instant.
 *
 * <p>CSV columns: {@code due_us,sent_us,done_us,status,backend,error,reused}; status 0 means no
 * HTTP answer (see error), reused is 1 when the request went on a kept-alive connection.
 * Header lines start with {@code #}: start time (epoch µs), kill time, settings.
 */
public final class LoadGen {

    public static void main(String[] args) throws Exception {
        Options o = Options.parse(args);
        URI uri = URI.create(o.url);
        String host = uri.getHost();
        int port = uri.getPort() < 0 ? 80 : uri.getPort();
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port
                + "\r\nUser-Agent: switchyard-failover-loadgen\r\nAccept: */*\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);

        long period = Math.round(1e9 / o.rate);
        // Warm-up on its own schedule; its backlog, if any, is drained before the measured
        // phase gets a fresh schedule, so a cold start never leaks into the numbers.
        long warmBase = System.nanoTime() + 200_000_000L; // 200 ms for the threads to start
        long warmEnd = warmBase + (long) (o.warmup * 1e9);
        CountDownLatch warmedUp = new CountDownLatch(o.connections);
        CountDownLatch go = new CountDownLatch(1);
        long[] phase = new long[2]; // t0, end of the measured phase; written before go opens

        AtomicLong warmTickets = new AtomicLong();
        AtomicLong tickets = new AtomicLong();
        List<Worker> workers = new ArrayList<>();
        for (int i = 0; i < o.connections; i++) {
            workers.add(new Worker(i, host, port, request, o.timeoutMillis, period,
                    warmTickets, warmBase, warmEnd, warmedUp, go, tickets, phase));
        }
        for (Worker worker : workers) {
            worker.start();
        }
        warmedUp.await();
        long t0 = System.nanoTime() + 100_000_000L;
        long end = t0 + (long) (o.duration * 1e9);
        phase[0] = t0;
        phase[1] = end;
        // Epoch microseconds of t0, from one (Instant, nanoTime) pair taken together.
        Instant nowInstant = Instant.now();
        long nowNanos = System.nanoTime();
        long epochMicrosAtNow = nowInstant.getEpochSecond() * 1_000_000L + nowInstant.getNano() / 1000;
        long t0EpochMicros = epochMicrosAtNow + (t0 - nowNanos) / 1000;
        go.countDown();

        long[] kill = {-1, -1, -1};
        Thread killer = null;
        if (o.killPid > 0) {
            long killAt = t0 + (long) (o.killAt * 1e9);
            // Looked up (and its classes loaded) now, so that at the kill instant only the
            // kill(2) itself runs: a cold first call took 20-100 ms on a busy 2-core box.
            ProcessHandle victim = ProcessHandle.of(o.killPid).orElse(null);
            if (victim == null || !victim.isAlive()) {
                System.err.println("loadgen: no process " + o.killPid + " to kill");
                System.exit(1);
            }
            killer = new Thread(() -> {
                sleepUntil(killAt);
                kill[0] = System.nanoTime();
                boolean sent = victim.destroyForcibly();
                kill[1] = System.nanoTime();
                if (!sent) {
                    System.err.println("loadgen: could not SIGKILL pid " + o.killPid);
                }
                // Until the kernel has torn the process down, its listening socket still
                // completes handshakes; note when connects start being refused.
                if (o.watchPort > 0) {
                    while (System.nanoTime() - kill[0] < 5_000_000_000L) {
                        try (Socket probe = new Socket()) {
                            probe.connect(new InetSocketAddress(host, o.watchPort), 1000);
                        } catch (ConnectException e) {
                            kill[2] = System.nanoTime();
                            break;
                        } catch (IOException e) {
                            // timeout or other: try again
                        }
                        LockSupport.parkNanos(1_000_000L);
                    }
                }
            }, "killer");
            killer.start();
        }
        Poller poller = null;
        if (o.pollUrl != null) {
            poller = new Poller(o.pollUrl, o.pollMillis, Path.of(o.pollOut), t0, end + 500_000_000L);
            poller.start();
        }
        for (Worker worker : workers) {
            worker.join();
        }
        if (killer != null) {
            killer.join();
        }
        if (poller != null) {
            poller.join();
        }

        long records = 0;
        long errors = 0;
        try (PrintWriter out = new PrintWriter(Files.newBufferedWriter(Path.of(o.out)))) {
            out.printf(Locale.ROOT, "# t0_epoch_us=%d%n", t0EpochMicros);
            out.printf(Locale.ROOT, "# kill_us=%d%n", kill[0] < 0 ? -1 : (kill[0] - t0) / 1000);
            out.printf(Locale.ROOT, "# kill_returned_us=%d%n", kill[1] < 0 ? -1 : (kill[1] - t0) / 1000);
            out.printf(Locale.ROOT, "# port_refused_us=%d%n", kill[2] < 0 ? -1 : (kill[2] - t0) / 1000);
            out.printf(Locale.ROOT, "# rate=%s connections=%d warmup_s=%s duration_s=%s timeout_ms=%d url=%s%n",
                    o.rate, o.connections, o.warmup, o.duration, o.timeoutMillis, o.url);
            out.println("due_us,sent_us,done_us,status,backend,error,reused");
            for (Worker worker : workers) {
                for (Record r : worker.records) {
                    out.printf(Locale.ROOT, "%d,%d,%d,%d,%s,%s,%d%n", (r.due - t0) / 1000, (r.sent - t0) / 1000,
                            (r.done - t0) / 1000, r.status, r.backend == null ? "" : r.backend,
                            r.error == null ? "" : r.error, r.reused ? 1 : 0);
                    records++;
                    if (r.error != null || r.status < 200 || r.status > 299) {
                        errors++;
                    }
                }
            }
        }
        long behind = 0;
        for (Worker worker : workers) {
            behind = Math.max(behind, worker.maxLagNanos);
        }
        System.err.printf(Locale.ROOT, "loadgen: %d requests recorded, %d errors, max send lag %.1f ms%s%n",
                records, errors, behind / 1e6, kill[0] < 0 ? "" : String.format(Locale.ROOT,
                        ", SIGKILL at %.3f s", (kill[0] - t0) / 1e9));
    }

    static void sleepUntil(long deadline) {
        long left;
        while ((left = deadline - System.nanoTime()) > 0) {
            if (left > 200_000) {
                LockSupport.parkNanos(left - 100_000);
            } else {
                Thread.onSpinWait();
            }
        }
    }

    record Record(long due, long sent, long done, int status, String backend, String error, boolean reused) {
    }

    static final class Worker extends Thread {
        private final String host;
        private final int port;
        private final byte[] request;
        private final int timeoutMillis;
        private final long period;
        private final AtomicLong warmTickets;
        private final long warmBase;
        private final long warmEnd;
        private final CountDownLatch warmedUp;
        private final CountDownLatch go;
        private final AtomicLong tickets;
        private final long[] phase;
        final List<Record> records = new ArrayList<>(8192);
        long maxLagNanos;
        private Socket socket;
        private Counting counting;
        private InputStream in;
        private OutputStream out;
        private int uses;

        Worker(int id, String host, int port, byte[] request, int timeoutMillis, long period,
               AtomicLong warmTickets, long warmBase, long warmEnd, CountDownLatch warmedUp, CountDownLatch go,
               AtomicLong tickets, long[] phase) {
            super("worker-" + id);
            this.host = host;
            this.port = port;
            this.request = request;
            this.timeoutMillis = timeoutMillis;
            this.period = period;
            this.warmTickets = warmTickets;
            this.warmBase = warmBase;
            this.warmEnd = warmEnd;
            this.warmedUp = warmedUp;
            this.go = go;
            this.tickets = tickets;
            this.phase = phase;
        }

        @Override
        public void run() {
            runPhase(warmTickets, warmBase, warmEnd, false);
            warmedUp.countDown();
            try {
                go.await();
            } catch (InterruptedException e) {
                return;
            }
            runPhase(tickets, phase[0], phase[1], true);
            closeQuietly();
        }

        private void runPhase(AtomicLong counter, long base, long end, boolean record) {
            while (true) {
                long due = base + counter.getAndIncrement() * period;
                if (due >= end) {
                    return;
                }
                sleepUntil(due);
                long sent = System.nanoTime();
                if (record) {
                    maxLagNanos = Math.max(maxLagNanos, sent - due);
                }
                boolean reused = socket != null;
                int status = 0;
                String backend = null;
                String error = null;
                try {
                    Answer answer = exchange();
                    status = answer.status;
                    backend = answer.backend;
                    if (answer.close) {
                        closeQuietly();
                    }
                } catch (IOException e) {
                    error = classify(e);
                    closeQuietly();
                }
                long done = System.nanoTime();
                if (record) {
                    records.add(new Record(due, sent, done, status, backend, error, reused));
                }
            }
        }

        private Answer exchange() throws IOException {
            if (socket == null) {
                Socket s = new Socket();
                s.setTcpNoDelay(true);
                s.setSoTimeout(timeoutMillis);
                s.connect(new InetSocketAddress(host, port), timeoutMillis);
                socket = s;
                counting = new Counting(s.getInputStream());
                in = new BufferedInputStream(counting, 8192);
                out = s.getOutputStream();
                uses = 0;
            }
            uses++;
            counting.count = 0;
            out.write(request);
            out.flush();
            return Answer.read(in);
        }

        private void closeQuietly() {
            if (socket != null) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // nothing to do
                }
            }
            socket = null;
            counting = null;
            in = null;
            out = null;
            uses = 0;
        }

        /**
         * Error names: connect-refused, connect-timeout, or [reused-]KIND-{before,mid}-response
         * with KIND eof, reset, timeout, broken-pipe or the exception's class; "reused" when the
         * connection had carried an earlier request, "before" when no byte of an answer came.
         */
        private String classify(IOException e) {
            if (counting == null) {
                return e instanceof SocketTimeoutException ? "connect-timeout"
                        : e instanceof ConnectException ? "connect-refused" : "connect-" + e.getClass().getSimpleName();
            }
            String prefix = uses > 1 ? "reused-" : "";
            String when = counting.count > 0 ? "-mid-response" : "-before-response";
            String kind = e.getClass().getSimpleName();
            if (e instanceof SocketTimeoutException) {
                kind = "timeout";
            } else if (e instanceof EOFException) {
                kind = "eof";
            } else if (e instanceof SocketException) {
                String m = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
                if (m.contains("reset")) {
                    kind = "reset";
                } else if (m.contains("broken pipe")) {
                    kind = "broken-pipe";
                }
            }
            return prefix + kind + when;
        }
    }

    /** Counts the bytes read from the socket since the last request went out. */
    static final class Counting extends java.io.FilterInputStream {
        long count;

        Counting(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }
    }

    /** One HTTP/1.1 answer, read in full (Content-Length, chunked, or to EOF). */
    static final class Answer {
        int status;
        String backend;
        boolean close;

        static Answer read(InputStream in) throws IOException {
            Answer a = new Answer();
            String statusLine = line(in, true);
            if (!statusLine.startsWith("HTTP/1.")) {
                throw new IOException("bad status line: " + statusLine);
            }
            a.status = Integer.parseInt(statusLine.substring(9, 12));
            boolean http10 = statusLine.startsWith("HTTP/1.0");
            long length = -1;
            boolean chunked = false;
            boolean keepAlive = false;
            String header;
            while (!(header = line(in, false)).isEmpty()) {
                int colon = header.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String name = header.substring(0, colon).trim().toLowerCase(Locale.ROOT);
                String value = header.substring(colon + 1).trim();
                switch (name) {
                    case "content-length" -> length = Long.parseLong(value);
                    case "transfer-encoding" -> chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
                    case "x-backend" -> a.backend = value;
                    case "connection" -> {
                        String v = value.toLowerCase(Locale.ROOT);
                        a.close |= v.contains("close");
                        keepAlive |= v.contains("keep-alive");
                    }
                    default -> { }
                }
            }
            if (http10 && !keepAlive) {
                a.close = true;
            }
            if (chunked) {
                while (true) {
                    String size = line(in, false);
                    int semi = size.indexOf(';');
                    long n = Long.parseLong((semi < 0 ? size : size.substring(0, semi)).trim(), 16);
                    if (n == 0) {
                        while (!line(in, false).isEmpty()) {
                            // trailers
                        }
                        break;
                    }
                    skip(in, n);
                    line(in, false);
                }
            } else if (length >= 0) {
                skip(in, length);
            } else if (a.status != 204 && a.status != 304) {
                while (in.read() >= 0) {
                    // body until EOF
                }
                a.close = true;
            }
            return a;
        }

        private static String line(InputStream in, boolean first) throws IOException {
            StringBuilder sb = new StringBuilder(64);
            int c;
            while ((c = in.read()) >= 0) {
                if (c == '\n') {
                    int n = sb.length();
                    if (n > 0 && sb.charAt(n - 1) == '\r') {
                        sb.setLength(n - 1);
                    }
                    return sb.toString();
                }
                sb.append((char) c);
            }
            throw new EOFException(first && sb.length() == 0 ? "closed before any answer byte" : "closed mid-answer");
        }

        private static void skip(InputStream in, long n) throws IOException {
            while (n > 0) {
                long skipped = in.skip(n);
                if (skipped <= 0) {
                    if (in.read() < 0) {
                        throw new EOFException("closed mid-body");
                    }
                    skipped = 1;
                }
                n -= skipped;
            }
        }
    }

    /** GETs a status URL every few ms and appends "@<µs since t0>" and the body to a file. */
    static final class Poller extends Thread {
        private final URI uri;
        private final int everyMillis;
        private final Path outPath;
        private final long t0;
        private final long until;

        Poller(String url, int everyMillis, Path outPath, long t0, long until) {
            super("poller");
            setDaemon(true);
            this.uri = URI.create(url);
            this.everyMillis = everyMillis;
            this.outPath = outPath;
            this.t0 = t0;
            this.until = until;
        }

        @Override
        public void run() {
            try (BufferedWriter w = Files.newBufferedWriter(outPath)) {
                long next = t0 - 1_000_000_000L;
                while (next < until) {
                    sleepUntil(next);
                    long at = System.nanoTime();
                    String body;
                    try {
                        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
                        c.setConnectTimeout(1000);
                        c.setReadTimeout(1000);
                        try (InputStream in = c.getInputStream()) {
                            body = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                        }
                    } catch (IOException e) {
                        body = "! " + e;
                    }
                    long got = System.nanoTime();
                    w.write("@" + (at - t0) / 1000 + " " + (got - t0) / 1000 + "\n");
                    w.write(body.endsWith("\n") ? body : body + "\n");
                    next += everyMillis * 1_000_000L;
                    if (next < System.nanoTime()) {
                        next = System.nanoTime();
                    }
                }
            } catch (IOException e) {
                System.err.println("loadgen: poller failed: " + e);
            }
        }
    }

    static final class Options {
        String url;
        double rate = 2000;
        int connections = 32;
        double warmup = 3;
        double duration = 10;
        long killPid = -1;
        int watchPort = -1;
        double killAt = 3;
        String pollUrl;
        int pollMillis = 50;
        String pollOut = "poll.txt";
        int timeoutMillis = 10_000;
        String out = "requests.csv";

        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                String v = i + 1 < args.length ? args[i + 1] : null;
                switch (a) {
                    case "--url" -> o.url = args[++i];
                    case "--rate" -> o.rate = Double.parseDouble(args[++i]);
                    case "--connections" -> o.connections = Integer.parseInt(args[++i]);
                    case "--warmup" -> o.warmup = Double.parseDouble(args[++i]);
                    case "--duration" -> o.duration = Double.parseDouble(args[++i]);
                    case "--kill-pid" -> o.killPid = Long.parseLong(args[++i]);
                    case "--kill-at" -> o.killAt = Double.parseDouble(args[++i]);
                    case "--watch-port" -> o.watchPort = Integer.parseInt(args[++i]);
                    case "--poll-url" -> o.pollUrl = args[++i];
                    case "--poll-ms" -> o.pollMillis = Integer.parseInt(args[++i]);
                    case "--poll-out" -> o.pollOut = args[++i];
                    case "--timeout-ms" -> o.timeoutMillis = Integer.parseInt(args[++i]);
                    case "--out" -> o.out = args[++i];
                    default -> {
                        System.err.println("loadgen: unknown option " + a + (v == null ? "" : ""));
                        System.exit(2);
                    }
                }
            }
            if (o.url == null) {
                System.err.println("usage: java LoadGen.java --url URL [--rate R] [--connections N] [--warmup S]"
                        + " [--duration S] [--kill-pid PID --kill-at S [--watch-port P]] [--poll-url URL --poll-ms MS --poll-out F]"
                        + " [--timeout-ms MS] [--out CSV]");
                System.exit(2);
            }
            return o;
        }
    }
}
