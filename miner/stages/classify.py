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
from miner.records import ExtractedDoc, Link
from miner.records import Prediction as PredictionRecord
from miner.stages import PAGE, Progress, ScaleOptions, StageReport
from miner.stages.leased import leased_run

logger = logging.getLogger(__name__)

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


def iter_classify_jobs(
    session: Session, clf: Any, *, force: bool, limit: int | None, page: int = PAGE
) -> Iterator[ClassifyJob]:
    """Pending classification jobs with their stored text and links, a page at a time."""
    last, left = 0, limit
    while left is None or left > 0:
        size = page if left is None else min(page, left)
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
        links = pending.links_by_paper(session, [r[0] for r in rows], EXTRACTOR_VERSION)
        for paper_id, ev, blocks_z, status, error, pages, title in rows:
            found = tuple(links.get(paper_id, ()))
            yield paper_id, ev, clf.NAME, blocks_z, found, status, error, pages, title
        last = rows[-1][0]
        if left is not None:
            left -= len(rows)


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
        args = {"classifier": clf.NAME, "force": force, "limit": limit, "workers": scale.workers}
        versions = {"miner": __version__, "classifier": clf.VERSION, "extractor": EXTRACTOR_VERSION}
        stage = f"classify:{clf.NAME}"[:32]  # leases: two `miner classify` share the papers
        queue = pending.classification_queue(EXTRACTOR_VERSION, clf.NAME, clf.VERSION, force)
        with leased_run(session, "classify", stage, args, versions, report) as lr:
            outcomes = lr.outcomes(classify_job, itertools.chain([first], jobs), queue, scale)
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
