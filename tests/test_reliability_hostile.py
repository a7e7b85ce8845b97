"""Hostile PDFs: every mutated or crafted file ends with a recorded status, in bounded time and
memory, and the other papers of the same run come out exactly as in a run without them."""

from __future__ import annotations

import os
import random
import sqlite3
import threading
from pathlib import Path

import pytest

from tests.helpers.cli import Miner
from tests.helpers.dbcheck import health, seed_pdfs, spawn
from tests.helpers.hostile import hostile_set

pytestmark = pytest.mark.slow

SEED = 8
STATUSES = {
    "ok",
    "no_text",
    "encrypted",
    "corrupt",
    "empty",
    "not_pdf",
    "too_large",
    "timeout",
    "failed",
}
DOC_TIMEOUT = 3.0
"""Seconds per document before its worker process is killed (status timeout)."""
MAX_RSS_KB = 1_500_000
"""Memory bound of a whole extract run (parent and workers); a normal run needs ~250 MB."""


def extractions(db: Path) -> dict[str, tuple[object, ...]]:
    """sha256 -> (status, pages, chars, blocks, links) of every paper's extraction."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute(
            "SELECT p.source_id, e.status, e.pages, e.chars, e.blocks_z, "
            " (SELECT group_concat(url, ' ') FROM links l WHERE l.paper_id = p.id) "
            "FROM papers p LEFT JOIN extractions e ON e.paper_id = p.id"
        ).fetchall()
    return {r[0]: r[1:] for r in rows}


def conn_rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


def run_with_rusage(db: Path, *args: str, timeout: float = 240) -> tuple[int, int, str]:
    """Run `miner ARGS` to the end; (exit code, max RSS in KB of it and its workers, stderr)."""
    proc = spawn(db, *args)
    watchdog = threading.Timer(timeout, proc.kill)  # a hang guard, not a speed assertion
    watchdog.start()
    try:
        _, status, usage = os.wait4(proc.pid, 0)
    finally:
        watchdog.cancel()
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.stderr is not None and proc.stdout is not None
    err = proc.stderr.read().decode(errors="replace")
    proc.stdout.close()
    proc.stderr.close()
    return proc.returncode, usage.ru_maxrss, err


def test_hostile_pdfs_are_recorded_and_do_not_disturb_others(tmp_path: Path) -> None:
    good = seed_pdfs(tmp_path / "good", 5)
    seeds, others = good[:2], good[2:]
    hostile = hostile_set([p.read_bytes() for p in seeds], random.Random(SEED), bomb_mib=1024)
    folder = tmp_path / "hostile"
    folder.mkdir()
    for name, data in hostile.items():
        (folder / name).write_bytes(data)

    ref = Miner(tmp_path / "ref.db", tmp_path / "data")
    for p in others:
        ref("ingest", str(p), "--venue", "Fuzz", "--year", "2022")
    ref("extract", "--workers", "1")

    m = Miner(tmp_path / "fuzz.db", tmp_path / "data")
    m("ingest", str(folder), *map(str, others), "--venue", "Fuzz", "--year", "2022")
    code, max_rss, err = run_with_rusage(
        m.db, "extract", "--workers", "2", "--doc-timeout", str(DOC_TIMEOUT)
    )
    assert code == 0, err
    assert max_rss < MAX_RSS_KB

    got = extractions(m.db)
    assert len(got) == len(hostile) + len(others)
    unfinished = [sha for sha, row in got.items() if row[0] not in STATUSES]
    assert unfinished == []
    expected = extractions(ref.db)
    assert {sha: got[sha] for sha in expected} == expected  # the good papers are untouched
    with sqlite3.connect(m.db) as conn:
        bad = conn.execute(
            "SELECT COUNT(*) FROM extractions WHERE status != 'ok' AND (error IS NULL OR error = '')"
        ).fetchone()[0]
        pages = dict(
            conn.execute(
                "SELECT p.file_name, e.pages FROM papers p JOIN extractions e ON e.paper_id = p.id"
            ).fetchall()
        )
    assert bad == 0, "a failed extraction without a reason"
    statuses = dict(
        conn_rows(
            m.db,
            "SELECT p.file_name, e.status FROM papers p JOIN extractions e ON e.paper_id = p.id",
        )
    )
    assert statuses["zip-bomb.pdf"] == "timeout"  # 1 GiB of operators on one page: killed
    assert pages["10000-pages.pdf"] == 10_000  # counted, though only --max-pages were read
    assert health(m.db) == []
    assert "Traceback" not in err
