package dev.switchyard.health;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A plain-socket backend on 127.0.0.1 for probe tests: each accepted connection reads the
 * request head (recorded for assertions) and then gets what the test's {@link Script} does.
 * One acceptor thread; closing it closes the listening socket and every accepted one.
 */
final class ScriptedBackend implements AutoCloseable {

    /** What the backend does with one connection after the request head was read. */
    interface Script {
        void answer(Socket socket, OutputStream out) throws IOException;
    }

    private final ServerSocket listener;
    private final List<Socket> accepted = new CopyOnWriteArrayList<>();
    private final List<List<String>> heads = new CopyOnWriteArrayList<>();
    private final Thread acceptor;

    private ScriptedBackend(boolean readHead, Script script) throws IOException {
        listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        acceptor = new Thread(
                () -> {
                    while (!listener.isClosed()) {
                        try (Socket socket = listener.accept()) {
                            accepted.add(socket);
                            if (readHead) {
                                heads.add(readHead(socket));
                            }
                            script.answer(socket, socket.getOutputStream());
                        } catch (IOException e) {
                            // the listener closed, or the probe went away first: both end the exchange
                        }
                    }
                },
                "scripted-backend");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** Reads each request head, then runs {@code script}. */
    static ScriptedBackend answering(Script script) throws IOException {
        return new ScriptedBackend(true, script);
    }

    /** Writes {@code response} verbatim after the request head, then closes the connection. */
    static ScriptedBackend answering(String response) throws IOException {
        return answering((socket, out) -> out.write(response.getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** Accepts and reads nothing; the connection stays open until the test ends. */
    static ScriptedBackend silent() throws IOException {
        return new ScriptedBackend(false, (socket, out) -> {
            try {
                Thread.sleep(Long.MAX_VALUE);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
    }

    int port() {
        return listener.getLocalPort();
    }

    /** The request heads received so far, one list of lines each. */
    List<List<String>> heads() {
        return heads;
    }

    private static List<String> readHead(Socket socket) throws IOException {
        BufferedReader in =
                new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
        List<String> lines = new ArrayList<>();
        for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
            lines.add(line);
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        listener.close();
        acceptor.interrupt();
        for (Socket socket : accepted) {
            socket.close();
        }
    }
}
