"""Runs over leased papers (extract, classify): one writer committing in batches (DB IO).

Leases (db/leases.py): a second run of the same stage on this database skips the papers this
one holds; each lease is released in the transaction that stores the paper's result.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from db import Session, leases
from db.pending import Queue
from miner.executor import iter_outcomes
from miner.outcome import Outcome
from miner.stages import Progress, ScaleOptions, StageReport
from miner.stages.recorded import recorded_run

BATCH = 200
"""Papers written per commit (each is several rows: extraction, links, predictions, evidence)."""


class BatchCommitter:
    """Commits a session every `rows` writes or `seconds`, whichever comes first."""

    def __init__(self, session: Session, rows: int = BATCH, seconds: float = 5.0) -> None:
        self.session, self.rows, self.seconds = session, rows, seconds
        self.pending = 0
        self.last = time.monotonic()

    def add(self, n: int = 1) -> None:
        """Count n writes; commit when the batch is full or old enough."""
        self.pending += n
        if self.pending >= self.rows or time.monotonic() - self.last >= self.seconds:
            self.flush()

    def flush(self) -> None:
        """Commit now."""
        self.session.commit()
        self.pending, self.last = 0, time.monotonic()


class LeasedRun:
    """A stage run over leased papers: this process alone writes, committing in batches."""

    def __init__(self, session: Session, stage: str) -> None:
        self.session, self.stage = session, stage
        self.owner = leases.new_owner()
        self.batch = BatchCommitter(session)

    def outcomes(
        self,
        fn: Callable[[Any], Any],
        jobs: Iterable[Any],
        queue: Queue,
        scale: ScaleOptions,
    ) -> Iterator[Outcome[Any, Any]]:
        """Outcomes of fn over the jobs (keyed by paper id, job[0]) that this run could lease.

        `queue` says what still needs the stage (checked again when leasing).
        """
        mine = leases.iter_leased(
            self.session,
            self.stage,
            jobs,
            lambda job: job[0],
            queue.ids,
            queue.column,
            owner=self.owner,
            chunk=max(8, 4 * scale.workers),  # each claim is a commit: ~4 ms of the writer (#17)
        )
        return iter_outcomes(
            fn,
            mine,
            executor=scale.executor,
            workers=scale.workers,
            timeout=scale.doc_timeout,
            scheduler=scale.scheduler,
            memory_mb=scale.max_memory_mb,
        )

    def release(self, paper_id: int) -> None:
        """Hand a paper back (with the transaction that stores its result, if any)."""
        leases.release(self.session, self.stage, self.owner, [paper_id])

    def saved(self, paper_id: int, progress: Progress | None) -> None:
        """A paper's result (and its counts) are in the session: release it, count it for the
        batch commit."""
        self.release(paper_id)
        self.batch.add()
        if progress:
            progress(1)


@contextmanager
def leased_run(
    session: Session,
    command: str,
    stage: str,
    args: Mapping[str, Any],
    versions: Mapping[str, str],
    report: StageReport,
) -> Iterator[LeasedRun]:
    """A LeasedRun inside recorded_run: the `runs` row closes with the report's counts.

    On an exception, unsaved results are rolled back, the run is recorded `interrupted` or
    `failed` with the counts of what was committed, and every lease is handed back.
    """
    lr = LeasedRun(session, stage)
    try:
        with recorded_run(session, command, args, versions, report):
            yield lr
            leases.release(session, stage, lr.owner)
            lr.batch.flush()
    except BaseException:
        # recorded_run rolled back the unsaved results (and recorded the run); now the leases
        leases.release(session, stage, lr.owner)
        session.commit()
        raise
