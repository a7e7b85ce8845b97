"""Classification throughput on extracted text, one core: papers per second per classifier.

Reads every ok extraction from a database (default: builds one from ../shared/corpus/pdfs in a
temporary directory, or pass --db with an extracted corpus), then times predict_doc only.

    .venv/bin/python bench/classify_throughput.py --db corpus.db [--repeat 3]
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from classifiers import CLASSIFIERS, get_classifier
from db import make_engine, store
from db.schema import Extraction
from miner.extract import EXTRACTOR_VERSION
from miner.records import ExtractedDoc
from miner.stages.extract import run_extract
from miner.stages.ingest import run_ingest

TARGET = 200.0
CORPUS = Path(__file__).resolve().parent.parent.parent / "shared" / "corpus" / "pdfs"


def load_docs(db: str) -> list[ExtractedDoc]:
    """Every ok extraction of the current extractor version."""
    engine = make_engine(db)
    with Session(engine) as session:
        rows = session.scalars(
            select(Extraction).where(
                Extraction.extractor_version == EXTRACTOR_VERSION, Extraction.status == "ok"
            )
        ).all()
        return [store.load_doc(r) for r in rows]


def build_db(path: str) -> None:
    """Ingest and extract the shared corpus into a fresh database."""
    engine = make_engine(path)
    run_ingest(engine, [str(CORPUS)], venue="corpus", year=None)
    run_extract(engine, workers=os.cpu_count() or 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="database with extracted papers (default: build one)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "bench.db")
        if not args.db:
            build_db(db)
        docs = load_docs(db)
    chars = sum(len(b.text) for d in docs for b in d.blocks)
    print(
        f"{len(docs)} extracted papers, {chars / max(1, len(docs)):.0f} characters each on average"
    )
    for name in sorted(CLASSIFIERS):
        clf = get_classifier(name)
        best = float("inf")
        for _ in range(args.repeat):
            start = time.process_time()
            for doc in docs:
                clf.predict_doc(doc)
            best = min(best, time.process_time() - start)
        rate = len(docs) / best if best else float("inf")
        print(
            f"{name:18s} {rate:8.1f} papers/s  ({best:.2f} s CPU for {len(docs)}; "
            f"target {TARGET:.0f}: ratio {rate / TARGET:.2f})"
        )


if __name__ == "__main__":
    main()
