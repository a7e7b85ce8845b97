"""`miner run`'s overlapped stages: papers are extracted and classified as their PDFs land
(HTTP, file and DB IO; imports PyMuPDF).

Downloads run in threads, extraction in worker processes (miner.executor), classification in
this process, which alone writes the database. The database is the queue between the stages:
a paper is extracted once its PDF is committed, classified once its extraction is saved, each
under its stage's lease (db/leases.py), and each stage records its own `runs` row
(stages/recorded.py), so a killed run resumes like the separate commands would. Queues are
bounded: at most two downloads per fetch thread in flight, and downloading pauses while
`backlog` downloaded papers wait for an extraction worker.
"""

from __future__ import annotations

import contextlib
import logging
from collections import deque
from collections.abc import Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers import get_classifier
from db import Engine, Session, crawls, leases, pending, store
from miner import __version__
from miner.download import MAX_PDF_BYTES, Downloaded, clean_partials, fetch_pdf
from miner.errors import FetchError
from miner.executor import IDLE, POLL, iter_outcomes
from miner.extract import EXTRACTOR_VERSION
from miner.http import Fetcher
from miner.stages import Progress, ScaleOptions, StageReport
from miner.stages.classify import (
    classify_job,
    classify_run_of,
    iter_classify_jobs,
    jobs_of,
    save_classified,
)
from miner.stages.extract import ExtractJob, extract_job, result_of
from miner.stages.leased import LeasedRun, leased_run
from miner.stages.recorded import recorded_run

logger = logging.getLogger(__name__)

STAGES = ("fetch", "extract", "classify")


@dataclass(frozen=True, slots=True)
class OverlapOptions:
    """How the overlapped run works: threads, workers, limits of miner fetch and extract."""

    fetch_workers: int = 2
    scale: ScaleOptions = field(default_factory=ScaleOptions)
    max_bytes: int = MAX_PDF_BYTES
    max_pages: int = 300
    time_budget: float = 120.0

    @property
    def backlog(self) -> int:
        """Downloaded papers that may wait for extraction before downloading pauses."""
        return 4 * self.scale.workers + 2 * self.fetch_workers


def run_overlapped(
    engine: Engine,
    fetcher: Fetcher,
    data_dir: str | Path,
    *,
    classifier: str,
    options: OverlapOptions | None = None,
    progress: Progress | None = None,
) -> dict[str, StageReport]:
    """Fetch every pending PDF, extracting and classifying papers as their PDFs land.

    Also extracts and classifies what earlier runs left pending. Returns the report of each
    stage (fetch, extract, classify), the same counts the separate commands would give.
    """
    options = options or OverlapOptions()
    removed = clean_partials(data_dir)
    if removed:
        logger.info("removed %d partial downloads from an interrupted run", removed)
    with (
        Session(engine) as session,
        contextlib.ExitStack() as stack,
        ThreadPoolExecutor(options.fetch_workers) as pool,
    ):
        flow = _Flow(session, stack, pool, fetcher, data_dir, classifier, options, progress)
        scale = options.scale
        jobs = flow.extract_jobs()
        first = next(jobs, None)  # none at all: no worker process is started
        outcomes: Generator[Any, None, None] = iter_outcomes(  # type: ignore[assignment]
            extract_job,
            _chain(first, jobs) if first is not None else iter(()),
            executor=scale.executor,
            workers=scale.workers,
            timeout=scale.doc_timeout,
        )
        with contextlib.closing(outcomes):
            for outcome in outcomes:
                flow.save_extraction(outcome)
        flow.classify_rest()
    return flow.reports


