"""Work leases: processes sharing one database claim batches of items so none is done twice (DB IO).

A stage run (e.g. `miner extract`) claims a batch of pending items by inserting rows in `leases`
(stage, item_id) -> owner, expires_at, in one write transaction; a second run on the same database
skips items leased by someone else and takes the next ones. A lease ends when its item's result is
committed (`release`), when it expires (`ttl` seconds after the last claim or renewal), or at once
when its owner was a process on this host that no longer runs (killed with `kill -9`), so a rerun
after a crash never waits for the expiry.
"""

from __future__ import annotations

import itertools
import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime, timedelta
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import ColumnElement, Select, Table, bindparam, delete, exists, select, update
from sqlalchemy.orm import Session

from db.runs import pid_alive
from db.schema import Lease
from db.store import now, upsert

logger = logging.getLogger(__name__)

J = TypeVar("J")

DEFAULT_TTL = 900.0
"""Seconds a lease lasts without renewal; a run renews its leases whenever it commits results."""


def new_owner() -> str:
    """An owner name unique to this process: host:pid:random."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def owner_alive(owner: str, host: str | None = None) -> bool:
    """False only when the owner was a process on this host that is gone; remote owners count as alive."""
    parts = owner.rsplit(":", 2)
    if len(parts) != 3 or parts[0] != (host or socket.gethostname()):
        return True
    try:
        pid = int(parts[1])
    except ValueError:
        return True
    return pid_alive(pid)


def leased(stage: str, item_id: Any) -> ColumnElement[bool]:
    """SQL condition: the item has a lease of this stage (use `~leased(...)` to select free items)."""
    return exists().where(Lease.stage == stage, Lease.item_id == item_id)


def expire(session: Session, stage: str, at: datetime) -> int:
    """Delete leases of `stage` that expired or whose owner process died; returns how many.

    Starts with a write so that, on SQLite, the caller's transaction holds the write lock from here
    on (a read first could see a snapshot that another writer invalidates before our write).
    """
    stale = delete(Lease).where(Lease.stage == stage, Lease.expires_at < at)
    count = int(getattr(session.execute(stale), "rowcount", 0) or 0)
    owners = session.scalars(select(Lease.owner).where(Lease.stage == stage).distinct()).all()
    dead = [o for o in owners if not owner_alive(o)]
    if dead:
        gone = delete(Lease).where(Lease.stage == stage, Lease.owner.in_(dead))
        count += int(getattr(session.execute(gone), "rowcount", 0) or 0)
        logger.info("%s: took back the leases of %d dead processes", stage, len(dead))
    return count


def claim(
    session: Session,
    stage: str,
    pending: Select[Any],
    item_id: Any,
    owner: str,
    *,
    limit: int,
    ttl: float = DEFAULT_TTL,
    clock: Callable[[], datetime] = now,
) -> list[int]:
    """Lease up to `limit` items of `pending` (a select of ids, `item_id` its id column); commits.

    The first statement writes, so on SQLite the whole claim is one serialized write transaction;
    on PostgreSQL the insert skips rows another process inserted first. Returns the ids claimed.
    """
    at = clock()
    expire(session, stage, at)
    ids = list(session.scalars(pending.where(~leased(stage, item_id)).limit(limit)))
    if ids:
        until = at + timedelta(seconds=ttl)
        rows = [{"stage": stage, "item_id": i, "owner": owner, "expires_at": until} for i in ids]
        upsert(session, Lease, rows, ["stage", "item_id"], update=[])
        mine = set(
            session.scalars(
                select(Lease.item_id).where(
                    Lease.stage == stage, Lease.owner == owner, Lease.item_id.in_(ids)
                )
            )
        )
        ids = [i for i in ids if i in mine]
    renew(session, stage, owner, ttl, clock=lambda: at)  # the ones still held stay ours too
    session.commit()
    return ids


@cache
def _release_one() -> Any:
    """DELETE of one item's lease, built once: the writer runs it for every paper (#17)."""
    table = cast(Table, Lease.__table__)
    return delete(table).where(
        table.c.stage == bindparam("p_stage"),
        table.c.owner == bindparam("p_owner"),
        table.c.item_id == bindparam("p_item"),
    )


def release(session: Session, stage: str, owner: str, ids: Iterable[int] | None = None) -> None:
    """Drop this owner's leases (all, or only `ids`); the caller commits with its results."""
    if ids is not None:
        params = [{"p_stage": stage, "p_owner": owner, "p_item": i} for i in ids]
        if params:
            session.execute(_release_one(), params)
        return
    session.execute(delete(Lease).where(Lease.stage == stage, Lease.owner == owner))


def renew(
    session: Session,
    stage: str,
    owner: str,
    ttl: float = DEFAULT_TTL,
    clock: Callable[[], datetime] = now,
) -> None:
    """Push back the expiry of all this owner's leases; the caller commits."""
    until = clock() + timedelta(seconds=ttl)
    session.execute(
        update(Lease).where(Lease.stage == stage, Lease.owner == owner).values(expires_at=until)
    )


def iter_leased(
    session: Session,
    stage: str,
    jobs: Iterable[J],
    key: Callable[[J], int],
    pending: Select[Any],
    item_id: Any,
    *,
    owner: str,
    chunk: int = 8,
    ttl: float = DEFAULT_TTL,
) -> Iterator[J]:
    """The jobs this owner could lease, claimed `chunk` at a time as they are pulled.

    `pending` selects the ids still needing work, checked again at claim time, so an item another
    process finished meanwhile is skipped. Claims commit `session` (the caller's writer: a second
    connection would wait on its write lock). Release each item with its result (`release`).
    """
    todo = iter(jobs)
    while batch := list(itertools.islice(todo, chunk)):
        ids = [key(j) for j in batch]
        stmt = pending.where(item_id.in_(ids))
        got = set(claim(session, stage, stmt, item_id, owner, limit=len(ids), ttl=ttl))
        skipped = len(ids) - len(got)
        if skipped:
            logger.info("%s: %d items leased or done by another process", stage, skipped)
        yield from (j for j in batch if key(j) in got)
