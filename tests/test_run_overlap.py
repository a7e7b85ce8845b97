"""`miner run` overlaps fetch, extract and classify (issue 17): the same rows as the commands run
one after the other, a `runs` row per stage, and a `kill -9` mid-run loses nothing committed."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from miner.replay import index_html, make_server
from tests.helpers.cli import Miner
from tests.helpers.dbcheck import content, finish, health, kill9, seed_pdfs, spawn, wait_for

FAST = ["--delay", "0", "--max-retries", "0", "--timeout", "10"]
NOT_PDF = b"<html>please log in</html>"
WHEN = {"started_at"}
"""A crawl_state column that records when, not what."""


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> list[bytes]:
    """What the bundled index's 5 papers get: 4 small PDFs (real corpus ones when present) and
    one login page (a fetch failure)."""
    folder = tmp_path_factory.mktemp("overlap-pdfs")
    return [p.read_bytes() for p in seed_pdfs(folder, 4)] + [NOT_PDF]


def serve(pdfs: list[bytes], delay: float) -> Iterator[str]:
    server = make_server(0, quiet=True, index=index_html(), pdfs=pdfs, delay=delay)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def site(pdfs: list[bytes]) -> Iterator[str]:
    yield from serve(pdfs, 0.05)


def sequential(base: str, db: Path, data: Path) -> Miner:
    """The reference: crawl, fetch, extract and classify one after the other."""
    m = Miner(db, data)
    m("crawl", "neurips", "--year", "2019", "--base-url", base, *FAST)
    m("fetch", "--base-url", base, *FAST)
    m("extract", "--workers", "1")
    m("classify")
    return m


def run_counts(db: Path) -> dict[str, tuple[str, str]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT command, status, counts FROM runs ORDER BY id").fetchall()
    return {command: (status, counts) for command, status, counts in rows}


def test_run_overlapped_equals_the_stages_one_after_another(site: str, tmp_path: Path) -> None:
    data = tmp_path / "data"  # shared: PDF paths are content-addressed under it
    ref = sequential(site, tmp_path / "ref.db", data)
    m = Miner(tmp_path / "run.db", data)
    out = m("run", "neurips", "--year", "2019", "--base-url", site, "--workers", "1", *FAST)
    assert "fetch: failed 1, ok 4" in out.stderr
    assert "extract: ok 4" in out.stderr
    assert content(m.db, WHEN) == content(ref.db, WHEN)
    assert health(m.db) == []
    runs = run_counts(m.db)
    assert runs == run_counts(ref.db)  # one `runs` row per stage, with the same counts
    assert {status for status, _ in runs.values()} == {"done"}
    again = m("run", "neurips", "--year", "2019", "--base-url", site, "--workers", "1", *FAST)
    assert "fetch: nothing to do" in again.stderr
    assert "extract: nothing to do" in again.stderr
    assert content(m.db, WHEN) == content(ref.db, WHEN)


def test_run_resumes_after_kill9(pdfs: list[bytes], tmp_path: Path) -> None:
    """Killed once a paper is extracted (others still downloading), a rerun completes the
    database of an uninterrupted run: nothing committed is lost, nothing is duplicated."""
    for base in serve(pdfs, 0.4):
        data = tmp_path / "data"
        ref = sequential(base, tmp_path / "ref.db", data)
        db = tmp_path / "run.db"
        args = ("run", "neurips", "--year", "2019", "--base-url", base, "--workers", "1", *FAST)
        proc = spawn(db, *args, data_dir=data)
        assert wait_for(db, "SELECT COUNT(*) FROM extractions", proc), finish(proc)[1]
        with sqlite3.connect(db) as conn:
            before = conn.execute("SELECT paper_id, status FROM extractions").fetchall()
        assert kill9(proc) == -9
        assert health(db) == []
        code, err = finish(spawn(db, *args, data_dir=data))
        assert code == 0, err
        with sqlite3.connect(db) as conn:
            after = set(conn.execute("SELECT paper_id, status FROM extractions").fetchall())
            killed = conn.execute("SELECT status FROM runs WHERE command='extract'").fetchall()
        assert set(before) <= after
        assert ("interrupted",) in killed and ("done",) in killed
        assert content(db, WHEN) == content(ref.db, WHEN)
        assert health(db) == []
