"""`miner run` wall time against the pure download time of the same papers (issue 17, item 3).

Run: .venv/bin/python bench/run_overlap.py [--papers 40] [--delay 0.5] [--latency 0.05] [--runs 3]

A local server (127.0.0.1, its own process) serves the recorded NeurIPS 2019 listing trimmed to
`--papers` entries, each paper's PDF link answered with a corpus PDF, every response after
`--latency` seconds. Each repetition, interleaved: (1) pure download: the listing and every PDF
fetched with miner's fetcher (same politeness `--delay`, same threads), bodies read, nothing
stored, timed inside its process; (2) `miner run` (overlapped) into a fresh database, timed from
outside, interpreter start included; (3) the same stages one after the other (`crawl`, `fetch`,
`extract`, `classify`). Prints wall seconds and the ratios run / download (target <= 1.15) and
sequential / download. (No CPU figures: rusage misses the fork server's workers.) Not a test.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's miner, not the one installed in the venv
SHARED = next(
    (p / "shared" for p in (ROOT.parent, ROOT.parent.parent) if (p / "shared").is_dir()),
    ROOT.parent / "shared",
)
LISTING = SHARED / "fixtures" / "http" / "neurips" / "listing" / "paper_files_paper_2019.html"
DOWNLOAD = """
import sys, time
from concurrent.futures import ThreadPoolExecutor
from miner.http import make_fetcher
from miner.sources.neurips import index_url, parse_index_html
base, delay, threads = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
fetcher = make_fetcher(base_url=base, delay=delay, max_retries=0)
started = time.monotonic()
papers = parse_index_html(fetcher.get(index_url(2019)).content, year=2019)
def get(url):
    return len(fetcher.get(url).content)
with ThreadPoolExecutor(threads) as pool:
    size = sum(pool.map(get, [p.pdf_url for p in papers]))
print(time.monotonic() - started, len(papers), size)
"""


def serve(port: multiprocessing.SimpleQueue, papers: int, latency: float, pdf_dir: str) -> None:
    """Server process: the trimmed listing and corpus PDFs, each response after `latency`."""
    from miner.replay import index_html, make_server, trim_index

    index = trim_index(LISTING.read_bytes(), papers) if LISTING.is_file() else index_html()
    files = sorted(Path(pdf_dir).glob("*.pdf"))[:papers]
    server = make_server(
        0, quiet=True, index=index, pdfs=[f.read_bytes() for f in files], delay=latency
    )
    port.put(server.server_address[1])
    server.serve_forever()


def timed(cmd: list[str], env: dict[str, str]) -> tuple[float, str]:
    """(wall s, output) of a subprocess that must succeed."""
    started = time.monotonic()
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    wall = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{done.stderr}")
    return wall, done.stdout + done.stderr


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=40)
    parser.add_argument("--delay", type=float, default=0.5, help="miner's politeness delay (s)")
    parser.add_argument("--latency", type=float, default=0.05, help="server delay per response")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpus" / "pdfs")
    args = parser.parse_args()

    ctx = multiprocessing.get_context("spawn")
    port_q = ctx.SimpleQueue()
    server = ctx.Process(
        target=serve, args=(port_q, args.papers, args.latency, str(args.corpus)), daemon=True
    )
    server.start()
    base = f"http://127.0.0.1:{port_q.get()}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    py = sys.executable
    http = ["--base-url", base, "--delay", str(args.delay), "--max-retries", "0"]
    fetch_threads = str(min(args.workers, 4))
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, load {os.getloadavg()[0]:.2f}, "
        f"{os.cpu_count()} cores, {args.papers} papers, delay {args.delay} s, "
        f"latency {args.latency} s, {args.workers} workers"
    )
    rows = []
    try:
        for i in range(args.runs):
            work = Path(tempfile.mkdtemp(prefix="run-overlap-"))
            try:
                out = timed([py, "-c", DOWNLOAD, base, str(args.delay), fetch_threads], env)[1]
                download = float(out.split()[0])
                miner = [py, "-m", "miner", "--db", str(work / "run.db")]
                miner += ["--data-dir", str(work / "d1")]
                run_wall, _ = timed(
                    [
                        *miner,
                        "run",
                        "neurips",
                        "--year",
                        "2019",
                        *http,
                        "--workers",
                        str(args.workers),
                    ],
                    env,
                )
                seq = [
                    py,
                    "-m",
                    "miner",
                    "--db",
                    str(work / "seq.db"),
                    "--data-dir",
                    str(work / "d2"),
                ]
                seq_wall = 0.0
                for stage in (
                    ["crawl", "neurips", "--year", "2019", *http],
                    ["fetch", *http, "--workers", fetch_threads],
                    ["extract", "--workers", str(args.workers)],
                    ["classify"],
                ):
                    seq_wall += timed([*seq, *stage], env)[0]
            finally:
                shutil.rmtree(work, ignore_errors=True)
            rows.append((download, run_wall, seq_wall))
            print(
                f"run {i + 1}: download {download:.2f} s; miner run {run_wall:.2f} s, ratio "
                f"{run_wall / download:.3f}; sequential {seq_wall:.2f} s, ratio "
                f"{seq_wall / download:.3f}",
                flush=True,
            )
    finally:
        server.kill()
    ratios = [r[1] / r[0] for r in rows]
    seq_ratios = [r[2] / r[0] for r in rows]
    print(
        f"median over {len(rows)} runs: run / download {statistics.median(ratios):.3f} "
        f"(target <= 1.15; range {min(ratios):.3f}-{max(ratios):.3f}); sequential / download "
        f"{statistics.median(seq_ratios):.3f}"
    )


if __name__ == "__main__":
    main()
