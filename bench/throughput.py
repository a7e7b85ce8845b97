"""Pages per second: raw PyMuPDF (the physical limit) vs miner end to end, 1 and 2 workers, and peers.

Run: .venv/bin/python bench/throughput.py [--corpus ../shared/corpus/pdfs] [--peer-files 12]

All phases run in this process tree on the same files: (a) PyMuPDF page.get_text() over every
page; (b) miner extract + classify into a fresh SQLite DB with one worker; (c) the same with two
workers; then pdftotext, pypdf and pdfminer.six on a subset, each compared with (a) on the same
subset. Memory is the peak sum over this process and all its children: RSS (every 50 ms) and PSS
(every 0.5 s; shared pages split among the processes that share them).
Not a test: it prints numbers and ratios against the targets (b)/(a) >= 0.80, (c)/(b) >= 1.7.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psutil

import miner  # noqa: F401  # before pymupdf: keeps PyMuPDF's unused extras out (see miner/__init__)

ROOT = Path(__file__).resolve().parent.parent
# shared/ sits beside the clone (CI) or beside the worktrees' parent (a developer's worktree).
DEFAULT_CORPUS = next(
    (
        p / "shared" / "corpus" / "pdfs"
        for p in (ROOT.parent, ROOT.parent.parent)
        if (p / "shared").is_dir()
    ),
    ROOT.parent / "shared" / "corpus" / "pdfs",
)


class PeakRss:
    """Samples the memory of this process tree in a thread (bytes).

    `peak` is the largest sum of RSS seen (every `interval` s): it counts pages that forked
    workers share with their fork server once per process, so it overstates. `peak_pss` is the
    largest sum of PSS (shared pages divided among their sharers), read every `pss_every`
    samples because reading it costs ~5 ms per process.
    """

    def __init__(self, interval: float = 0.05, pss_every: int = 10) -> None:
        self.interval, self.pss_every = interval, pss_every
        self.peak = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, pss: bool = False) -> int:
        me = psutil.Process()
        total = 0
        for proc in [me, *me.children(recursive=True)]:
            with suppress(psutil.Error):
                total += proc.memory_full_info().pss if pss else proc.memory_info().rss
        return total

    def _run(self) -> None:
        tick = 0
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            if tick % self.pss_every == 0:
                self.peak_pss = max(self.peak_pss, self._sample(pss=True))
            tick += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakRss:
        self.peak = self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_pss = max(self.peak_pss, self._sample(pss=True))


@contextmanager
def phase(results: list[dict[str, object]], name: str, pages: int) -> Iterator[None]:
    """Time a phase and record pages/s and peak RSS."""
    with PeakRss() as rss:
        started = time.perf_counter()
        yield
        seconds = time.perf_counter() - started
    results.append(
        {
            "phase": name,
            "pages": pages,
            "seconds": seconds,
            "pages_s": pages / seconds,
            "rss": rss.peak,
            "pss": rss.peak_pss,
        }
    )


def raw_pymupdf(files: list[Path]) -> int:
    """(a): open every file from bytes and call page.get_text() on every page; returns pages."""
    import pymupdf

    pages = 0
    for f in files:
        with pymupdf.open(stream=f.read_bytes(), filetype="pdf") as doc:
            for page in doc:
                page.get_text()
                pages += 1
    return pages


def miner_end_to_end(files: list[Path], workers: int, workdir: Path) -> float:
    """(b)/(c): ingest (untimed), then time extract + classify into a fresh SQLite DB."""
    from db import make_engine
    from miner.stages import ScaleOptions
    from miner.stages.classify import run_classify
    from miner.stages.extract import run_extract
    from miner.stages.ingest import run_ingest

    db = workdir / f"bench-{workers}.db"
    engine = make_engine(str(db))
    run_ingest(engine, [str(f) for f in files], venue="bench", year=2024)
    scale = ScaleOptions(workers=workers)
    started = time.perf_counter()
    extracted = run_extract(engine, scale=scale)
    middle = time.perf_counter()
    classified = run_classify(engine, classifier="rules", scale=scale)
    seconds = time.perf_counter() - started
    engine.dispose()
    print(
        f"  workers={workers}: extract {middle - started:.1f} s ({extracted.summary()}); "
        f"classify {seconds - (middle - started):.1f} s ({classified.summary()})"
    )
    return seconds


def miner_extract_pdf(files: list[Path]) -> None:
    """miner's extraction alone, in this process (no DB, no workers), for the peers' table."""
    from miner.extract.pdf import extract_pdf

    for f in files:
        extract_pdf(f.read_bytes())


def peer_pdftotext(files: list[Path]) -> None:
    for f in files:
        subprocess.run(["pdftotext", "-q", str(f), "-"], check=False, capture_output=True)


def peer_pypdf(files: list[Path]) -> None:
    import pypdf

    for f in files:
        for page in pypdf.PdfReader(f).pages:
            page.extract_text()


def peer_pdfminer(files: list[Path]) -> None:
    from pdfminer.high_level import extract_text

    for f in files:
        extract_text(str(f))


def count_pages(files: list[Path]) -> int:
    import pymupdf

    total = 0
    for f in files:
        with pymupdf.open(f) as doc:
            total += doc.page_count
    return total


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def corpus_parser(doc: str) -> argparse.ArgumentParser:
    """A parser with --corpus and --limit (see corpus_files); doc's first line describes it."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--limit", type=int, help="Only the first N files (sorted by name).")
    return parser


