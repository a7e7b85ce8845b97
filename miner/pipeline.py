"""Stage orchestrators: select pending -> work -> upsert, returning counts (DB IO, no click)."""

from __future__ import annotations

import functools
import hashlib
import itertools
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from classifiers import get_classifier
from db import store
from db.schema import CodeLink, Extraction, Paper, PdfDocument
from miner import __version__, lease
from miner.errors import UsageError
from miner.executor import Outcome, iter_outcomes
from miner.extract import EXTRACTOR_VERSION
from miner.extract.pdf import extract_pdf
from miner.records import ExtractedDoc, Link, PaperRecord
from miner.records import Prediction as PredictionRecord

logger = logging.getLogger(__name__)

Progress = Callable[[int], None]
"""Called with the number of items just finished (a progress bar's update)."""

BATCH = 200
"""Papers written per commit (each is several rows: extraction, links, predictions, evidence)."""
PAGE = 500
"""Pending papers read from the database at a time."""


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


ExtractJob = tuple[int, str | None, str | None, int, float]
ClassifyJob = tuple[int, str, str, bytes | None, tuple[Link, ...], str, str | None, int, str | None]


def extract_job(job: ExtractJob) -> tuple[int, str | None, store.EncodedDoc]:
    """Worker side of extract: (paper_id, sha256, path, max_pages, budget) -> (id, sha, doc).

    The worker also encodes the blocks, so the parent (the single writer) only stores bytes.
    """
    paper_id, sha, path, max_pages, budget = job
    return paper_id, sha, store.EncodedDoc.of(extract_path(path, max_pages, budget))


@dataclass(frozen=True, slots=True)
class ScaleOptions:
    """Where stage functions run: see miner.executor.iter_outcomes."""

    executor: str = "process"
    workers: int = 1
    doc_timeout: float | None = 300.0
    scheduler: Any = None


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
        stmt = (
            store.select_pending_extraction(EXTRACTOR_VERSION, force)
            .with_only_columns(Paper.id, Paper.pdf_sha256, Paper.file_path, PdfDocument.path)
            .outerjoin(PdfDocument, PdfDocument.sha256 == Paper.pdf_sha256)
            .where(Paper.id > last)
            .limit(page if left is None else min(page, left))
        )
        rows = session.execute(stmt).all()
        if not rows:
            return
        for paper_id, sha, file_path, pdf_path in rows:
            yield paper_id, sha, pdf_path or file_path, max_pages, time_budget
        last = rows[-1][0]
        if left is not None:
            left -= len(rows)


class BatchCommitter:
    """Commits a session every `rows` writes or `seconds`, whichever comes first."""

    def __init__(self, session: Session, rows: int = BATCH, seconds: float = 5.0) -> None:
        self.session, self.rows, self.seconds = session, rows, seconds
        self.pending = 0
        self.last = time.monotonic()

    def add(self, n: int = 1) -> None:
        self.pending += n
        if self.pending >= self.rows or time.monotonic() - self.last >= self.seconds:
            self.flush()

    def flush(self) -> None:
        self.session.commit()
        self.pending, self.last = 0, time.monotonic()


class LeasedRun:
    """A stage run over leased papers: this process alone writes, committing in batches.

    Leases (miner/lease.py): a second run of the same stage on this database skips the papers
    this one holds; each lease is released in the transaction that stores the paper's result.
    """

    def __init__(self, session: Session, stage: str) -> None:
        self.session, self.stage = session, stage
        self.owner = lease.new_owner()
        self.batch = BatchCommitter(session)

    def outcomes(
        self,
        fn: Callable[[Any], Any],
        jobs: Iterable[Any],
        pending: Select[Any],
        item_id: Any,
        scale: ScaleOptions,
    ) -> Iterator[Outcome[Any, Any]]:
        """Outcomes of fn over the jobs (keyed by paper id, job[0]) that this run could lease.

        `pending` selects what still needs the stage; `item_id` is its paper id column.
        """
        mine = lease.iter_leased(
            self.session,
            self.stage,
            jobs,
            lambda job: job[0],
            pending.with_only_columns(item_id),
            item_id,
            owner=self.owner,
            chunk=max(4, 2 * scale.workers),
        )
        return iter_outcomes(
            fn,
            mine,
            executor=scale.executor,
            workers=scale.workers,
            timeout=scale.doc_timeout,
            scheduler=scale.scheduler,
        )

    def release(self, paper_id: int) -> None:
        """Hand a paper back (with the transaction that stores its result, if any)."""
        lease.release(self.session, self.stage, self.owner, [paper_id])

    def saved(self, paper_id: int, progress: Progress | None) -> None:
        """A paper's result is in the session: release it, count it for the batch commit."""
        self.release(paper_id)
        self.batch.add()
        if progress:
            progress(1)


