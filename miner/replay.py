"""A local replay of a recorded venue listing, to try `miner crawl`, `fetch` and `run` offline.

    python -m miner.replay [PORT]        # default 8765, loopback only; Ctrl-C stops it
    miner --db r.db run neurips --year 2019 --base-url http://127.0.0.1:8765 --delay 0

It serves the recorded NeurIPS 2019 index (trimmed to 5 papers) and, for each listed paper's PDF
link, one of the bundled sample PDFs as a stand-in (miner/data/replay/PROVENANCE.md); any other
path is a 404. Socket IO on 127.0.0.1 only.
"""

from __future__ import annotations

import re
import sys
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources

INDEX_PATH = "/paper_files/paper/2019"
PDF_PATH = re.compile(r"^/paper_files/paper/2019/file/([0-9a-f]{32})-Paper\.pdf$")
DEFAULT_PORT = 8765


@cache
def index_html() -> bytes:
    """The recorded (trimmed) NeurIPS 2019 index."""
    return (resources.files("miner") / "data" / "replay" / "neurips-2019-index.html").read_bytes()


@cache
def stand_ins() -> dict[str, bytes]:
    """Listed paper hash -> the bundled sample PDF served in its place, in listing order."""
    hashes = re.findall(
        rb"/paper_files/paper/2019/hash/([0-9a-f]{32})-Abstract\.html", index_html()
    )
    sample = resources.files("miner") / "data" / "sample"
    pdfs = sorted(p.name for p in sample.iterdir() if p.name.endswith(".pdf"))
    ordered = list(dict.fromkeys(h.decode() for h in hashes))
    return {h: (sample / pdfs[i % len(pdfs)]).read_bytes() for i, h in enumerate(ordered)}


class ReplayHandler(BaseHTTPRequestHandler):
    """GET the index, a stand-in PDF, or a 404."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0].rstrip("/")
        match = PDF_PATH.match(path)
        if path == INDEX_PATH:
            self._send(200, "text/html; charset=utf-8", index_html())
        elif match and match.group(1) in stand_ins():
            self._send(200, "application/pdf", stand_ins()[match.group(1)])
        else:
            self._send(404, "text/plain", b"not in this replay\n")

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    quiet = False
    """No request log on stderr (for tests that read stderr themselves)."""

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 (stdlib name)
        if not self.quiet:
            sys.stderr.write(f"replay: {format % args}\n")


def make_server(port: int = DEFAULT_PORT, quiet: bool = False) -> ThreadingHTTPServer:
    """A replay server bound to 127.0.0.1:port (0 picks a free port); call serve_forever()."""
    handler = (
        type("QuietReplayHandler", (ReplayHandler,), {"quiet": True}) if quiet else ReplayHandler
    )
    return ThreadingHTTPServer(("127.0.0.1", port), handler)


def main(argv: list[str]) -> int:
    """Serve until Ctrl-C; the one optional argument is the port."""
    if argv and not argv[0].isdigit():
        print("usage: python -m miner.replay [PORT]", file=sys.stderr)
        return 2
    server = make_server(int(argv[0]) if argv else DEFAULT_PORT)
    port = server.server_address[1]
    print(f"replaying NeurIPS 2019 (5 papers, stand-in PDFs) on 127.0.0.1:{port}", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
