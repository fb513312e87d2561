#!/usr/bin/env python3
"""Backend and byte generator for the Switchyard memory benchmark (stdlib only).

The payload is a deterministic pseudo-random stream: block i (1 MiB) is
SHAKE-128(SEED || i as 8 bytes big-endian) truncated to the block's length.
Nothing is read from disk; any process can regenerate the same bytes.

    backend.py serve [--host 127.0.0.1] [--port 18081]
        GET  /download?bytes=N  -> 200, Content-Length: N, the first N bytes of the stream
        POST /upload (or PUT)   -> reads the body (Content-Length or chunked) in chunks,
                                   answers "<length> <sha256hex>\\n"; the framing it saw
                                   (content-length, or chunked and how many chunks) is
                                   in the X-Upload-Framing response header
        GET  /health            -> 200 "ok\\n"
    backend.py emit N     write the first N bytes of the stream to stdout
    backend.py sha256 N   print the sha256 hex of the first N bytes of the stream
"""

import argparse
import hashlib
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

SEED = b"switchyard-bench-memory-v1"
BLOCK = 1 << 20  # 1 MiB
MAX_BYTES = 1 << 40


def blocks(total):
    """Yield the first `total` bytes of the stream, in blocks of at most 1 MiB."""
    index = 0
    remaining = total
    while remaining > 0:
        n = min(BLOCK, remaining)
        yield hashlib.shake_128(SEED + index.to_bytes(8, "big")).digest(n)
        remaining -= n
        index += 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "switchyard-bench-backend"

    def log_message(self, fmt, *args):
        sys.stderr.write("backend: %s %s\n" % (self.address_string(), fmt % args))
        sys.stderr.flush()

    def _reply(self, status, body, extra=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urlsplit(self.path)
        if url.path == "/health":
            self._reply(200, "ok\n")
            return
        if url.path != "/download":
            self._reply(404, "not found\n")
            return
        try:
            n = int(parse_qs(url.query).get("bytes", ["0"])[0])
            if n < 0 or n > MAX_BYTES:
                raise ValueError
        except ValueError:
            self._reply(400, "bytes must be an integer in 0..2^40\n")
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        sent = 0
        try:
            for block in blocks(n):
                self.wfile.write(block)
                sent += len(block)
        except (BrokenPipeError, ConnectionResetError) as e:
            self.log_message("download aborted after %d of %d bytes: %s", sent, n, e)
            self.close_connection = True

    def _read_exact(self, n, digest):
        got = 0
        while got < n:
            piece = self.rfile.read(min(BLOCK, n - got))
            if not piece:
                raise EOFError("body ended after %d of %d bytes" % (got, n))
            digest.update(piece)
            got += len(piece)
        return got

    def _upload(self):
        if urlsplit(self.path).path != "/upload":
            self._reply(404, "not found\n")
            return
        digest = hashlib.sha256()
        te = self.headers.get("Transfer-Encoding", "")
        try:
            if "chunked" in te.lower():
                length = 0
                chunks = 0
                while True:
                    line = self.rfile.readline(65537)
                    if not line:
                        raise EOFError("body ended inside the chunked framing")
                    size = int(line.split(b";", 1)[0].strip(), 16)
                    if size == 0:
                        while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                            pass  # trailers
                        break
                    length += self._read_exact(size, digest)
                    chunks += 1
                    if self.rfile.read(2) != b"\r\n":
                        raise ValueError("chunk not followed by CRLF")
                framing = "chunked (%d chunks)" % chunks
            else:
                framing = "content-length"
                length = self._read_exact(int(self.headers.get("Content-Length", "0")), digest)
        except (EOFError, ValueError) as e:
            self.log_message("bad upload: %s", e)
            self.close_connection = True
            self._reply(400, "bad upload: %s\n" % e)
            return
        self.log_message("upload %s: %d bytes sha256 %s", framing, length, digest.hexdigest())
        self._reply(200, "%d %s\n" % (length, digest.hexdigest()), [("X-Upload-Framing", framing)])

    do_POST = _upload
    do_PUT = _upload


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="cmd", required=True)
    serve = sub.add_parser("serve")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=18081)
    sub.add_parser("emit").add_argument("bytes", type=int)
    sub.add_parser("sha256").add_argument("bytes", type=int)
    args = parser.parse_args()

    if args.cmd == "serve":
        server = ThreadingHTTPServer((args.host, args.port), Handler)
        server.daemon_threads = True
        sys.stderr.write("backend listening on %s:%d\n" % (args.host, args.port))
        sys.stderr.flush()
        try:
            server.serve_forever()
        except KeyboardInterrupt:
            pass
    elif args.cmd == "emit":
        out = sys.stdout.buffer
        try:
            for block in blocks(args.bytes):
                out.write(block)
            out.flush()
        except BrokenPipeError:
            sys.exit(1)
    else:
        digest = hashlib.sha256()
        for block in blocks(args.bytes):
            digest.update(block)
        print(digest.hexdigest())


if __name__ == "__main__":
    main()
