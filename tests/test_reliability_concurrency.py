"""Concurrent use of one SQLite file: readers while extract writes, and two extracts sharing work."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from tests.helpers.cli import Miner
from tests.helpers.dbcheck import content, finish, health, seed_pdfs, spawn

pytestmark = pytest.mark.slow


@pytest.fixture
def ingested(tmp_path: Path) -> Miner:
    """A dozen papers ingested into tmp_path/test.db, nothing extracted yet."""
    m = Miner(tmp_path / "test.db", tmp_path / "data")
    seed_pdfs(tmp_path / "pdfs", 12)
    m("ingest", str(tmp_path / "pdfs"), "--venue", "Conc", "--year", "2021")
    return m


def test_tally_and_status_while_extract_runs(ingested: Miner) -> None:
    proc = spawn(ingested.db, "extract", "--workers", "1")
    during = 0
    seen_done: list[int] = []
    while proc.poll() is None:
        running = proc.poll() is None
        status = ingested.json("status")  # raises on a non-zero exit (locked, corrupt...)
        ingested("tally", "--json")
        time.sleep(0.2)  # a reader polling, not a busy loop competing with the writer for CPU
        if running:
            during += 1
            seen_done.append(status["stages"]["extract"]["done"])
    code, err = finish(proc)
    assert code == 0, err
    assert during >= 1, "extract finished before any reader ran"
    assert seen_done == sorted(seen_done), "a reader saw the done count go backwards"
    assert health(ingested.db) == []
    assert ingested.json("status")["stages"]["extract"]["done"] == 12


@pytest.mark.parametrize("command", ["extract", "classify"])
def test_two_runs_of_a_stage_do_not_duplicate_work(
    ingested: Miner, tmp_path: Path, command: str
) -> None:
    if command == "classify":
        ingested("extract", "--workers", "1")
    ref = tmp_path / "ref.db"
    with sqlite3.connect(ingested.db) as a, sqlite3.connect(ref) as b:
        a.backup(b)
    Miner(ref, tmp_path / "data")(command, "--workers", "1")

    procs = [spawn(ingested.db, command, "--workers", "1") for _ in range(2)]
    for proc in procs:
        code, err = finish(proc)
        assert code == 0, err
    with sqlite3.connect(ingested.db) as conn:
        runs = conn.execute(
            "SELECT status, counts FROM runs WHERE command=?", (command,)
        ).fetchall()
        leases = conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0]
    done = [sum(json.loads(counts).values()) for _, counts in runs]
    assert all(status == "done" for status, _ in runs)
    assert sum(done) == 12, f"papers per {command} run: {done} (a paper was done twice)"
    assert leases == 0
    assert health(ingested.db) == []
    assert content(ingested.db) == content(ref)
