"""A local HTTP server (127.0.0.1, a thread) that fails in every way a PDF host does, for tests.

Paths name the fault: `/ok/<name>`, `/429`, `/500`, `/503-retry-after`, `/drop` (connection closed
mid-body), `/long-length` (Content-Length larger than the body), `/short-length` (smaller),
`/html`, `/loop` (redirects to itself), `/stall` (headers, then silence), `/stall-head` (silence). Faults can be limited to
the first N requests (`fail_first`) and switched off (`healthy = True`) so a retry run succeeds.
`slow` > 0 drips every PDF body over that many seconds (to kill a client mid-download).
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

FAULTS = ("429", "500", "503-retry-after", "drop", "long-length", "short-length", "html", "loop")


class FaultyServer:
    """Serves `pdfs[name]` under /ok/<name> and each fault path, counting hits per path."""

    def __init__(self, pdfs: dict[str, bytes], stall: float = 3.0) -> None:
        self.pdfs = pdfs
        self.hits: Counter[str] = Counter()
        self.healthy = False
        self.fail_first: dict[str, int] = {}
        self.stall = stall
        self.slow = 0.0
        self.lock = threading.Lock()
        handler = type("Handler", (_Handler,), {"server_state": self})
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def base(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def __enter__(self) -> FaultyServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def body_for(self, path: str) -> bytes:
        """The PDF a path serves when it does not fail (one per path, by name)."""
        name = path.rsplit("/", 1)[-1]
        return self.pdfs.get(name) or self.pdfs[sorted(self.pdfs)[hash(name) % len(self.pdfs)]]


class _Handler(BaseHTTPRequestHandler):
    server_state: FaultyServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - quiet tests
        return None

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        st = self.server_state
        path = self.path.split("?")[0]
        with st.lock:
            st.hits[path] += 1
            hit = st.hits[path]
        fault = path.strip("/").split("/")[0]
        failing = not st.healthy and hit <= st.fail_first.get(fault, 10**9)
        if fault == "ok" or not failing:
            self.send_pdf(st.body_for(path))
        elif fault == "429":
            self.send_empty(429, {"Retry-After": "0"})
        elif fault == "500":
            self.send_empty(500)
        elif fault == "503-retry-after":
            self.send_empty(503, {"Retry-After": "7"})
        elif fault == "html":
            self.send_bytes(b"<html><body>Please log in</body></html>", "text/html")
        elif fault == "loop":
            self.send_empty(302, {"Location": path})
        elif fault == "drop":
            body = st.body_for(path)
            self.send_head(200, "application/pdf", len(body))
            self.wfile.write(body[: len(body) // 2])
            self.close_hard()
        elif fault == "long-length":
            body = st.body_for(path)
            self.send_head(200, "application/pdf", len(body) + 1000)
            self.wfile.write(body)
            self.close_hard()
        elif fault == "short-length":
            body = st.body_for(path)
            self.send_head(200, "application/pdf", len(body) // 3)
            self.wfile.write(body)
            self.close_hard()
        elif fault == "stall-head":
            time.sleep(st.stall)
            self.close_hard()
        elif fault == "stall":
            self.send_head(200, "application/pdf", 1000)
            self.wfile.flush()
            time.sleep(st.stall)
            self.close_hard()
        else:
            self.send_empty(404)

    def send_head(
        self, status: int, ctype: str, length: int, extra: dict[str, str] | None = None
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()

    def send_empty(self, status: int, extra: dict[str, str] | None = None) -> None:
        self.send_head(status, "text/plain", 0, extra)

    def send_bytes(self, body: bytes, ctype: str) -> None:
        self.send_head(200, ctype, len(body))
        self.wfile.write(body)

    def send_pdf(self, body: bytes) -> None:
        slow = self.server_state.slow
        if slow <= 0:
            self.send_bytes(body, "application/pdf")
            return
        self.send_head(200, "application/pdf", len(body))
        step = max(1, len(body) // 10)
        for start in range(0, len(body), step):
            self.wfile.write(body[start : start + step])
            self.wfile.flush()
            time.sleep(slow / 10)

    def close_hard(self) -> None:
        self.wfile.flush()
        self.close_connection = True
        self.connection.close()
