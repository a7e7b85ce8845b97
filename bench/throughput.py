"""CPU and wall time: raw PyMuPDF (the floor) vs miner's extraction, end to end, 1 and 2 workers.

Run: .venv/bin/python bench/throughput.py [--corpus ../shared/corpus/pdfs] [--runs 5] [--peer-files 0]

Each run, all phases on the same files in this process tree: (a) PyMuPDF page.get_text() over
every page (CPU of this process); (x) miner's extract_pdf alone, in this process; (b) `extract`
+ `classify` into a fresh SQLite DB in this process (`--executor inline`, one worker: CPU time
is exact); (p1)/(p2) `extract` + `classify`, both with the process executor and 1 or 2 workers,
as `miner extract --workers N` then `miner classify --workers N` run them; (r1)/(r2)
raw get_text() in one process and split over two, the machine's own two-process scaling. CPU is
the whole process tree's, read from the kernel's counters (tree_cpu). Runs repeat interleaved and
the medians are printed with the issue's ratios: (a)/(x) CPU >= 0.80,
(a)/(b) CPU >= 0.75, (p1)/(p2) wall >= 1.7 beside (r1)/(r2). CPU time because the wall clock of a
shared VM drifts by 20% and more. Peak memory comes from one more pass of (p1), (p2) and (r2)
after the timed runs, with a sampling thread that would otherwise steal about a tenth of a core
from the two-worker phases (the timed runs before 2026-12-01 23:00 carried it). `--peer-files N`
adds pdftotext, pypdf and pdfminer.six. Not a test: it prints numbers.
"""

from __future__ import annotations

import argparse
import logging
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import version
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's miner, not the one installed in the venv

import miner  # noqa: E402, F401  # before pymupdf: keeps PyMuPDF's unused extras out (see miner/__init__)

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
    samples because reading it costs ~5 ms per process. The sampling costs about a tenth of a
    core, so timed phases run without it (see measured).
    """

    def __init__(self, interval: float = 0.05, pss_every: int = 10) -> None:
        self.interval, self.pss_every = interval, pss_every
        self.peak = self.peak_pss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self, pss: bool = False) -> int:
        total = 0
        me = psutil.Process()
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


@dataclass
class Measure:
    """Wall and CPU seconds of one phase (this process and its children); the peak memory of
    the same phase in the separate sampled pass (0: not sampled)."""

    wall: float = 0.0
    cpu: float = 0.0
    rss: int = 0
    pss: int = 0


def tree_cpu() -> float:
    """CPU seconds used so far by this process, its reaped children and its live children with
    everything they reaped: the fork server reaps the workers it forked, so a stage's workers
    count once they have stopped (every stage stops its workers before it returns). Exact, read
    from the kernel's counters, with no sampling thread to compete with the workers."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    total = time.process_time() + children.ru_utime + children.ru_stime
    for proc in psutil.Process().children():
        with suppress(psutil.Error):
            t = proc.cpu_times()
            total += t.user + t.system + t.children_user + t.children_system
    return total


@contextmanager
def measured(memory: bool = False) -> Iterator[Measure]:
    """Measure the block's wall time and CPU (tree_cpu); with `memory`, also the peak memory of
    the process tree, sampled by a thread that slows what it measures (use a separate pass)."""
    out = Measure()
    with PeakRss() if memory else nullcontext() as rss:
        wall, cpu = time.perf_counter(), tree_cpu()
        yield out
        out.wall = time.perf_counter() - wall
        out.cpu = tree_cpu() - cpu
    if rss is not None:
        out.rss, out.pss = rss.peak, rss.peak_pss


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


def miner_end_to_end(
    files: list[Path], workers: int, executor: str, workdir: Path, memory: bool = False
) -> Measure:
    """(b), (p1), (p2): ingest (not measured), then measure extract + classify into a fresh DB."""
    from db import make_engine
    from miner.stages import ScaleOptions
    from miner.stages.classify import run_classify
    from miner.stages.extract import run_extract
    from miner.stages.ingest import run_ingest

    db = workdir / f"bench-{executor}-{workers}-{time.monotonic_ns()}.db"
    engine = make_engine(str(db))
    run_ingest(engine, [str(f) for f in files], venue="bench", year=2024)
    scale = ScaleOptions(workers=workers, executor=executor)
    with measured(memory) as m:
        extracted = run_extract(engine, scale=scale)
        classified = run_classify(engine, classifier="rules", scale=scale)
    engine.dispose()
    db.unlink()
    if extracted.counts["ok"] == 0 or not classified.counts:
        sys.exit(f"nothing extracted or classified: {extracted.summary()}; {classified.summary()}")
    return m


def raw_split(files: list[Path], processes: int, memory: bool = False) -> Measure:
    """(r1)/(r2): raw get_text() with the files dealt to `processes` fresh processes (wall)."""
    import multiprocessing

    ctx = multiprocessing.get_context("forkserver")
    parts = [files[i::processes] for i in range(processes)]
    with measured(memory) as m:
        procs = [ctx.Process(target=raw_pymupdf, args=(part,)) for part in parts]
        for proc in procs:
            proc.start()
        for proc in procs:
            proc.join()
    return m


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


PHASES = {
    "a": "(a) raw PyMuPDF get_text, this process",
    "x": "(x) miner extract_pdf, this process",
    "b": "(b) extract + classify, inline, 1 worker",
    "p1": "(p1) extract + classify, process executor, 1 worker",
    "p2": "(p2) same, 2 workers",
    "r1": "(r1) raw get_text in 1 process",
    "r2": "(r2) raw get_text split over 2 processes",
}


