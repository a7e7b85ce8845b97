"""The shared fixtures of tests/conftest.py do what their docstrings say."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from db.schema import Paper
from miner.records import ExtractedDoc
from tests.helpers.paths import CORPUS, ROOT, SHARED, find_shared


def test_mem_engine_has_the_schema_and_its_sessions_share_the_data(mem_engine: Engine) -> None:
    with Session(mem_engine) as s:
        assert s.scalar(select(func.count()).select_from(Paper)) == 0
        s.execute(text("CREATE TABLE scratch (x INTEGER)"))
        s.execute(text("INSERT INTO scratch VALUES (1), (2)"))
        s.commit()
    with Session(mem_engine) as s:
        assert s.scalar(text("SELECT count(*) FROM scratch")) == 2


def test_shared_is_found_once() -> None:
    assert find_shared() == SHARED and (ROOT / "pyproject.toml").is_file()
    assert CORPUS == SHARED / "corpus"


def test_shared_env_variable_comes_first(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("MINER_SHARED", str(tmp_path))
    assert find_shared() == tmp_path


def _papers(db: Path) -> int:
    with closing(sqlite3.connect(db)) as conn:
        return conn.execute("SELECT count(*) FROM papers").fetchone()[0]


def test_corpus_db_copy_is_private(
    corpus_db: Path, corpus_db_copy: Path, corpus_docs: dict[str, ExtractedDoc]
) -> None:
    n = len(list((CORPUS / "pdfs").glob("*.pdf")))
    assert _papers(corpus_db) == _papers(corpus_db_copy) == n == len(corpus_docs)
    with closing(sqlite3.connect(corpus_db_copy)) as conn, conn:
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("DELETE FROM papers")
    assert _papers(corpus_db_copy) == 0 and _papers(corpus_db) == n