@contextmanager
def leased_run(
    session: Session,
    command: str,
    stage: str,
    args: dict[str, Any],
    versions: dict[str, str],
    report: StageReport,
) -> Iterator[LeasedRun]:
    """Record a `runs` row around a LeasedRun and close it with the report's counts.

    On an exception, unsaved results are rolled back, every lease is handed back and the run
    ends `interrupted` (Ctrl-C, SIGTERM) or `failed`.
    """
    run = store.start_run(session, command, args, versions)
    lr = LeasedRun(session, stage)
    try:
        yield lr
    except BaseException as exc:
        session.rollback()
        lease.release(session, stage, lr.owner)
        session.commit()
        store.finish_run(session, run, None, _stopped(exc))
        raise
    lease.release(session, stage, lr.owner)
    lr.batch.flush()
    store.finish_run(session, run, report.counts)


def _stopped(exc: BaseException) -> str:
    """Status of a run that an exception ended: Ctrl-C and SIGTERM interrupt, the rest fail."""
    return "interrupted" if isinstance(exc, KeyboardInterrupt | SystemExit) else "failed"


def _failed_doc(outcome: Outcome[Any, Any]) -> ExtractedDoc:
    return ExtractedDoc(status=outcome.status, error=outcome.error)


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
    args = {"workers": scale.workers, "executor": scale.executor, "force": force}
    with Session(engine) as session:
        jobs = iter_extract_jobs(
            session, force=force, limit=limit, max_pages=max_pages, time_budget=time_budget
        )
        first = next(jobs, None)
        if first is None:
            return report
        pending = store.select_pending_extraction(EXTRACTOR_VERSION, force)
        with leased_run(session, "extract", "extract", args, run_versions, report) as lr:
            outcomes = lr.outcomes(
                extract_job, itertools.chain([first], jobs), pending, Paper.id, scale
            )
            for outcome in outcomes:
                if outcome.result is not None:
                    paper_id, sha, encoded = outcome.result
                else:
                    failed = store.EncodedDoc.of(_failed_doc(outcome))
                    paper_id, sha, encoded = outcome.job[0], outcome.job[1], failed
                store.save_extraction(session, paper_id, sha, EXTRACTOR_VERSION, encoded)
                report.counts[encoded.doc.status] += 1
                lr.saved(paper_id, progress)
    return report


@functools.cache
def _classifier(name: str) -> Any:
    return get_classifier(name)


def classify_job(job: ClassifyJob) -> tuple[int, str, list[PredictionRecord]]:
    """Worker side of classify: a stored extraction -> (paper_id, extractor_version, predictions)."""
    paper_id, ev, name, blocks_z, links, status, error, pages, title = job
    doc = ExtractedDoc(
        status=status,
        error=error,
        page_count=pages,
        blocks=store.decode_blocks(blocks_z),
        links=links,
        title=title,
    )
    return paper_id, ev, list(_classifier(name).predict_doc(doc))


