#!/usr/bin/env python3
"""Sends every smuggling vector to each proxy and records what came back and what reached the
backend (a RecordingBackend, whose strict parser logs one line per message, violation or
truncated message). Usage: vectors.py OUT.md BACKEND_LOG name=port [name=port ...]

For each vector and proxy: the status line (or "closed"/"timeout"), whether the backend got
anything, and what: "message <framing>" per complete message, "violation" (the backend's
strict parser refused what the proxy sent) or "truncated" (the proxy gave up mid-message).
"""
import socket
import sys
import time

H = "Host: x\r\n"
# (name, bytes). Every vector of MalformedRequestIT, then issue 6 point 1's list beyond it.
VECTORS = [
    ("control: valid GET", f"GET /ok HTTP/1.1\r\n{H}\r\n"),
    ("control: valid chunked POST", f"POST /ok HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
    ("garbage request line", "GARBAGE\r\n\r\n"),
    ("bad version", f"GET / HTTP/9.x\r\n{H}\r\n"),
    ("HTTP/1.1 without Host", "GET / HTTP/1.1\r\n\r\n"),
    ("two Host headers", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n"),
    ("Content-Length with Transfer-Encoding", f"POST / HTTP/1.1\r\n{H}Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("two differing Content-Lengths", f"POST / HTTP/1.1\r\n{H}Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd"),
    ("Transfer-Encoding not chunked", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: gzip\r\n\r\n"),
    ("chunked not last", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n"),
    ("Transfer-Encoding on HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("space before colon", "GET / HTTP/1.1\r\nHost : x\r\n\r\n"),
    ("negative Content-Length", f"POST / HTTP/1.1\r\n{H}Content-Length: -1\r\n\r\n"),
    ("obs-fold in Transfer-Encoding", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: gzip,\r\n chunked\r\n\r\n0\r\n\r\n"),
    ("NUL in a header value", f"GET / HTTP/1.1\r\n{H}X-A: a\x00b\r\n\r\n"),
    ("bare CR in a header value", f"GET / HTTP/1.1\r\n{H}X-A: a\rb\r\n\r\n"),
    ("bare LF line ending", "GET / HTTP/1.1\nHost: x\n\n"),
    ("invalid method token", f"G(T / HTTP/1.1\r\n{H}\r\n"),
    ("target without leading slash", f"GET index.html HTTP/1.1\r\n{H}\r\n"),
    ("two Transfer-Encoding lines", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    ("Content-Length list", f"POST / HTTP/1.1\r\n{H}Content-Length: 1, 1\r\n\r\na"),
    ("CONNECT", "CONNECT shop.example:443 HTTP/1.1\r\nHost: shop.example:443\r\n\r\n"),
    ("header over 16k (431)", f"GET / HTTP/1.1\r\n{H}X-Big: {'a' * 20000}\r\n\r\n"),
    ("URI over 8k (414)", f"GET /{'a' * 9000} HTTP/1.1\r\n{H}\r\n"),
    ("chunk size not hex", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
    ("chunk size overflow", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\nfffffffffffffffff\r\nhello\r\n0\r\n\r\n"),
    ("chunk data without CRLF", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n"),
    # issue 6 point 1, beyond MalformedRequestIT
    ("obs-fold in an ordinary header", f"GET / HTTP/1.1\r\n{H}X-A: a\r\n b\r\n\r\n"),
    ("tab before colon", "GET / HTTP/1.1\r\nHost\t: x\r\n\r\n"),
    ("space before colon in Transfer-Encoding", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding : chunked\r\nContent-Length: 3\r\n\r\nabc"),
    ("Transfer-Encoding: xchunked", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n"),
    ("Transfer-Encoding: chunked, chunked", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked, chunked\r\n\r\n0\r\n\r\n"),
    ("Transfer-Encoding with a vertical tab", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding:\x0bchunked\r\n\r\n0\r\n\r\n"),
    ("Content-Length with a plus sign", f"POST / HTTP/1.1\r\n{H}Content-Length: +3\r\n\r\nabc"),
    ("Content-Length with inner space", f"POST / HTTP/1.1\r\n{H}Content-Length: 1 1\r\n\r\nabcdefghijk"),
    ("two equal Content-Lengths", f"POST / HTTP/1.1\r\n{H}Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc"),
    ("chunk size with 0x prefix", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n"),
    ("chunk size with leading space", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n 5\r\nhello\r\n0\r\n\r\n"),
    ("chunk extension with a control byte", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5;a=\x01\r\nhello\r\n0\r\n\r\n"),
    ("chunk extension with bare LF", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n"),
    ("chunk lines ended by bare LF", f"POST / HTTP/1.1\r\n{H}Transfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n"),
    ("bare CR in the request line", f"GET /\r HTTP/1.1\r\n{H}\r\n"),
    ("NUL in the request line", f"GET /\x00 HTTP/1.1\r\n{H}\r\n"),
    ("NUL in a header name", f"GET / HTTP/1.1\r\n{H}X\x00A: b\r\n\r\n"),
    ("control byte in the target", f"GET /a\x1bb HTTP/1.1\r\n{H}\r\n"),
    ("byte >= 0x80 in the target", f"GET /a\x9ab HTTP/1.1\r\n{H}\r\n"),
    ("lower-case version", f"GET / http/1.1\r\n{H}\r\n"),
    ("version HTTP/1.2", f"GET / HTTP/1.2\r\n{H}\r\n"),
    ("version HTTP/2.0 on HTTP/1 framing", f"GET / HTTP/2.0\r\n{H}\r\n"),
    ("two spaces after the method", f"GET  / HTTP/1.1\r\n{H}\r\n"),
    ("absolute form with another Host", "GET http://a/ HTTP/1.1\r\nHost: b\r\n\r\n"),
]


def send(port, data, timeout=1.5):
    s = socket.create_connection(("127.0.0.1", port), timeout=3)
    s.settimeout(timeout)
    try:
        s.sendall(data)
    except OSError:
        pass
    out = b""
    end = "closed"
    deadline = time.time() + timeout
    try:
        while time.time() < deadline:
            b = s.recv(65536)
            if not b:
                break
            out += b
            if out.count(b"\r\n\r\n") >= 1 and b"content-length: 0\r\n" in out.lower() and out.endswith(b"\r\n\r\n"):
                break  # a complete answer without body: do not wait for a keep-alive close
        else:
            end = "timeout"
    except socket.timeout:
        end = "timeout"
    except OSError:
        end = "reset"
    s.close()
    statuses = [line.split(b" ")[1].decode() for line in out.split(b"\r\n") if line.startswith(b"HTTP/1.") and len(line.split(b" ")) > 1]
    return (" ".join(statuses) if statuses else end), out


def backend_events(log, start):
    """Waits for the backend to settle, then returns its log lines after offset start."""
    time.sleep(0.3)
    with open(log, "rb") as f:
        f.seek(start)
        lines = f.read().decode("latin-1").splitlines()
    events = []
    for line in lines:
        if line.startswith("message "):
            framing = line.split("framing=")[1]
            method_target = " ".join(line.split(" ")[3:5])
            events.append(f"message {framing.replace('=', ' ')} ({method_target[:40]})")
        elif line.startswith("violation "):
            events.append("violation: " + line.split(" ", 2)[2][:80])
        elif line.startswith("truncated "):
            events.append("truncated")
    return events


def size(log):
    with open(log, "rb") as f:
        return len(f.read())


def main():
    out_md, log = sys.argv[1], sys.argv[2]
    proxies = [arg.split("=") for arg in sys.argv[3:]]
    rows = []
    for name, text in VECTORS:
        data = text.encode("latin-1")
        row = [name]
        for proxy, port in proxies:
            start = size(log)
            status, _ = send(int(port), data)
            events = backend_events(log, start)
            row.append((status, events))
        rows.append(row)
        print(name, [(p[0], r[0], r[1]) for p, r in zip(proxies, row[1:])], flush=True)
    with open(out_md, "w") as f:
        names = [p for p, _ in proxies]
        f.write("| Vector | " + " | ".join(f"{n}: status | {n}: backend got" for n in names) + " |\n")
        f.write("|---|" + "---|---|" * len(names) + "\n")
        for row in rows:
            cells = [row[0].replace("|", "\\|")]
            for status, events in row[1:]:
                cells.append(status)
                cells.append("; ".join(events).replace("|", "\\|") if events else "nothing")
            f.write("| " + " | ".join(cells) + " |\n")


if __name__ == "__main__":
    main()
