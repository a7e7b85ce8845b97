"""A local hostile HTTP server (127.0.0.1, threads) that answers with raw bytes, for tests (#18).

Each path is a route that writes its own status line, headers and body to the socket, so it can
lie in every way a server can: stacked gzip layers, a gzip bomb, an endless or dripping body,
dripping headers, redirects to file:, ftp: and data: URLs, HTML nested past libxml2's depth
limit. Every loop is bounded (by bytes sent and by time) so a test can never hang on the server.
Routes not listed fall back to `pages` (path -> (content type, body)).
"""

from __future__ import annotations

import gzip
import socket
import socketserver
import threading
import time
import zlib
from collections import Counter
from collections.abc import Callable

MAX_SECONDS = 30.0
"""No route keeps a connection longer than this."""
MAX_SENT = 1 << 30
"""No route sends more than this many bytes."""

Route = Callable[[socket.socket], None]


def head(status: str, headers: dict[str, str]) -> bytes:
    """A response head: status line, headers (Connection: close), blank line."""
    lines = [f"HTTP/1.1 {status}", *(f"{k}: {v}" for k, v in headers.items()), "Connection: close"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def respond(
    body: bytes, ctype: str = "application/pdf", extra: dict[str, str] | None = None
) -> Route:
    """A route answering 200 with body."""

    def route(sock: socket.socket) -> None:
        headers = {"Content-Type": ctype, "Content-Length": str(len(body)), **(extra or {})}
        sock.sendall(head("200 OK", headers) + body)

    return route


def redirect(location: str) -> Route:
    """A route answering 302 to location."""

    def route(sock: socket.socket) -> None:
        sock.sendall(head("302 Found", {"Location": location, "Content-Length": "0"}))

    return route


def gzip_bomb(mib: int) -> bytes:
    """gzip of `mib` MiB of zeros, compressed once (~1 KB per MiB), built in pieces."""
    comp = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1 << 20)
    return b"".join(comp.compress(block) for _ in range(mib)) + comp.flush()


def stacked_gzip(mib: int) -> bytes:
    """gzip(gzip(zeros)): a few KB that a decoder of both layers inflates to `mib` MiB."""
    return gzip.compress(gzip_bomb(mib), 9)


def endless(sock: socket.socket) -> None:
    """200 with no length and a body that never ends (until MAX_SENT or MAX_SECONDS)."""
    sock.sendall(head("200 OK", {"Content-Type": "text/html"}))
    chunk, sent, start = b"<p>" + b"x" * 65533, 0, time.monotonic()
    while sent < MAX_SENT and time.monotonic() - start < MAX_SECONDS:
        sock.sendall(chunk)
        sent += len(chunk)


def drip(sock: socket.socket, every: float = 0.2) -> None:
    """A PDF's head, then one body byte every `every` seconds (each read is quick to answer)."""
    body = b"%PDF-1.7\n" + b"x" * 10_000
    sock.sendall(
        head("200 OK", {"Content-Type": "application/pdf", "Content-Length": str(len(body))})
    )
    start = time.monotonic()
    for byte in body:
        if time.monotonic() - start > MAX_SECONDS:
            return
        sock.sendall(bytes([byte]))
        time.sleep(every)


def drip_head(sock: socket.socket, every: float = 0.2) -> None:
    """The response head itself, one byte every `every` seconds."""
    start = time.monotonic()
    for byte in b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 5000:
        if time.monotonic() - start > MAX_SECONDS:
            return
        sock.sendall(bytes([byte]))
        time.sleep(every)


class HostileServer:
    """Serves `routes` (path -> Route) and `pages` (path -> (type, body)); counts hits per path."""

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        pages: dict[str, tuple[str, bytes]] | None = None,
    ) -> None:
        self.routes = dict(routes or {})
        for path, (ctype, body) in (pages or {}).items():
            self.routes[path] = respond(body, ctype)
        self.hits: Counter[str] = Counter()
        state = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                sock: socket.socket = self.request
                sock.settimeout(MAX_SECONDS)
                data = b""
                while b"\r\n\r\n" not in data and len(data) < 65536:
                    piece = sock.recv(4096)
                    if not piece:
                        return
                    data += piece
                path = data.split(b" ", 2)[1].decode().split("?")[0]
                state.hits[path] += 1
                route = state.routes.get(path)
                try:
                    if route is None:
                        sock.sendall(head("404 Not Found", {"Content-Length": "0"}))
                    else:
                        route(sock)
                except OSError:  # the client gave up (what most routes are for)
                    return

        self.server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}"

    def url(self, path: str) -> str:
        return self.base + path

    def __enter__(self) -> HostileServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()
