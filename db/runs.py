"""The `runs` table: one row per command that changed the database, with its state (DB IO).

A run starts `running` and ends `done`, `interrupted` (Ctrl-C, SIGTERM, or its process found
gone) or `failed`; miner.stages.recorded.recorded_run is the one caller that opens and closes them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from db.schema import Run
from db.store import now

STATES = ("running", "done", "interrupted", "failed")


def start_run(
    session: Session, command: str, args: Mapping[str, Any], versions: Mapping[str, str]
) -> Run:
    """Insert a `runs` row in state running and commit it.

    Runs of this host left `running` by a process that no longer exists are first marked
    `interrupted` (see reap_runs).
    """
    reap_runs(session)
    run = Run(
        command=command,
        args=dict(args),
        versions=dict(versions),
        started_at=now(),
        status="running",
        counts={},
        host=socket.gethostname(),
        pid=os.getpid(),
    )
    session.add(run)
    session.commit()
    return run


def reap_runs(session: Session) -> int:
    """Mark `interrupted` the running runs of this host whose process is gone; returns how many.

    Runs of other hosts are left alone: their processes cannot be checked from here.
    """
    stmt = select(Run).where(Run.status == "running", Run.host == socket.gethostname())
    dead = [run for run in session.scalars(stmt) if run.pid is not None and not pid_alive(run.pid)]
    for run in dead:
        run.status = "interrupted"
    if dead:
        session.commit()
    return len(dead)


def pid_alive(pid: int) -> bool:
    """Whether a process with this pid exists on this host (another user's counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process
    return True


def finish_run(session: Session, run: Run, counts: Mapping[str, Any], status: str) -> None:
    """Close a run in a final state (done, interrupted, failed) with its counts, and commit."""
    if status not in STATES[1:]:
        raise ValueError(f"not a final run state: {status!r}")
    run.finished_at = now()
    run.status = status
    run.counts = dict(counts)
    session.merge(run)
    session.commit()
