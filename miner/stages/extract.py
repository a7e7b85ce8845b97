"""`miner extract`: PDF -> text blocks and links, in workers; this process alone writes (DB IO).

Imports PyMuPDF (through miner.extract.pdf): import it only where extraction runs.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from db import Engine, Session, pending, store
from miner import __version__
from miner.extract import EXTRACTOR_VERSION
from miner.extract.pdf import extract_pdf
from miner.outcome import Outcome
from miner.records import ExtractedDoc
from miner.stages import PAGE, Progress, ScaleOptions, StageReport
from miner.stages.leased import leased_run

ExtractJob = tuple[int, str | None, str | None, int, float]
"""(paper id, pdf sha256, path or URL, max pages, time budget)."""


def read_pdf(path: str) -> bytes:
    """Bytes of a local file or of an fsspec URL (`s3://...`, `tar://member::s3://...`)."""
    if "://" not in path:
        return Path(path).read_bytes()
    try:
        import fsspec
    except ImportError as exc:
        raise OSError(f"reading {path} needs fsspec: pip install 'framework-miner[scale]'") from exc
    with fsspec.open(path, "rb") as fh:
        data: bytes = fh.read()
    return data


def extract_path(path: str | None, max_pages: int, time_budget: float) -> ExtractedDoc:
    """Read a PDF (path or fsspec URL) and extract it; unreadable files become a `failed` doc."""
    if not path:
        return ExtractedDoc(
            status="failed", error="no PDF on disk for this paper; run `miner fetch`"
        )
    try:
        data = read_pdf(path)
    except OSError as exc:
        return ExtractedDoc(status="failed", error=f"cannot read {path}: {exc.strerror or exc}")
    return extract_pdf(data, max_pages=max_pages, time_budget=time_budget)


def extract_job(job: ExtractJob) -> tuple[int, str | None, store.EncodedDoc]:
    """Worker side of extract: (paper_id, sha256, path, max_pages, budget) -> (id, sha, doc).

    The worker also encodes the blocks, so the parent (the single writer) only stores bytes.
    """
    paper_id, sha, path, max_pages, budget = job
    return paper_id, sha, store.EncodedDoc.of(extract_path(path, max_pages, budget))


def iter_extract_jobs(
    session: Session,
    *,
    force: bool,
    limit: int | None,
    max_pages: int,
    time_budget: float,
    page: int = PAGE,
) -> Iterator[ExtractJob]:
    """Pending extraction jobs, read a page at a time by paper id (never all in memory)."""
    last, left = 0, limit
    while left is None or left > 0:
        size = page if left is None else min(page, left)
        rows = pending.extract_rows(session, EXTRACTOR_VERSION, force=force, after=last, limit=size)
        if not rows:
            return
        # Largest files first: a long paper left for the end kept one of two workers busy
        # while the other had nothing left (#17: ~6% of the two-worker run on the corpus).
        for paper_id, sha, path in sorted(rows, key=_file_size, reverse=True):
            yield paper_id, sha, path, max_pages, time_budget
        last = max(row[0] for row in rows)
        if left is not None:
            left -= len(rows)


def _file_size(row: pending.ExtractRow) -> int:
    """Bytes of the row's local PDF (0 for a URL or a missing file): a cheap proxy of its work."""
    path = row[2]
    if not path or "://" in path:
        return 0
    try:
        return os.stat(path).st_size
    except OSError:
        return 0


def _failed_doc(outcome: Outcome[Any, Any]) -> ExtractedDoc:
    return ExtractedDoc(status=outcome.status, error=outcome.error)


def result_of(outcome: Outcome[Any, Any]) -> tuple[int, str | None, store.EncodedDoc]:
    """(paper id, sha256, encoded doc) to store for an extract outcome, failed ones included."""
    if outcome.result is not None:
        paper_id, sha, encoded = outcome.result
        return paper_id, sha, encoded
    return outcome.job[0], outcome.job[1], store.EncodedDoc.of(_failed_doc(outcome))


def run_extract(
    engine: Engine,
    *,
    workers: int = 1,
    max_pages: int = 300,
    time_budget: float = 120.0,
    force: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    scale: ScaleOptions | None = None,
) -> StageReport:
    """Extract every paper without an extraction of the current version.

    Jobs stream from the database a page at a time; workers (see `scale`) return records and this
    process alone writes them, committing every BATCH papers. A document that times out or kills
    its worker is recorded with status `timeout` / `failed`.
    """
    scale = scale or ScaleOptions(workers=workers)
    report = StageReport()
    run_versions = {"miner": __version__, "extractor": EXTRACTOR_VERSION}
    args = {"workers": scale.workers, "executor": scale.executor, "force": force, "limit": limit}
    with Session(engine) as session:
        jobs = iter_extract_jobs(
            session, force=force, limit=limit, max_pages=max_pages, time_budget=time_budget
        )
        first = next(jobs, None)
        if first is None:
            return report
        queue = pending.extraction_queue(EXTRACTOR_VERSION, force)
        with leased_run(session, "extract", "extract", args, run_versions, report) as lr:
            outcomes = lr.outcomes(extract_job, itertools.chain([first], jobs), queue, scale)
            for outcome in outcomes:
                paper_id, sha, encoded = result_of(outcome)
                store.save_extraction(session, paper_id, sha, EXTRACTOR_VERSION, encoded)
                report.counts[encoded.doc.status] += 1
                lr.saved(paper_id, progress)
    return report


def count_pending(engine: Engine) -> int:
    """How many papers wait for extraction."""
    with Session(engine) as session:
        return pending.count_pending_extraction(session, EXTRACTOR_VERSION)