def one_run(files: list[Path], workdir: Path) -> dict[str, Measure]:
    """Every phase once, in a fixed order."""
    got: dict[str, Measure] = {}
    with measured() as got["a"]:
        raw_pymupdf(files)
    with measured() as got["x"]:
        miner_extract_pdf(files)
    got["b"] = miner_end_to_end(files, 1, "inline", workdir)
    got["p1"] = miner_end_to_end(files, 1, "process", workdir)
    got["p2"] = miner_end_to_end(files, 2, "process", workdir)
    got["r1"] = raw_split(files, 1)
    got["r2"] = raw_split(files, 2)
    return got


def memory_pass(files: list[Path], workdir: Path) -> dict[str, Measure]:
    """The multi-process phases once more with the memory sampler (not timed: it slows them)."""
    return {
        "p1": miner_end_to_end(files, 1, "process", workdir, memory=True),
        "p2": miner_end_to_end(files, 2, "process", workdir, memory=True),
        "r2": raw_split(files, 2, memory=True),
    }


RATIOS = (
    ("extract_pdf CPU: (a)/(x)", "a", "x", "cpu", ">= 0.80"),
    ("extract + classify CPU, 1 worker in-process: (a)/(b)", "a", "b", "cpu", ">= 0.75"),
    ("two workers, wall: (p1)/(p2)", "p1", "p2", "wall", ">= 1.7"),
    ("the machine's two processes, raw get_text, wall: (r1)/(r2)", "r1", "r2", "wall", "-"),
)


def main() -> None:
    logging.basicConfig(level=logging.ERROR)  # pypdf and pdfminer warn on every odd object
    parser = corpus_parser(__doc__)
    parser.add_argument("--runs", type=int, default=5, help="Interleaved repetitions.")
    parser.add_argument("--peer-files", type=int, default=0, help="Files for the peer extractors.")
    args = parser.parse_args()
    files = corpus_files(args)
    pages = count_pages(files)
    print(
        f"# {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, {platform.node()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, PyMuPDF {version('pymupdf')}; "
        f"load average {os.getloadavg()[0]:.1f} at the start"
    )
    print(f"# {len(files)} files, {pages} pages from {args.corpus}; {args.runs} runs")
    runs: list[dict[str, Measure]] = []
    with tempfile.TemporaryDirectory() as tmp:
        # Start the fork server (with miner's preloads), so that no run pays for it.
        miner_end_to_end(files[:1], 1, "process", Path(tmp))
        for i in range(args.runs):
            runs.append(one_run(files, Path(tmp)))
            line = ", ".join(f"{n} {r.wall:.1f}s/{r.cpu:.1f}cpu" for n, r in runs[-1].items())
            print(f"run {i + 1} (load {os.getloadavg()[0]:.1f}): {line}", flush=True)
        peaks = memory_pass(files, Path(tmp))
    print("\n| phase | median wall s | median CPU s | peak RSS / PSS sum (MB), sampled pass |")
    print("|---|---:|---:|---:|")
    for key, name in PHASES.items():
        wall = statistics.median(r[key].wall for r in runs)
        cpu = statistics.median(r[key].cpu for r in runs)
        peak = peaks.get(key, Measure())  # 0: a phase the memory pass does not repeat
        memory = f"{peak.rss / 2**20:.0f} / {peak.pss / 2**20:.0f}" if peak.rss else "-"
        print(f"| {name} | {wall:.2f} | {cpu:.2f} | {memory} |")
    print("\n| ratio | median | range | target |")
    print("|---|---:|---:|---|")
    for name, num, den, what, target in RATIOS:
        values = [getattr(r[num], what) / getattr(r[den], what) for r in runs]
        print(
            f"| {name} | {statistics.median(values):.2f} | {min(values):.2f}-{max(values):.2f} "
            f"| {target} |"
        )
    if args.peer_files:
        peers(files[: args.peer_files])


def peers(subset: list[Path]) -> None:
    """pdftotext, pypdf and pdfminer.six against raw PyMuPDF on the same files (CPU time)."""
    sub_pages = count_pages(subset)
    with measured() as base:
        raw_pymupdf(subset)
    print(f"\nPeers on {len(subset)} files, {sub_pages} pages, CPU-s (children included):")
    print("| extractor | CPU s | ratio to raw PyMuPDF |")
    print("|---|---:|---:|")
    print(f"| PyMuPDF get_text (a) | {base.cpu:.2f} | 1.00 |")
    peer_fns: list[tuple[str, Callable[[list[Path]], None]]] = [
        ("miner extract_pdf", miner_extract_pdf),
        ("pdftotext (poppler)", peer_pdftotext),
        ("pypdf", peer_pypdf),
        ("pdfminer.six", peer_pdfminer),
    ]
    for name, fn in peer_fns:
        if name.startswith("pdftotext") and not shutil.which("pdftotext"):
            print(f"| {name} | skipped: not installed (apt-get install poppler-utils) | - |")
            continue
        try:
            with measured() as m:
                fn(subset)
        except ImportError as exc:
            print(f"| {name} | skipped: {exc} (pip install -e '.[bench]') | - |")
            continue
        print(f"| {name} | {m.cpu:.2f} | {base.cpu / m.cpu:.2f} |")


if __name__ == "__main__":
    main()
