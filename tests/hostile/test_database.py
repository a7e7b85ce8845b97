"""Hostile databases and lookups (#18): read-only commands on a read-only file, an old schema,
a full disk, LIKE patterns and huge numbers in `show`, a database named `it's.db` under serve."""

from __future__ import annotations

import os
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import db.engine
from tests.helpers.cli import Miner
from tests.helpers.pdfs import build_pdf

READ_COMMANDS = [("tally",), ("papers",), ("status",), ("export",), ("show", "1")]


@pytest.fixture
def small_db(tmp_path: Path) -> Miner:
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(2):
        (folder / f"p{i}.pdf").write_bytes(build_pdf(pages=[f"Paper {i}. We use PyTorch. " * 10]))
    m = Miner(tmp_path / "r.db", tmp_path / "data")
    m("ingest", str(folder), "--venue", "V", "--year", "2020")
    m("extract", "--workers", "1", "--executor", "inline")
    m("classify", "--executor", "inline")
    return m


@pytest.fixture
def read_only_dir(small_db: Miner) -> Iterator[Path]:
    """The database in a folder nobody may write to (and the file itself read-only)."""
    folder = small_db.db.parent / "ro"
    folder.mkdir()
    target = folder / "r.db"
    with sqlite3.connect(small_db.db) as conn:  # a clean copy: journal mode back to DELETE
        conn.execute("PRAGMA journal_mode=DELETE")
    shutil.copy(small_db.db, target)
    target.chmod(stat.S_IRUSR)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    yield target
    folder.chmod(stat.S_IRWXU)
    target.chmod(stat.S_IRUSR | stat.S_IWUSR)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes to read-only files anyway")
@pytest.mark.parametrize("args", READ_COMMANDS)
def test_read_commands_work_on_a_read_only_database(
    read_only_dir: Path, args: tuple[str, ...]
) -> None:
    Miner(read_only_dir, read_only_dir.parent / "data")(*args)


@pytest.mark.parametrize("args", READ_COMMANDS)
def test_read_commands_switch_no_journal_mode_and_migrate_nothing(
    small_db: Miner, args: tuple[str, ...]
) -> None:
    """#18: every open set WAL and migrated, so read commands failed on a read-only database."""
    with sqlite3.connect(small_db.db) as conn:
        conn.execute("PRAGMA journal_mode=DELETE")
        before = conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0]
    small_db(*args)
    with sqlite3.connect(small_db.db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert conn.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == before


def test_an_older_schema_is_refused_by_read_commands_in_one_line(small_db: Miner) -> None:
    with sqlite3.connect(small_db.db) as conn:
        conn.execute("DELETE FROM schema_migrations WHERE name = '0008_issue15_evidence_names'")
    result = small_db("tally", ok=False)
    assert result.exit_code == 2
    assert "older" in result.stderr and "writing command" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    small_db("status", ok=False)
    small_db("extract", "--executor", "inline")  # a writing command upgrades it
    small_db("tally")


def test_a_full_disk_is_one_line_and_loses_nothing_committed(
    small_db: Miner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite's max_page_count gives the real SQLITE_FULL path without mounting a tiny disk."""
    with sqlite3.connect(small_db.db) as conn:
        before = conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0]
        pages = conn.execute("PRAGMA page_count").fetchone()[0]
    plain = db.engine._sqlite_pragmas

    def full(dbapi_conn: object, record: object) -> None:
        plain(dbapi_conn, record)
        cur = dbapi_conn.cursor()  # type: ignore[attr-defined]
        cur.execute(f"PRAGMA max_page_count={pages + 2}")
        cur.close()

    monkeypatch.setattr(db.engine, "_sqlite_pragmas", full)
    folder = tmp_path / "more"
    folder.mkdir()
    for i in range(30):
        (folder / f"q{i}.pdf").write_bytes(build_pdf(pages=[f"Another {i}. " + "text " * 2000]))
    result = small_db("ingest", str(folder), "--venue", "V", "--year", "2021", ok=False)
    assert result.exit_code == 1, result.output
    assert "disk is full" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    monkeypatch.setattr(db.engine, "_sqlite_pragmas", plain)
    with sqlite3.connect(small_db.db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM papers").fetchone()[0] >= before


@pytest.mark.parametrize("ident", ["%%%%%%%%", "________", "99999999999999999999", "²⁰²²"])
def test_show_takes_identifiers_literally(small_db: Miner, ident: str) -> None:
    """#18: `show '%%%%'` matched paper 1 (LIKE unescaped); a 20-digit id raised OverflowError."""
    result = small_db("show", ident, ok=False)
    assert result.exit_code == 2 and "no paper" in result.stderr, result.output


def test_serve_metadata_with_a_quote_in_the_database_name(small_db: Miner, tmp_path: Path) -> None:
    """#18: the canned queries pasted the database name into SQL unescaped."""
    import json

    quoted = tmp_path / "it's.db"
    shutil.copy(small_db.db, quoted)
    meta = json.loads(Miner(quoted, tmp_path / "data")("serve", "--metadata").stdout)
    queries = meta["databases"]["it's"]["queries"]
    params = {"venue": "", "year": "", "framework": "pytorch", "paper_id": "1"}
    with sqlite3.connect(quoted) as conn:
        for query in queries.values():
            conn.execute(query["sql"], params).fetchall()  # valid SQL with the name inside
    assert "/it~27s/papers_using?" in queries["tally_by_venue_year"]["sql"]


def test_the_read_only_engine_cannot_write(small_db: Miner) -> None:
    """Root may write to read-only files, so this checks the engine itself refuses writes."""
    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    engine = db.engine.make_engine(str(small_db.db), read_only=True)
    with engine.connect() as conn, pytest.raises(OperationalError, match="readonly|read-only"):
        conn.execute(text("DELETE FROM papers"))
    engine.dispose()
