"""Stage orchestrators: select pending -> work -> upsert, returning counts (DB IO, no click)."""

from __future__ import annotations

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from classifiers import get_classifier
from db import store
from db.schema import CodeLink, Paper, PdfDocument
from miner import __version__
from miner.errors import UsageError
from miner.executor import iter_results
from miner.extract import EXTRACTOR_VERSION
from miner.extract.pdf import extract_pdf
from miner.records import ExtractedDoc, PaperRecord

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
"""Called with the number of items just finished (a progress bar's update)."""

BATCH = 50


@dataclass(slots=True)
class StageReport:
    """What a stage did, as counts (new, updated, unchanged, failed, by status...)."""

    counts: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        """One line such as `ok 7, no_text 1`."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing to do"


def iter_pdf_paths(paths: Iterable[str]) -> Iterator[Path]:
    """PDF files named or found (recursively, sorted) under the given paths."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"
            )
        elif path.is_file():
            yield path
        else:
            raise UsageError(f"no such file or folder: {raw}; check the path")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_ingest(
    engine: Engine,
    paths: Iterable[str],
    *,
    venue: str | None,
    year: int | None,
    progress: Progress | None = None,
) -> StageReport:
    """Record local PDFs as papers (source `local`, source id = sha256); idempotent."""
    files = list(iter_pdf_paths(paths))  # validates every path before writing anything
    for f in files:
        if not os.access(f, os.R_OK):
            raise UsageError(f"cannot read {f}: check its permissions")
    report = StageReport()
    with Session(engine) as session:
        for f in files:
            sha = sha256_file(f)
            rec = PaperRecord(
                source="local",
                source_id=sha,
                venue=venue,
                year=year,
                file_path=str(f.resolve()),
                file_name=f.name,
            )
            new = store.upsert_papers(session, [rec])
            store.upsert_pdf(session, sha, f.stat().st_size, str(f.resolve()))
            report.counts["new" if new else "unchanged"] += 1
            if progress:
                progress(1)
        session.commit()
    return report


def extract_path(path: str | None, max_pages: int, time_budget: float) -> ExtractedDoc:
    """Read a PDF from disk and extract it; unreadable files become a `failed` doc (worker-safe)."""
    if not path:
        return ExtractedDoc(
            status="failed", error="no PDF on disk for this paper; run `miner fetch`"
        )
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        return ExtractedDoc(status="failed", error=f"cannot read {path}: {exc.strerror}")
    return extract_pdf(data, max_pages=max_pages, time_budget=time_budget)


def _extract_job(
    job: tuple[int, str | None, str | None, int, float],
) -> tuple[int, str | None, ExtractedDoc]:
    paper_id, sha, path, max_pages, budget = job
    return paper_id, sha, extract_path(path, max_pages, budget)


def run_extract(
    engine: Engine,
    *,
    workers: int = 1,
    max_pages: int = 300,
    time_budget: float = 120.0,
    force: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
) -> StageReport:
    """Extract every paper without an extraction of the current version; commits in batches."""
    report = StageReport()
    with Session(engine) as session:
        stmt = store.select_pending_extraction(EXTRACTOR_VERSION, force).limit(limit)
        rows = session.execute(
            stmt.add_columns(PdfDocument.path).outerjoin(
                PdfDocument, PdfDocument.sha256 == Paper.pdf_sha256
            )
        ).all()
        jobs = [
            (p.id, p.pdf_sha256, path or p.file_path, max_pages, time_budget) for p, path in rows
        ]
    if not jobs:
        return report
    run_versions = {"miner": __version__, "extractor": EXTRACTOR_VERSION}
    with Session(engine) as session:
        run = store.start_run(
            session, "extract", {"workers": workers, "force": force}, run_versions
        )
        results = iter_results(_extract_job, jobs, workers=workers)
        for i, (paper_id, sha, doc) in enumerate(results, 1):
            store.save_extraction(session, paper_id, sha, EXTRACTOR_VERSION, doc)
            report.counts[doc.status] += 1
            if i % BATCH == 0:
                session.commit()
            if progress:
                progress(1)
        session.commit()
        store.finish_run(session, run, report.counts)
    return report


def run_classify(
    engine: Engine,
    *,
    classifier: str,
    force: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
) -> StageReport:
    """Classify every extraction that has no predictions from this classifier version."""
    clf = get_classifier(classifier)
    report = StageReport()
    with Session(engine) as session:
        pending = session.scalars(
            store.select_pending_classification(
                EXTRACTOR_VERSION, clf.NAME, clf.VERSION, force
            ).limit(limit)
        ).all()
        if not pending:
            return report
        run = store.start_run(
            session,
            "classify",
            {"classifier": clf.NAME, "force": force},
            {"miner": __version__, "classifier": clf.VERSION},
        )
        for i, extraction in enumerate(pending, 1):
            links = session.scalars(
                select(CodeLink).where(
                    CodeLink.paper_id == extraction.paper_id,
                    CodeLink.extractor_version == extraction.extractor_version,
                )
            ).all()
            doc = store.load_doc(extraction, links)
            predictions = clf.predict_doc(doc)
            store.save_predictions(
                session,
                extraction.paper_id,
                clf.NAME,
                clf.VERSION,
                extraction.extractor_version,
                predictions,
            )
            used = [p.framework for p in predictions if p.label == "uses"]
            report.counts["with_framework" if used else "no_framework"] += 1
            if i % BATCH == 0:
                session.commit()
            if progress:
                progress(1)
        session.commit()
        store.finish_run(session, run, report.counts)
    return report


def count_pending(engine: Engine) -> int:
    """How many papers wait for extraction."""
    with Session(engine) as session:
        return len(session.scalars(store.select_pending_extraction(EXTRACTOR_VERSION)).all())
