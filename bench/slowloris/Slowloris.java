import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The slowloris benchmark's client: N slow connections, each sending one byte a second, and
 * beside them a normal client whose latency is measured.
 *
 * <pre>
 * java Slowloris.java --port 19381 --mode head|body [--slow 1000] [--warmup 5] [--quiet 10]
 *      [--duration 75] [--rate 100] [--connections 4] [--path /small] [--body-path /upload]
 * </pre>
 *
 * <p><b>Phases.</b> Warm-up: {@code --warmup} s of the normal client alone, not recorded.
 * Quiet: {@code --quiet} s of it alone, recorded (the proxy's own baseline). Attack: the slow
 * connections open (spread over one second) and trickle for {@code --duration} s while the
 * normal client goes on, recorded. A slow connection that the proxy closes is noted (when,
 * and what it said first) and replaced by a new one, as an attacker would: the attack stays
 * at N connections, so a proxy that cuts slow clients is measured under the same pressure as
 * one that keeps them.
 *
 * <p><b>Slow connections.</b> {@code head}: {@code GET} with a header line that never ends.
 * {@code body}: a complete {@code POST --body-path} head with {@code Transfer-Encoding:
 * chunked}, then a body whose bytes ({@code 1\r\nx\r\n} repeated) come one a second. One
 * thread with a selector drives them all; each connection's byte falls at its own offset in
 * the second.
 *
 * <p><b>Normal client.</b> Open-loop GETs at {@code --rate} per second over
 * {@code --connections} keep-alive connections; latency from each request's due time to the
 * last byte of the answer (coordinated-omission safe, as in bench/failover). An error is a
 * non-200 answer or a socket error (the connection is then re-opened); none is retried.
 *
 * <p>Output: {@code key=value} lines on stdout (see the end of {@link #main}).
 */
public final class Slowloris {

    public static void main(String[] args) throws Exception {
        Map<String, String> o = options(args);
        InetSocketAddress target = new InetSocketAddress("127.0.0.1", Integer.parseInt(o.get("port")));
        String mode = o.getOrDefault("mode", "head");
        int slow = Integer.parseInt(o.getOrDefault("slow", "1000"));
        double warmup = Double.parseDouble(o.getOrDefault("warmup", "5"));
        double quiet = Double.parseDouble(o.getOrDefault("quiet", "10"));
        double duration = Double.parseDouble(o.getOrDefault("duration", "75"));
        int rate = Integer.parseInt(o.getOrDefault("rate", "100"));
        int connections = Integer.parseInt(o.getOrDefault("connections", "4"));
        String path = o.getOrDefault("path", "/small");
        String bodyPath = o.getOrDefault("body-path", "/upload");

        Normal.run(target, path, warmup, rate, connections);
        Normal.Result calm = Normal.run(target, path, quiet, rate, connections);

        Attack attack = new Attack(target, mode, slow, bodyPath);
        Thread driver = new Thread(attack::drive, "slow-connections");
        driver.start();
        attack.awaitOpen(30);
        Normal.Result under = Normal.run(target, path, duration, rate, connections);
        attack.stop();
        driver.join(30_000);

        calm.print("quiet");
        under.print("attack");
        attack.print();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> o = new TreeMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        if (!o.containsKey("port")) {
            throw new IllegalArgumentException("--port is required");
        }
        return o;
    }

    /** The slow connections, on one thread. */
    static final class Attack {
        private final InetSocketAddress target;
        private final boolean body;
        private final int size;
        private final byte[] head;
        private final byte[] cycle;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong opened = new AtomicLong();
        private volatile boolean allOpen;
        private volatile String failure;
        private final List<Conn> conns = new ArrayList<>();
        private final List<double[]> cuts = new ArrayList<>(); // {lifetime s, at s since attack start}
        private final Map<String, Integer> cutKinds = new TreeMap<>();
        private long attackStart;
        private long bytes;
        private int stillOpenFromFirst;
        private int connectFailures;

        Attack(InetSocketAddress target, String mode, int size, String bodyPath) {
            this.target = target;
            this.body = mode.equals("body");
            this.size = size;
            String immediate = body
                    ? "POST " + bodyPath + " HTTP/1.1\r\nHost: slow\r\nTransfer-Encoding: chunked\r\n\r\n"
                    : "";
            this.head = immediate.getBytes(StandardCharsets.ISO_8859_1);
            this.cycle = (body ? "1\r\nx\r\n" : "GET /slow HTTP/1.1\r\nHost: slow\r\nX-Trickle: ")
                    .getBytes(StandardCharsets.ISO_8859_1);
        }

        /** One slow connection: its place in the second, its stream position, its birth. */
        final class Conn {
            final int slot;
            int generation; // 0 for the connection first opened in this slot, +1 per replacement
            SocketChannel channel;
            long born;
            long position;
            long nextWrite;

            Conn(int slot) {
                this.slot = slot;
            }

            byte next() {
                if (body || position < cycle.length) {
                    return cycle[(int) (position % cycle.length)];
                }
                return 'x'; // the never-ending header value
            }
        }

        void drive() {
            try (Selector selector = Selector.open()) {
                attackStart = System.nanoTime();
                long spread = 1_000_000_000L / size;
                for (int i = 0; i < size && running.get(); i++) {
                    Conn conn = new Conn(i);
                    conns.add(conn);
                    // Opening is spread over the first second, like the writes.
                    long due = attackStart + i * spread;
                    long wait;
                    while ((wait = due - System.nanoTime()) > 0) {
                        LockSupport.parkNanos(wait);
                    }
                    open(conn, selector);
                }
                allOpen = true;
                while (running.get()) {
                    long now = System.nanoTime();
                    long soonest = Long.MAX_VALUE;
                    for (Conn conn : conns) {
                        if (conn.channel == null) {
                            open(conn, selector); // replace one the proxy cut
                            continue;
                        }
                        if (conn.nextWrite <= now) {
                            write(conn, now);
                        }
                        soonest = Math.min(soonest, conn.nextWrite);
                    }
                    long sleepMs = Math.max(1, (soonest - System.nanoTime()) / 1_000_000);
                    selector.select(Math.min(sleepMs, 5));
                    for (SelectionKey key : selector.selectedKeys()) {
                        readable((Conn) key.attachment(), key);
                    }
                    selector.selectedKeys().clear();
                }
                for (Conn conn : conns) {
                    if (conn.channel != null) {
                        if (conn.generation == 0) {
                            stillOpenFromFirst++;
                        }
                        conn.channel.close();
                    }
                }
            } catch (IOException | RuntimeException e) {
                failure = e.toString();
                allOpen = true;
            }
        }

        private void open(Conn conn, Selector selector) throws IOException {
            SocketChannel channel = SocketChannel.open();
            try {
                channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
                channel.connect(target);
                if (head.length > 0) {
                    channel.write(ByteBuffer.wrap(head));
                }
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ, conn);
            } catch (IOException e) {
                channel.close();
                connectFailures++;
                return; // retried on the next pass
            }
            conn.channel = channel;
            conn.born = System.nanoTime();
            conn.position = 0;
            long slotOffset = (long) conn.slot * (1_000_000_000L / size);
            long sinceStart = conn.born - attackStart;
            // The connection's first byte falls at its own offset in the next second.
            conn.nextWrite = attackStart + (sinceStart / 1_000_000_000L + 1) * 1_000_000_000L + slotOffset;
            opened.incrementAndGet();
        }

        private void write(Conn conn, long now) throws IOException {
            try {
                if (conn.channel.write(ByteBuffer.wrap(new byte[] {conn.next()})) == 1) {
                    conn.position++;
                    bytes++;
                    conn.nextWrite += 1_000_000_000L;
                    return;
                }
                cut(conn, "send buffer full");
            } catch (IOException e) {
                cut(conn, "reset on write");
            }
        }

        private void readable(Conn conn, SelectionKey key) throws IOException {
            if (conn.channel == null) {
                return;
            }
            ByteBuffer buffer = ByteBuffer.allocate(256);
            int n;
            try {
                n = conn.channel.read(buffer);
            } catch (IOException e) {
                cut(conn, "reset");
                return;
            }
            if (n > 0) {
                String text = new String(buffer.array(), 0, n, StandardCharsets.ISO_8859_1);
                String first = text.lines().findFirst().orElse("");
                String[] parts = first.split(" ");
                String kind = parts.length > 1 && parts[0].startsWith("HTTP/") ? "answered " + parts[1] : "bytes";
                cut(conn, kind);
            } else if (n < 0) {
                cut(conn, "closed");
            }
        }

        private void cut(Conn conn, String kind) throws IOException {
            long now = System.nanoTime();
            cuts.add(new double[] {(now - conn.born) / 1e9, (now - attackStart) / 1e9});
            cutKinds.merge(kind, 1, Integer::sum);
            conn.channel.close();
            conn.channel = null;
            conn.generation++;
        }

        void awaitOpen(int seconds) throws InterruptedException {
            long end = System.nanoTime() + seconds * 1_000_000_000L;
            while (!allOpen && System.nanoTime() < end) {
                Thread.sleep(10);
            }
        }

        void stop() {
            running.set(false);
        }

        void print() {
            double[] lifetimes = cuts.stream().mapToDouble(c -> c[0]).sorted().toArray();
            double firstCut = cuts.stream().mapToDouble(c -> c[1]).min().orElse(-1);
            System.out.printf(Locale.ROOT, "slow_opened=%d%n", opened.get());
            System.out.printf(Locale.ROOT, "slow_cut=%d%n", cuts.size());
            System.out.printf(Locale.ROOT, "slow_first_still_open=%d%n", stillOpenFromFirst);
            System.out.printf(Locale.ROOT, "slow_first_cut_s=%.1f%n", firstCut);
            System.out.printf(
                    Locale.ROOT,
                    "slow_lifetime_s=%s%n",
                    lifetimes.length == 0
                            ? "-"
                            : String.format(
                                    Locale.ROOT,
                                    "%.1f/%.1f/%.1f",
                                    lifetimes[0],
                                    lifetimes[lifetimes.length / 2],
                                    lifetimes[lifetimes.length - 1]));
            System.out.printf(Locale.ROOT, "slow_cut_kinds=%s%n", cutKinds.isEmpty() ? "-" : cutKinds.toString());
            System.out.printf(Locale.ROOT, "slow_bytes=%d%n", bytes);
            System.out.printf(Locale.ROOT, "slow_connect_failures=%d%n", connectFailures);
            System.out.printf(Locale.ROOT, "slow_failure=%s%n", failure == null ? "-" : failure);
        }
    }

    /** The normal client: open-loop keep-alive GETs, latency from the due time. */
    static final class Normal {
        /** "settled" percentiles leave out the first seconds of a phase (the slow connections' arrival). */
        static final int SETTLE_SECONDS = 5;

        /**
         * {@code micros} sorted; {@code perSecondMax}: the slowest request due in each second
         * of the phase, in µs, so a burst shows where it happened.
         */
        record Result(long[] micros, long[] settled, long[] perSecondMax, long ok, List<String> errors) {
            double ms(double percentile) {
                return ms(micros, percentile);
            }

            static double ms(long[] sorted, double percentile) {
                if (sorted.length == 0) {
                    return -1;
                }
                int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
                return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1000.0;
            }

            void print(String phase) {
                System.out.printf(Locale.ROOT, "%s_requests=%d%n", phase, micros.length);
                System.out.printf(Locale.ROOT, "%s_errors=%d%n", phase, errors.size());
                System.out.printf(
                        Locale.ROOT,
                        "%s_ms=%.1f/%.1f/%.1f/%.1f%n",
                        phase,
                        ms(50),
                        ms(99),
                        ms(99.9),
                        micros.length == 0 ? -1 : micros[micros.length - 1] / 1000.0);
                System.out.printf(
                        Locale.ROOT,
                        "%s_settled_ms=%.1f/%.1f/%.1f%n",
                        phase,
                        ms(settled, 50),
                        ms(settled, 99),
                        ms(settled, 99.9));
                long over = Arrays.stream(perSecondMax).filter(m -> m > 50_000).count();
                System.out.printf(Locale.ROOT, "%s_seconds_over_50ms=%d/%d%n", phase, over, perSecondMax.length);
                StringBuilder each = new StringBuilder();
                for (long m : perSecondMax) {
                    each.append(each.length() == 0 ? "" : " ").append(m / 1000);
                }
                System.out.printf(Locale.ROOT, "%s_per_second_max_ms=%s%n", phase, each);
                System.out.printf(
                        Locale.ROOT,
                        "%s_first_errors=%s%n",
                        phase,
                        errors.isEmpty() ? "-" : String.join(" | ", errors.subList(0, Math.min(3, errors.size()))));
            }
        }

        static Result run(InetSocketAddress target, String path, double seconds, int rate, int connections)
                throws Exception {
            int count = (int) Math.round(seconds * rate);
            long period = 1_000_000_000L / rate;
            long start = System.nanoTime() + 50_000_000L;
            byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: normal\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            List<String> errors = new CopyOnWriteArrayList<>();
            ExecutorService pool = Executors.newFixedThreadPool(connections);
            List<Future<long[][]>> parts = new ArrayList<>();
            for (int c = 0; c < connections; c++) {
                int firstIndex = c;
                parts.add(pool.submit(() -> {
                    long[] mine = new long[(count + connections - 1) / connections];
                    long[] dueAt = new long[mine.length];
                    int n = 0;
                    Client client = null;
                    for (int i = firstIndex; i < count; i += connections) {
                        long due = start + i * period;
                        long wait;
                        while ((wait = due - System.nanoTime()) > 0) {
                            LockSupport.parkNanos(wait);
                        }
                        try {
                            if (client == null) {
                                client = new Client(target);
                            }
                            int status = client.get(request);
                            if (status != 200) {
                                errors.add("status " + status);
                            }
                        } catch (IOException e) {
                            errors.add(e.toString());
                            if (client != null) {
                                client.close();
                            }
                            client = null;
                        }
                        dueAt[n] = i;
                        mine[n++] = (System.nanoTime() - due) / 1000;
                    }
                    if (client != null) {
                        client.close();
                    }
                    return new long[][] {Arrays.copyOf(mine, n), Arrays.copyOf(dueAt, n)};
                }));
            }
            pool.shutdown();
            List<Long> all = new ArrayList<>();
            List<Long> settled = new ArrayList<>();
            long[] perSecondMax = new long[(count + rate - 1) / rate];
            for (Future<long[][]> part : parts) {
                long[][] got = part.get((long) seconds + 120, TimeUnit.SECONDS);
                for (int k = 0; k < got[0].length; k++) {
                    long latency = got[0][k];
                    int second = (int) (got[1][k] / rate);
                    all.add(latency);
                    if (second >= SETTLE_SECONDS) {
                        settled.add(latency);
                    }
                    perSecondMax[second] = Math.max(perSecondMax[second], latency);
                }
            }
            long[] micros = all.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] calm = settled.stream().mapToLong(Long::longValue).sorted().toArray();
            return new Result(micros, calm, perSecondMax, micros.length - errors.size(), errors);
        }
    }

    /** A minimal keep-alive HTTP/1.1 client: Content-Length or chunked answers. */
    static final class Client {
        private final Socket socket = new Socket();
        private final InputStream in;
        private final OutputStream out;

        Client(InetSocketAddress target) throws IOException {
            socket.setTcpNoDelay(true);
            socket.connect(target, 5000);
            socket.setSoTimeout(30_000);
            in = new BufferedInputStream(socket.getInputStream());
            out = socket.getOutputStream();
        }

        int get(byte[] request) throws IOException {
            out.write(request);
            out.flush();
            String status = line();
            if (status == null) {
                throw new IOException("closed before an answer");
            }
            int code = Integer.parseInt(status.split(" ")[1]);
            long length = -1;
            boolean chunked = false;
            String line;
            while ((line = line()) != null && !line.isEmpty()) {
                String lower = line.toLowerCase(Locale.ROOT);
                if (lower.startsWith("content-length:")) {
                    length = Long.parseLong(lower.substring(15).trim());
                } else if (lower.startsWith("transfer-encoding:") && lower.contains("chunked")) {
                    chunked = true;
                }
            }
            if (chunked) {
                long size;
                while ((size = Long.parseLong(line().split(";")[0].trim(), 16)) > 0) {
                    in.skipNBytes(size);
                    line();
                }
                while (!line().isEmpty()) {
                    // trailers
                }
            } else if (length > 0) {
                in.skipNBytes(length);
            }
            return code;
        }

        private String line() throws IOException {
            StringBuilder s = new StringBuilder();
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    int end = s.length() > 0 && s.charAt(s.length() - 1) == '\r' ? s.length() - 1 : s.length();
                    return s.substring(0, end);
                }
                s.append((char) b);
            }
            return s.length() == 0 ? null : s.toString();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }
}
