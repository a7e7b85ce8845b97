"""Peak RSS of extract + classify over N papers (default 10,000): memory must stay flat.

Run: .venv/bin/python bench/memory.py [--papers 10000] [--workers 2] [--pages 3]

Generates a few distinct PDFs and records them under N synthetic paper ids (so every paper is
really read, extracted, classified and written), then runs extract and classify into a fresh
SQLite DB and prints the peak RSS of the whole process tree (parent, fork server, workers) at
every tenth of the run. Target: under 400 MB at 10,000 papers. Not a test.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from throughput import PeakRss

import miner  # noqa: F401  # before pymupdf (see miner/__init__)

TEXT = (
    "We implemented our model in PyTorch 2.1 and trained it on four GPUs. "
    "Unlike TensorFlow, the framework builds graphs eagerly. Code: https://github.com/me/proj{n}. "
)


def make_pdfs(folder: Path, distinct: int, pages: int) -> list[Path]:
    import pymupdf

    paths = []
    for n in range(distinct):
        doc = pymupdf.open()
        for p in range(pages):
            page = doc.new_page()
            body = f"Paper {n}, page {p + 1}.\n\n" + TEXT.format(n=n) * 12
            page.insert_textbox(pymupdf.Rect(50, 50, 545, 800), body, fontsize=9)
        path = folder / f"gen-{n:03d}.pdf"
        doc.save(path)
        doc.close()
        paths.append(path)
    return paths


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--pages", type=int, default=3)
    args = parser.parse_args()

    from sqlalchemy.orm import Session

    from db import make_engine, store
    from miner.records import PaperRecord
    from miner.stages import ScaleOptions
    from miner.stages.classify import run_classify
    from miner.stages.extract import run_extract

    with tempfile.TemporaryDirectory() as tmp, PeakRss() as rss:
        pdfs = make_pdfs(Path(tmp), 50, args.pages)
        engine = make_engine(str(Path(tmp) / "memory.db"))
        with Session(engine) as session:
            for start in range(0, args.papers, 500):
                records = [
                    PaperRecord(
                        source="local",
                        source_id=f"synthetic-{i:06d}",
                        venue="bench",
                        year=2024,
                        file_path=str(pdfs[i % len(pdfs)]),
                        file_name=pdfs[i % len(pdfs)].name,
                    )
                    for i in range(start, min(start + 500, args.papers))
                ]
                store.upsert_papers(session, records)
            session.commit()
        print(f"{args.papers} papers recorded; peak RSS so far {rss.peak / 2**20:.0f} MB")
        scale = ScaleOptions(workers=args.workers)
        step = max(1, args.papers // 10)
        for stage in ("extract", "classify"):
            done = 0
            started = time.perf_counter()

            def tick(n: int, stage: str = stage) -> None:
                nonlocal done
                done += n
                if done % step == 0:
                    print(f"  {stage} {done:>6}: peak RSS {rss.peak / 2**20:.0f} MB")

            if stage == "extract":
                report = run_extract(engine, scale=scale, progress=tick)
            else:
                report = run_classify(engine, classifier="rules", scale=scale, progress=tick)
            print(f"{stage}: {report.summary()} in {time.perf_counter() - started:.0f} s")
        engine.dispose()
    print(f"peak RSS of the process tree: {rss.peak / 2**20:.0f} MB (target < 400 MB)")
    print(
        f"peak PSS of the process tree: {rss.peak_pss / 2**20:.0f} MB (shared pages counted once)"
    )


if __name__ == "__main__":
    main()
