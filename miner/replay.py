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
import time
from collections.abc import Mapping, Sequence
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


ENTRY = re.compile(rb'[ \t]*<li class="[^"]*">\s*<a title="paper title"[^\n]*\n')
"""One paper of a NeurIPS year index, as the recorded pages write it (one line per paper)."""


def listed_hashes(index: bytes) -> list[str]:
    """The paper hashes of a year index, in listing order."""
    found = re.findall(rb"/paper_files/paper/2019/hash/([0-9a-f]{32})-Abstract\.html", index)
    return list(dict.fromkeys(h.decode() for h in found))


def trim_index(index: bytes, papers: int) -> bytes:
    """A recorded year index with only its first `papers` entries."""
    kept = 0

    def keep(match: re.Match[bytes]) -> bytes:
        nonlocal kept
        kept += 1
        return match.group(0) if kept <= papers else b""

    return ENTRY.sub(keep, index)


def serve_as(index: bytes, pdfs: Sequence[bytes]) -> dict[str, bytes]:
    """Listed paper hash -> the PDF served for it: `pdfs` in listing order, cycled."""
    return {h: pdfs[i % len(pdfs)] for i, h in enumerate(listed_hashes(index))}


@cache
def stand_ins() -> dict[str, bytes]:
    """Listed paper hash -> the bundled sample PDF served in its place, in listing order."""
    sample = resources.files("miner") / "data" / "sample"
    names = sorted(p.name for p in sample.iterdir() if p.name.endswith(".pdf"))
    return serve_as(index_html(), [(sample / name).read_bytes() for name in names])


class ReplayHandler(BaseHTTPRequestHandler):
    """GET the index, a stand-in PDF, or a 404; each response after `delay` seconds."""

    index: bytes | None = None
    """The year index served (default: the bundled recording)."""
    pdfs: Mapping[str, bytes] | None = None
    """Paper hash -> PDF bytes (default: the bundled stand-ins)."""
    delay = 0.0
    """Seconds each response waits: a stand-in for the network's time."""

    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        path = self.path.split("?", 1)[0].rstrip("/")
        match = PDF_PATH.match(path)
        pdfs = self.pdfs if self.pdfs is not None else stand_ins()
        if self.delay:
            time.sleep(self.delay)
        if path == INDEX_PATH:
            self._send(200, "text/html; charset=utf-8", self.index or index_html())
        elif match and match.group(1) in pdfs:
            self._send(200, "application/pdf", pdfs[match.group(1)])
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


def make_server(
    port: int = DEFAULT_PORT,
    quiet: bool = False,
    *,
    index: bytes | None = None,
    pdfs: Sequence[bytes] | None = None,
    delay: float = 0.0,
) -> ThreadingHTTPServer:
    """A replay server bound to 127.0.0.1:port (0 picks a free port); call serve_forever().

    `index` and `pdfs` replace the bundled index and stand-ins (PDFs in listing order, cycled);
    `delay` seconds pass before each response.
    """
    attrs: dict[str, object] = {"quiet": quiet, "delay": delay}
    if index is not None:
        attrs["index"] = index
    if pdfs is not None:
        attrs["pdfs"] = serve_as(index or index_html(), pdfs)
    handler = type("ConfiguredReplayHandler", (ReplayHandler,), attrs)
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
