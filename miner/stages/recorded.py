"""The one recorded-run helper: every command that changes the database runs inside it (DB IO).

It writes the `runs` row (command, args, versions, host, pid) before the work, and at the end
the counts and a final state: `done`, `interrupted` (Ctrl-C, or SIGTERM, turned into SystemExit
for the run's duration) or `failed` (any other exception, re-raised).
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from types import FrameType
from typing import Any

from db import Session, on_commit
from db import runs as run_store
from miner.stages import StageReport

logger = logging.getLogger(__name__)


def stopped_state(exc: BaseException) -> str:
    """State of a run an exception ended: Ctrl-C and SIGTERM interrupt, the rest fail."""
    return "interrupted" if isinstance(exc, KeyboardInterrupt | SystemExit) else "failed"


@contextmanager
def recorded_run(
    session: Session,
    command: str,
    args: Mapping[str, Any],
    versions: Mapping[str, str],
    report: StageReport | None = None,
) -> Iterator[StageReport]:
    """Record a `runs` row around the block; yields the report whose counts it stores.

    A finished run stores the counts as they are at the end. A stopped one first rolls back
    `session`'s uncommitted work and stores the counts as they were at the session's last
    commit: what the database holds. Counts must therefore be added before the commit that
    saves what they count.
    """
    report = report if report is not None else StageReport()
    run = run_store.start_run(session, command, args, versions)
    committed: dict[str, Any] = {}

    def snapshot() -> None:
        committed.clear()
        committed.update(report.recorded())

    stop_watching = on_commit(session, snapshot)
    with _sigterm_exits():
        try:
            yield report
        except BaseException as exc:
            stop_watching()
            state = stopped_state(exc)
            try:
                session.rollback()
                run_store.finish_run(session, run, committed, state)
            except Exception:  # the database itself may be why the run stopped
                logger.exception("could not record run %s as %s", run.id, state)
            raise
        stop_watching()
        run_store.finish_run(session, run, report.recorded(), "done")


def _exit_on_sigterm(signum: int, _frame: FrameType | None) -> None:
    sys.exit(128 + signum)


@contextmanager
def _sigterm_exits() -> Iterator[None]:
    """SIGTERM raises SystemExit while inside (main thread only), so the run can record it."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _exit_on_sigterm)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous if previous is not None else signal.SIG_DFL)
