"""Crash safety: `kill -9` a running `miner extract` at seeded random points, rerun, and get the
database of an uninterrupted run (same rows, no duplicates, no orphans, integrity ok)."""

from __future__ import annotations

import random
import shutil
import sqlite3
import time
from collections import Counter
from pathlib import Path

import pytest

from tests.helpers.cli import Miner
from tests.helpers.dbcheck import content, finish, health, kill9, seed_pdfs, spawn, wait_for

SEED = 8
KILLS = 3

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ingested(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database with a dozen papers ingested (real corpus PDFs when present), nothing extracted."""
    tmp = tmp_path_factory.mktemp("crash")
    folder = tmp / "pdfs"
    seed_pdfs(folder, 12)
    m = Miner(tmp / "base.db", tmp / "data")
    m("ingest", str(folder), "--venue", "Crash", "--year", "2020")
    return tmp / "base.db"


def copy_db(src: Path, dst: Path) -> Path:
    with sqlite3.connect(src) as a, sqlite3.connect(dst) as b:
        a.backup(b)
    return dst


def test_extract_survives_kill9_at_random_points(ingested: Path, tmp_path: Path) -> None:
    ref = copy_db(ingested, tmp_path / "ref.db")
    started = time.monotonic()
    Miner(ref, tmp_path / "data")("extract", "--workers", "1")
    span = time.monotonic() - started  # the work of a run; kill points are drawn inside it

    crash = copy_db(ingested, tmp_path / "crash.db")
    rng = random.Random(SEED)
    codes = []
    for _ in range(KILLS):
        proc = spawn(crash, "extract", "--workers", "1")
        # Let the run register itself, then kill it somewhere in its expected working time.
        wait_for(crash, "SELECT COUNT(*) FROM runs WHERE command='extract'", proc)
        time.sleep(rng.uniform(0.0, span))
        codes.append(proc.poll() if proc.poll() is not None else kill9(proc))
    code, err = finish(spawn(crash, "extract", "--workers", "1"))
    assert code == 0, err

    assert -9 in codes, f"no kill landed while a run was working: exit codes {codes}"
    assert health(crash) == []
    assert content(crash) == content(ref)
    Miner(crash, tmp_path / "data")("extract", "--workers", "1")  # a further rerun is a no-op
    assert content(crash) == content(ref)
    assert run_states(crash)["running"] == 0  # the killed runs were found dead and marked
    assert run_states(crash)["interrupted"] >= 1


def run_states(db: Path) -> Counter[str]:
    with sqlite3.connect(db) as conn:
        return Counter(dict(conn.execute("SELECT status, COUNT(*) FROM runs GROUP BY status")))


def test_classify_survives_kill9_at_random_points(ingested: Path, tmp_path: Path) -> None:
    extracted = copy_db(ingested, tmp_path / "extracted.db")
    Miner(extracted, tmp_path / "data")("extract", "--workers", "1")
    ref = copy_db(extracted, tmp_path / "ref.db")
    started = time.monotonic()
    Miner(ref, tmp_path / "data")("classify", "--all", "--workers", "1")
    span = time.monotonic() - started

    crash = copy_db(extracted, tmp_path / "crash.db")
    rng = random.Random(SEED)
    codes = []
    for _ in range(KILLS):
        # Classifying 12 papers is quick: kill points are drawn over the whole run, start-up too.
        proc = spawn(crash, "classify", "--all", "--workers", "1")
        time.sleep(rng.uniform(0.0, span))
        codes.append(finish(proc)[0] if proc.poll() is not None else kill9(proc))
    code, err = finish(spawn(crash, "classify", "--all", "--workers", "1"))
    assert code == 0, err

    assert -9 in codes, f"no kill landed while a run was working: exit codes {codes}"
    assert health(crash) == []
    assert content(crash) == content(ref)
    assert run_states(crash)["running"] == 0


def test_health_check_finds_orphans(tmp_path: Path) -> None:
    """The checker itself can fail: an orphan link row is reported."""
    db = tmp_path / "x.db"
    Miner(db, tmp_path / "data").create()("status")
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute(
            "INSERT INTO links (paper_id, extractor_version, url, host, kind, own, page, section,"
            " origin, raw) VALUES (99, 'v', 'u', 'h', 'code', 0, 1, 'body', 'text', '')"
        )
    assert any("orphan" in p for p in health(db))
    shutil.rmtree(tmp_path / "data", ignore_errors=True)