class _Flow:
    """The writer's side of an overlapped run: lands downloads, hands out extraction jobs,
    stores extractions and classifies them. Stage runs start when they first have work."""

    def __init__(
        self,
        session: Session,
        stack: contextlib.ExitStack,
        pool: ThreadPoolExecutor,
        fetcher: Fetcher,
        data_dir: str | Path,
        classifier: str,
        options: OverlapOptions,
        progress: Progress | None,
    ) -> None:
        self.session, self.stack, self.pool = session, stack, pool
        self.fetcher, self.data_dir, self.options, self.progress = (
            fetcher,
            data_dir,
            options,
            progress,
        )
        self.clf = get_classifier(classifier)
        self.reports = {name: StageReport() for name in STAGES}
        self.to_fetch = deque(crawls.pending_fetch(session))
        self.running: dict[Future[Downloaded], int] = {}
        self.waiting: set[int] = set()
        """Papers downloaded by this run whose extraction is not claimed yet (backpressure)."""
        self.failed_classify: set[int] = set()
        self.extract_run: LeasedRun | None = None
        self.classify_run: LeasedRun | None = None
        self.extract_queue = pending.extraction_queue(EXTRACTOR_VERSION)
        self.classify_queue = pending.classification_queue(
            EXTRACTOR_VERSION, self.clf.NAME, self.clf.VERSION
        )
        if self.to_fetch:
            fetch_args = {"workers": options.fetch_workers, "retry_failed": False, "limit": None}
            stack.enter_context(
                recorded_run(
                    session, "fetch", fetch_args, {"miner": __version__}, self.reports["fetch"]
                )
            )

    # -- fetch -------------------------------------------------------------------------------

    def _start_downloads(self) -> None:
        limit = 2 * self.options.fetch_workers
        while (
            self.to_fetch and len(self.running) < limit and len(self.waiting) < self.options.backlog
        ):
            paper_id, url = self.to_fetch.popleft()
            future = self.pool.submit(
                fetch_pdf, self.fetcher, url, self.data_dir, self.options.max_bytes
            )
            self.running[future] = paper_id

    def _land(self, timeout: float) -> bool:
        """Store the downloads that finish within timeout; True when a PDF landed."""
        if not self.running:
            return False
        done, _ = wait(self.running, timeout=timeout, return_when=FIRST_COMPLETED)
        counts = self.reports["fetch"].counts
        landed = False
        for future in done:
            paper_id = self.running.pop(future)
            try:
                got = future.result()
            except FetchError as exc:
                crawls.save_fetch_failed(self.session, paper_id, str(exc))
                counts["failed"] += 1
            else:
                crawls.save_fetch_ok(self.session, paper_id, got.sha256, got.size, got.path)
                counts["ok"] += 1
                self.waiting.add(paper_id)
                landed = True
            if self.progress:
                self.progress(1)
        if done:
            self.session.commit()
        return landed

    # -- extract -----------------------------------------------------------------------------

    def extract_jobs(self) -> Iterator[Any]:
        """Extraction jobs as papers become pending; IDLE while the next PDFs download."""
        claimed: deque[ExtractJob] = deque()
        dirty = True  # papers may be pending: left by an earlier run, or just downloaded
        while True:
            self._start_downloads()
            dirty |= self._land(0)
            if not claimed and dirty:
                claimed.extend(self._claim_extract())
                dirty = len(claimed) == self._chunk
            if claimed:
                yield claimed.popleft()
                continue
            if not self.running and not self.to_fetch:
                return
            if self._land(POLL):
                dirty = True
                continue
            if not self.running:  # downloads paused for the backlog: look for work again
                dirty = True
            yield IDLE

    @property
    def _chunk(self) -> int:
        return max(4, 2 * self.options.scale.workers)

    def _claim_extract(self) -> list[ExtractJob]:
        """Lease the next pending papers (lowest ids first) and read their jobs."""
        session, opts = self.session, self.options
        if self.extract_run is None:
            if not pending.extract_rows(session, EXTRACTOR_VERSION, force=False, after=0, limit=1):
                self.waiting.clear()
                return []
            scale = opts.scale
            args = {"workers": scale.workers, "executor": scale.executor, "force": False}
            versions = {"miner": __version__, "extractor": EXTRACTOR_VERSION}
            report = self.reports["extract"]
            run = leased_run(
                session, "extract", "extract", {**args, "limit": None}, versions, report
            )
            self.extract_run = self.stack.enter_context(run)
        queue = self.extract_queue
        owner = self.extract_run.owner
        ids = leases.claim(session, "extract", queue.ids, queue.column, owner, limit=self._chunk)
        self.waiting.difference_update(ids)
        if len(ids) < self._chunk:
            # Every pending paper is ours now; the rest of `waiting` is leased or done elsewhere.
            self.waiting.clear()
        if not ids:
            return []
        rows = pending.extract_rows(
            session, EXTRACTOR_VERSION, force=False, after=0, limit=len(ids), ids=ids
        )
        return [(pid, sha, path, opts.max_pages, opts.time_budget) for pid, sha, path in rows]

    def save_extraction(self, outcome: Any) -> None:
        """Store an extraction outcome; classify the paper at once when its text is good."""
        if self.extract_run is None:  # only claimed papers reach the workers
            raise RuntimeError("extraction outcome outside an extract run")
        paper_id, sha, encoded = result_of(outcome)
        store.save_extraction(self.session, paper_id, sha, EXTRACTOR_VERSION, encoded)
        self.reports["extract"].counts[encoded.doc.status] += 1
        self.extract_run.saved(paper_id, None)
        if encoded.doc.status == "ok":
            self._classify(paper_id)

    # -- classify ----------------------------------------------------------------------------

    def _classify_lease(self) -> LeasedRun:
        if self.classify_run is None:
            run = classify_run_of(self.clf, False, None, 1)
            self.classify_run = self.stack.enter_context(
                leased_run(self.session, report=self.reports["classify"], **run)
            )
        return self.classify_run

    def _classify(self, paper_id: int) -> None:
        """Classify one paper whose extraction is in the session, under its lease."""
        lr, queue = self._classify_lease(), self.classify_queue
        stmt = queue.ids.where(queue.column == paper_id)
        if not leases.claim(self.session, lr.stage, stmt, queue.column, lr.owner, limit=1):
            return  # another `miner classify` has it
        clf = self.clf
        rows = pending.classify_rows(
            self.session,
            EXTRACTOR_VERSION,
            clf.NAME,
            clf.VERSION,
            force=False,
            after=0,
            limit=1,
            ids=[paper_id],
        )
        for outcome in iter_outcomes(
            classify_job, jobs_of(self.session, clf, rows), executor="inline"
        ):
            if not save_classified(lr, clf, self.reports["classify"], outcome):
                self.failed_classify.add(paper_id)

    def classify_rest(self) -> None:
        """Classify what is still pending (left by earlier runs), except this run's failures."""
        jobs = (
            job
            for job in iter_classify_jobs(self.session, self.clf, force=False, limit=None)
            if job[0] not in self.failed_classify
        )
        first = next(jobs, None)
        if first is None:
            return
        lr = self._classify_lease()
        inline = ScaleOptions(executor="inline")
        for outcome in lr.outcomes(classify_job, _chain(first, jobs), self.classify_queue, inline):
            save_classified(lr, self.clf, self.reports["classify"], outcome)


def _chain(first: Any, rest: Iterator[Any]) -> Iterator[Any]:
    yield first
    yield from rest
