"""`miner classify`: stored extraction -> framework predictions with evidence (DB IO)."""

from __future__ import annotations

import functools
import itertools
import logging
from collections.abc import Iterator
from typing import Any

from classifiers import get_classifier
from db import Engine, Session, pending, store
from miner import __version__
from miner.extract import EXTRACTOR_VERSION
from miner.outcome import Outcome
from miner.records import ExtractedDoc, Link
from miner.records import Prediction as PredictionRecord
from miner.stages import PAGE, Progress, ScaleOptions, StageReport
from miner.stages.leased import LeasedRun, leased_run

logger = logging.getLogger(__name__)

FIRST_PAGE = 16
"""Rows of the first page of pending classifications (see iter_classify_jobs)."""

ClassifyJob = tuple[int, str, str, bytes | None, tuple[Link, ...], str, str | None, int, str | None]
"""(paper id, extractor version, classifier, blocks_z, links, status, error, pages, title)."""


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


def jobs_of(session: Session, clf: Any, rows: list[pending.ClassifyRow]) -> list[ClassifyJob]:
    """Classification jobs of these pending rows, each with its paper's stored links."""
    links = pending.links_by_paper(session, [r[0] for r in rows], EXTRACTOR_VERSION)
    return [
        (paper_id, ev, clf.NAME, blocks_z, tuple(links.get(paper_id, ())), status, error, n, title)
        for paper_id, ev, blocks_z, status, error, n, title in rows
    ]


def iter_classify_jobs(
    session: Session, clf: Any, *, force: bool, limit: int | None, page: int = PAGE
) -> Iterator[ClassifyJob]:
    """Pending classification jobs with their stored text and links, a page at a time.

    Pages grow from FIRST_PAGE rows to `page`: the first read holds up every worker (a page of
    500 stored texts takes the writer ~0.1 s to read), later ones only the writer (#17).
    """
    last, left, grown = 0, limit, min(page, FIRST_PAGE)
    while left is None or left > 0:
        size = grown if left is None else min(grown, left)
        grown = min(page, grown * 4)
        rows = pending.classify_rows(
            session,
            EXTRACTOR_VERSION,
            clf.NAME,
            clf.VERSION,
            force=force,
            after=last,
            limit=size,
        )
        if not rows:
            return
        yield from jobs_of(session, clf, rows)
        last = rows[-1][0]
        if left is not None:
            left -= len(rows)


def save_classified(
    lr: LeasedRun,
    clf: Any,
    report: StageReport,
    outcome: Outcome[Any, Any],
    progress: Progress | None = None,
) -> bool:
    """Store one classify outcome in the run's session (False: it failed and stays pending)."""
    if outcome.result is None:
        logger.warning("classify paper %s: %s", outcome.job[0], outcome.error)
        report.counts["failed"] += 1
        lr.release(outcome.job[0])  # stays pending for the next run
        return False
    paper_id, ev, predictions = outcome.result
    store.save_predictions(lr.session, paper_id, clf.NAME, clf.VERSION, ev, predictions)
    used = [p.framework for p in predictions if p.label == "uses"]
    report.counts["with_framework" if used else "no_framework"] += 1
    lr.saved(paper_id, progress)
    return True


def classify_run_of(clf: Any, force: bool, limit: int | None, workers: int) -> dict[str, Any]:
    """leased_run's arguments (command, stage, args, versions) for a classify run of clf."""
    return {
        "command": "classify",
        "stage": f"classify:{clf.NAME}"[:32],  # leases: two `miner classify` share the papers
        "args": {"classifier": clf.NAME, "force": force, "limit": limit, "workers": workers},
        "versions": {
            "miner": __version__,
            "classifier": clf.VERSION,
            "extractor": EXTRACTOR_VERSION,
        },
    }


def run_classify(
    engine: Engine,
    *,
    classifier: str,
    force: bool = False,
    limit: int | None = None,
    progress: Progress | None = None,
    scale: ScaleOptions | None = None,
) -> StageReport:
    """Classify every good (`ok`) extraction that has no predictions from this classifier version.

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
        run = classify_run_of(clf, force, limit, scale.workers)
        queue = pending.classification_queue(EXTRACTOR_VERSION, clf.NAME, clf.VERSION, force)
        with leased_run(session, report=report, **run) as lr:
            outcomes = lr.outcomes(classify_job, itertools.chain([first], jobs), queue, scale)
            for outcome in outcomes:
                save_classified(lr, clf, report, outcome, progress)
    return report