def iter_classify_jobs(
    session: Session, clf: Any, *, force: bool, limit: int | None, page: int = PAGE
) -> Iterator[ClassifyJob]:
    """Pending classification jobs with their stored text and links, a page at a time.

    Reads plain columns, not ORM objects, so nothing accumulates in the (writing) session.
    """
    last, left = 0, limit
    while left is None or left > 0:
        stmt = (
            store.select_pending_classification(EXTRACTOR_VERSION, clf.NAME, clf.VERSION, force)
            .with_only_columns(
                Extraction.paper_id,
                Extraction.extractor_version,
                Extraction.blocks_z,
                Extraction.status,
                Extraction.error,
                Extraction.pages,
                Extraction.title,
            )
            .where(Extraction.paper_id > last)
            .limit(page if left is None else min(page, left))
        )
        rows = session.execute(stmt).all()
        if not rows:
            return
        links = _links_by_paper(session, [r[0] for r in rows])
        for paper_id, ev, blocks_z, status, error, pages, title in rows:
            yield (
                paper_id,
                ev,
                clf.NAME,
                blocks_z,
                tuple(links.get(paper_id, ())),
                status,
                error,
                pages,
                title,
            )
        last = rows[-1][0]
        if left is not None:
            left -= len(rows)


def _links_by_paper(session: Session, ids: list[int]) -> dict[int, list[Link]]:
    cols = (CodeLink.paper_id, CodeLink.url, CodeLink.kind, CodeLink.host, CodeLink.page)
    more = (CodeLink.origin, CodeLink.own, CodeLink.section, CodeLink.raw)
    stmt = (
        select(*cols, *more)
        .where(CodeLink.paper_id.in_(ids), CodeLink.extractor_version == EXTRACTOR_VERSION)
        .order_by(CodeLink.id)
    )
    out: dict[int, list[Link]] = {}
    for paper_id, url, kind, host, page, origin, own, section, raw in session.execute(stmt):
        out.setdefault(paper_id, []).append(
            Link(
                url=url,
                kind=kind,
                host=host,
                page=page,
                origin=origin,
                own=own,
                section=section,
                raw=raw,
            )
        )
    return out


def run_classify(
    engine: Engine,
    *,
    classifier: str,
    force: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    scale: ScaleOptions | None = None,
) -> StageReport:
    """Classify every extraction that has no predictions from this classifier version.

    Streams like run_extract; a paper whose classification fails or times out is counted as
    `failed` (and logged) and stays pending for the next run.
    """
    scale = scale or ScaleOptions(executor="inline")
    clf = get_classifier(classifier)
    report = StageReport()
    with Session(engine) as session:
        jobs = iter_classify_jobs(session, clf, force=force, limit=limit)
        first = next(jobs, None)
        if first is None:
            return report
        args = {"classifier": clf.NAME, "force": force, "workers": scale.workers}
        versions = {"miner": __version__, "classifier": clf.VERSION}
        stage = f"classify:{clf.NAME}"[:32]  # leases: two `miner classify` share the papers
        pending = store.select_pending_classification(
            EXTRACTOR_VERSION, clf.NAME, clf.VERSION, force
        )
        with leased_run(session, "classify", stage, args, versions, report) as lr:
            outcomes = lr.outcomes(
                classify_job, itertools.chain([first], jobs), pending, Extraction.paper_id, scale
            )
            for outcome in outcomes:
                if outcome.result is None:
                    logger.warning("classify paper %s: %s", outcome.job[0], outcome.error)
                    report.counts["failed"] += 1
                    lr.release(outcome.job[0])  # stays pending for the next run
                    continue
                paper_id, ev, predictions = outcome.result
                store.save_predictions(session, paper_id, clf.NAME, clf.VERSION, ev, predictions)
                used = [p.framework for p in predictions if p.label == "uses"]
                report.counts["with_framework" if used else "no_framework"] += 1
                lr.saved(paper_id, progress)
    return report


def count_pending(engine: Engine) -> int:
    """How many papers wait for extraction."""
    with Session(engine) as session:
        pending = store.select_pending_extraction(EXTRACTOR_VERSION).subquery()
        return session.scalar(select(func.count()).select_from(pending)) or 0
