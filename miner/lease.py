"""Work leases: processes sharing one database claim batches of items so none is done twice (DB IO).

A stage run (e.g. `miner extract`) claims a batch of pending items by inserting rows in `leases`
(stage, item_id) -> owner, expires_at, in one write transaction; a second run on the same database
skips items leased by someone else and takes the next ones. A lease ends when its item's result is
committed (`release`), when it expires (`ttl` seconds after the last claim or renewal), or at once
when its owner was a process on this host that no longer runs (killed with `kill -9`), so a rerun
after a crash never waits for the expiry.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Engine, Select, delete, exists, select, update
from sqlalchemy.orm import Session

from db.schema import Lease
from db.store import now, upsert

logger = logging.getLogger(__name__)

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
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        return True
    return True


def leased(stage: str, item_id: Any) -> ColumnElement[bool]:
    """SQL condition: the item has a lease of this stage (use `~leased(...)` to select free items)."""
    return exists().where(Lease.stage == stage, Lease.item_id == item_id)


def expire(session: Session, stage: str, at: datetime) -> int:
    """Delete leases of `stage` that expired or whose owner process died; returns how many."""
    owners = session.scalars(select(Lease.owner).where(Lease.stage == stage).distinct()).all()
    dead = [o for o in owners if not owner_alive(o)]
    stmt = delete(Lease).where(Lease.stage == stage)
    cond = Lease.expires_at < at
    if dead:
        cond = cond | Lease.owner.in_(dead)
    result = session.execute(stmt.where(cond))
    return int(getattr(result, "rowcount", 0) or 0)


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
    session.commit()
    return ids


def release(session: Session, stage: str, owner: str, ids: Iterable[int] | None = None) -> None:
    """Drop this owner's leases (all, or only `ids`); the caller commits with its results."""
    stmt = delete(Lease).where(Lease.stage == stage, Lease.owner == owner)
    if ids is not None:
        stmt = stmt.where(Lease.item_id.in_(list(ids)))
    session.execute(stmt)


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


class Claims:
    """Hands out leased item ids batch by batch; release them as their results are committed.

    >>> claims = Claims(engine, "extract", pending_stmt, Paper.id)   # doctest: +SKIP
    >>> for paper_id in claims: ...; claims.done(session, [paper_id]); session.commit()
    """

    def __init__(
        self,
        engine: Engine,
        stage: str,
        pending: Select[Any],
        item_id: Any,
        *,
        batch: int = 16,
        ttl: float = DEFAULT_TTL,
        owner: str | None = None,
        limit: int | None = None,
    ) -> None:
        self.engine = engine
        self.stage = stage
        self.pending = pending
        self.item_id = item_id
        self.batch = batch
        self.ttl = ttl
        self.owner = owner or new_owner()
        self.limit = limit
        self.claimed = 0

    def next_batch(self) -> list[int]:
        """Claim the next batch (empty when nothing pending is free)."""
        n = self.batch if self.limit is None else min(self.batch, self.limit - self.claimed)
        if n <= 0:
            return []
        with Session(self.engine) as session:
            ids = claim(
                session, self.stage, self.pending, self.item_id, self.owner, limit=n, ttl=self.ttl
            )
        self.claimed += len(ids)
        logger.debug("%s claimed %d %s items", self.owner, len(ids), self.stage)
        return ids

    def __iter__(self) -> Iterator[int]:
        while ids := self.next_batch():
            yield from ids

    def done(self, session: Session, ids: Sequence[int]) -> None:
        """Release `ids` and renew the rest, in the caller's transaction (commit with the results)."""
        release(session, self.stage, self.owner, ids)
        renew(session, self.stage, self.owner, self.ttl)

    def close(self) -> None:
        """Release every lease still held (items claimed but not finished go back to the pool)."""
        with Session(self.engine) as session:
            release(session, self.stage, self.owner)
            session.commit()
