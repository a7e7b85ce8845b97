"""The same stages on SQLite and PostgreSQL: idempotent upserts, streaming, batched commits (#7).

PostgreSQL tests use MINER_TEST_PG_URL (set by .ci/run, which starts a server on loopback) or a
server on 127.0.0.1:54329; outside CI they skip with the reason when none answers.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from db import make_engine
from db.schema import Base
from miner.stages import ScaleOptions
from miner.stages.classify import run_classify
from miner.stages.extract import count_pending, iter_extract_jobs, run_extract
from miner.stages.ingest import run_ingest
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:54329/miner_test"


def _admin_url() -> str:
    return os.environ.get("MINER_TEST_PG_URL") or DEFAULT_PG


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    url = make_url(_admin_url())
    admin = create_engine(url, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    name = f"miner_t_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as exc:
        admin.dispose()
        reason = f"no PostgreSQL at {url.render_as_string()}: {str(exc.orig).strip()}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason} (CI must run the PostgreSQL tests; see .ci/run)")
        pytest.skip(f"{reason}; run `bash .ci/run` or set MINER_TEST_PG_URL")
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Each database test runs on a SQLite file and on a PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "test.db")
    return str(request.getfixturevalue("pg_url"))


PAPER = [
    "Title\n\nAbstract\nA study.\n\n1 Introduction\nCode: https://github.com/me/proj",
    "We implemented the network in TensorFlow 2.3. Unlike PyTorch, it compiles graphs.",
]


def write_corpus(folder: Path, make_pdf: MakePdf, n: int = 6) -> Path:
    folder.mkdir()
    for i in range(n):
        (folder / f"p{i}.pdf").write_bytes(make_pdf(pages=[f"Paper number {i}.", *PAPER]))
    (folder / "scan.pdf").write_bytes(make_pdf(pages=["", ""]))
    (folder / "html.pdf").write_bytes(b"<html>oops</html>")
    return folder


def row_counts(db: str) -> dict[str, int]:
    engine = make_engine(db)
    with Session(engine) as s:
        counts = {
            t: s.scalar(select(func.count()).select_from(Base.metadata.tables[t])) or 0
            for t in Base.metadata.tables
            if t != "runs"
        }
    engine.dispose()
    return counts


def test_stages_are_idempotent_on_both_databases(
    db_url: str, tmp_path: Path, make_pdf: MakePdf
) -> None:
    folder = write_corpus(tmp_path / "pdfs", make_pdf)
    miner = Miner(db_url, tmp_path / "data")  # type: ignore[arg-type]
    snapshots = []
    for _ in range(2):
        miner("ingest", str(folder), "--venue", "TestConf", "--year", "2020")
        miner("extract", "--workers", "2")
        miner("classify", "--all", "--workers", "2")
        snapshots.append(row_counts(db_url))
    assert snapshots[0] == snapshots[1]
    assert snapshots[0]["papers"] == 8 and snapshots[0]["extractions"] == 8
    assert snapshots[0]["predictions"] > 0 and snapshots[0]["evidence"] > 0
    miner("extract", "--force", "--workers", "1")
    miner("classify", "--force", "--executor", "inline")
    assert row_counts(db_url) == snapshots[0]
    papers = {p["file"]: p for p in miner.lines("papers", "--nl")}
    assert papers["p0.pdf"]["uses"] == ["tensorflow"]
    assert papers["p0.pdf"]["code_links"] == ["https://github.com/me/proj"]
    assert papers["html.pdf"]["status"] == "not_pdf"
    tf = next(r for r in miner.json("tally") if r["framework"] == "tensorflow")
    assert (tf["uses"], tf["extracted_ok"], tf["papers"]) == (6, 6, 8)


def test_stages_stream_in_pages_and_honour_limit(
    db_url: str, tmp_path: Path, make_pdf: MakePdf
) -> None:
    """Pages of 2 pending papers at a time give the same rows as one pass; --limit stops early."""
    folder = write_corpus(tmp_path / "pdfs", make_pdf, n=5)
    engine = make_engine(db_url)
    run_ingest(engine, [str(folder)], venue="V", year=2021)
    with Session(engine) as session:
        jobs = list(
            iter_extract_jobs(
                session, force=False, limit=None, max_pages=10, time_budget=5.0, page=2
            )
        )
        ids = [j[0] for j in jobs]
        assert sorted(ids) == sorted(set(ids)) and len(ids) == 7
        # pages of 2 follow each other by id; within a page, the largest file comes first (#17)
        assert all(max(ids[i : i + 2]) < min(ids[i + 2 : i + 4]) for i in range(0, 5, 2))
        assert (
            len(
                list(
                    iter_extract_jobs(
                        session, force=False, limit=3, max_pages=10, time_budget=5.0, page=2
                    )
                )
            )
            == 3
        )
    report = run_extract(engine, limit=3, scale=ScaleOptions(workers=1))
    assert sum(report.counts.values()) == 3
    report = run_extract(engine, scale=ScaleOptions(executor="inline"))
    assert sum(report.counts.values()) == 4
    report = run_classify(engine, classifier="rules")
    assert report.counts == {"with_framework": 5}  # scan.pdf and html.pdf have no text to classify
    assert count_pending(engine) == 0
    engine.dispose()


def test_read_commands_neither_create_nor_migrate_a_server_schema(
    pg_url: str, tmp_path: Path, make_pdf: MakePdf
) -> None:
    """On PostgreSQL, read commands used to apply migrations; they now open read-only
    transactions: an empty database is refused (nothing created), an older schema is
    refused (not upgraded), and their engine cannot write."""
    from sqlalchemy import inspect

    from db.schema import Migration

    miner = Miner(pg_url, tmp_path / "data")  # type: ignore[arg-type]
    empty = miner("tally", ok=False)
    assert empty.exit_code == 2 and "no framework-miner tables" in empty.stderr
    probe = create_engine(pg_url)
    with probe.connect() as conn:
        assert inspect(conn).get_table_names() == []
    miner(
        "ingest",
        str(write_corpus(tmp_path / "pdfs", make_pdf, n=1)),
        "--venue",
        "T",
        "--year",
        "2020",
    )
    assert miner("tally").exit_code == 0
    with probe.begin() as conn:
        last = conn.scalar(select(Migration.name).order_by(Migration.name.desc()).limit(1))
        conn.execute(Migration.__table__.delete().where(Migration.name == last))
    older = miner("papers", ok=False)
    assert older.exit_code == 2 and "older than this framework-miner" in older.stderr
    with probe.connect() as conn:
        assert last not in set(conn.execute(select(Migration.name)).scalars())
    miner("extract", "--workers", "1")  # a writing command upgrades it
    assert miner("papers").exit_code == 0
    reader = make_engine(pg_url, read_only=True)
    with pytest.raises(Exception, match="read-only transaction"), reader.begin() as conn:
        conn.execute(Migration.__table__.delete())
    reader.dispose()
    probe.dispose()
