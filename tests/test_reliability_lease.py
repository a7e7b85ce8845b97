"""Work leases (db/leases.py): two owners never hold the same item; expired or dead leases free up."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session

from db import leases as lease
from db import make_engine
from db.schema import Paper
from db.store import now
from miner.records import PaperRecord


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """A SQLite file with 10 papers."""
    from db import store

    eng = make_engine(str(tmp_path / "lease.db"))
    with Session(eng) as s:
        store.upsert_papers(s, [PaperRecord(source="t", source_id=str(i)) for i in range(10)])
        s.commit()
    return eng


PENDING = select(Paper.id).order_by(Paper.id)


def claim(engine: Engine, owner: str, n: int, **kw: object) -> list[int]:
    with Session(engine) as s:
        return lease.claim(s, "extract", PENDING, Paper.id, owner, limit=n, **kw)  # type: ignore[arg-type]


def me(token: str) -> str:
    """An owner name of this (living) process."""
    return f"{socket.gethostname()}:{os.getpid()}:{token}"


def test_two_owners_get_disjoint_batches(engine: Engine) -> None:
    a = claim(engine, me("a"), 4)
    b = claim(engine, me("b"), 4)
    c = claim(engine, me("c"), 4)
    assert a == [1, 2, 3, 4] and b == [5, 6, 7, 8] and c == [9, 10]
    assert claim(engine, me("d"), 4) == []


def test_release_returns_items(engine: Engine) -> None:
    a = claim(engine, me("a"), 3)
    with Session(engine) as s:
        lease.release(s, "extract", me("a"), a[:1])
        s.commit()
    assert claim(engine, me("b"), 1) == [1]


def test_expired_lease_is_taken_over(engine: Engine) -> None:
    claim(engine, me("a"), 2, ttl=60.0)
    later = now() + timedelta(seconds=61)
    assert claim(engine, me("b"), 2, clock=lambda: later) == [1, 2]


def test_renew_keeps_a_lease(engine: Engine) -> None:
    claim(engine, me("a"), 2, ttl=60.0)
    with Session(engine) as s:
        lease.renew(s, "extract", me("a"), ttl=600.0)
        s.commit()
    later = now() + timedelta(seconds=61)
    assert claim(engine, me("b"), 2, clock=lambda: later) == [3, 4]


def test_lease_of_a_dead_process_is_taken_over_at_once(engine: Engine) -> None:
    """After kill -9, a rerun must not wait for the expiry."""
    proc = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    dead = f"{socket.gethostname()}:{int(proc.stdout)}:x"
    assert not lease.owner_alive(dead)
    claim(engine, "other-host:1:x", 2)  # a remote owner is trusted until expiry
    assert claim(engine, dead, 3) == [3, 4, 5]
    assert claim(engine, me("b"), 10) == [3, 4, 5, 6, 7, 8, 9, 10]


def test_owner_alive_is_conservative() -> None:
    assert lease.owner_alive(lease.new_owner())
    assert lease.owner_alive("not-a-owner-name")
    assert lease.owner_alive(f"{socket.gethostname()}:notapid:x")


def test_iter_leased_skips_items_done_or_leased_meanwhile(engine: Engine) -> None:
    pending = select(Paper.id).where(Paper.title.is_(None)).order_by(Paper.id)
    with Session(engine) as s:
        jobs = lease.iter_leased(
            s, "extract", range(1, 11), int, pending, Paper.id, owner=me("a"), chunk=4
        )
        got = [next(jobs) for _ in range(4)]
        with Session(engine) as other:  # meanwhile: another process finished 5 and took 6
            other.execute(update(Paper).where(Paper.id == 5).values(title="done"))
            other.commit()
            assert lease.claim(other, "extract", pending, Paper.id, me("b"), limit=1) == [6]
        got += list(jobs)
    assert got == [1, 2, 3, 4, 7, 8, 9, 10]