def corpus_files(args: argparse.Namespace) -> list[Path]:
    """The PDFs named by --corpus and --limit; exits with a message when there are none."""
    files = sorted(args.corpus.glob("*.pdf"))[: args.limit]
    if not files:
        sys.exit(f"no PDFs in {args.corpus}")
    return files


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # pypdf and pdfminer warn on every odd object
    parser = corpus_parser(__doc__)
    parser.add_argument("--peer-files", type=int, default=12, help="Files for the peer extractors.")
    args = parser.parse_args()
    files = corpus_files(args)
    pages = count_pages(files)
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PyMuPDF {version('pymupdf')}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    print(f"# {len(files)} files, {pages} pages from {args.corpus}")
    results: list[dict[str, object]] = []
    with phase(results, "(a) raw PyMuPDF get_text", pages):
        raw_pymupdf(files)
    with tempfile.TemporaryDirectory() as tmp:
        for workers, name in (
            (1, "(b) miner extract+classify, 1 worker"),
            (2, "(c) same, 2 workers"),
        ):
            with phase(results, name, pages):
                seconds = miner_end_to_end(files, workers, Path(tmp))
            results[-1]["seconds"] = seconds  # extract + classify only, not ingest
            results[-1]["pages_s"] = pages / seconds
    a, b, c = (float(r["pages_s"]) for r in results[:3])  # type: ignore[arg-type]
    print("\n| phase | pages | seconds | pages/s | peak RSS sum (MB) | peak PSS sum (MB) |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['phase']} | {r['pages']} | {r['seconds']:.1f} | {r['pages_s']:.1f} | "
            f"{int(r['rss']) / 2**20:.0f} | {int(r['pss']) / 2**20:.0f} |"  # type: ignore[call-overload]
        )
    print(f"\n(b)/(a) = {b / a:.2f} (target >= 0.80); (c)/(b) = {c / b:.2f} (target >= 1.7)")

    subset = files[: args.peer_files]
    sub_pages = count_pages(subset)
    base = timed(lambda: raw_pymupdf(subset))
    print(
        f"\nPeers on {len(subset)} files, {sub_pages} pages (raw PyMuPDF: {sub_pages / base:.1f} pages/s):"
    )
    print("| extractor | pages/s | ratio to raw PyMuPDF |")
    print("|---|---:|---:|")
    print(f"| PyMuPDF get_text (a) | {sub_pages / base:.1f} | 1.00 |")
    ours = timed(lambda: miner_extract_pdf(subset))
    print(
        f"| miner extract_pdf (layout, links, sections) | {sub_pages / ours:.1f} | {base / ours:.2f} |"
    )
    peers: list[tuple[str, Callable[[list[Path]], None]]] = [
        ("pdftotext (poppler)", peer_pdftotext),
        ("pypdf", peer_pypdf),
        ("pdfminer.six", peer_pdfminer),
    ]
    for name, fn in peers:
        if name.startswith("pdftotext") and not shutil.which("pdftotext"):
            print(f"| {name} | skipped: not installed (apt-get install poppler-utils) | - |")
            continue
        try:
            seconds = timed(lambda fn=fn: fn(subset))  # type: ignore[misc]
        except ImportError as exc:
            print(f"| {name} | skipped: {exc} (pip install -e '.[bench]') | - |")
            continue
        print(f"| {name} | {sub_pages / seconds:.1f} | {base / seconds:.2f} |")


if __name__ == "__main__":
    main()
