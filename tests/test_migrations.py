"""Named migrations create every table (issue 15: no catch-all create_all) and carry an old
database's evidence rows from `mentions` (column `kind`) to `evidence` (column `rule`)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import inspect

from db import make_engine
from db.migrations import MIGRATIONS
from db.schema import Base


def test_a_new_database_gets_every_table_from_the_migrations(tmp_path: Path) -> None:
    engine = make_engine(str(tmp_path / "new.db"))
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables == set(Base.metadata.tables)
    with sqlite3.connect(tmp_path / "new.db") as conn:
        applied = [r[0] for r in conn.execute("SELECT name FROM schema_migrations ORDER BY name")]
    assert applied == [name for name, _ in MIGRATIONS]


def test_mentions_of_an_old_database_become_evidence(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    make_engine(str(db)).dispose()
    with sqlite3.connect(db) as conn:  # the schema as it was before 0008
        conn.execute("ALTER TABLE evidence RENAME TO mentions")
        conn.execute("ALTER TABLE mentions RENAME COLUMN rule TO kind")
        conn.execute("DELETE FROM schema_migrations WHERE name = '0008_issue15_evidence_names'")
        conn.execute(
            "INSERT INTO papers (id, source, source_id, authors, urls, fetch_status, created_at) "
            "VALUES (1, 'local', 'x', '[]', '[]', 'local', '2024-01-01')"
        )
        conn.execute(
            "INSERT INTO mentions (paper_id, classifier, classifier_version, framework, seq, page,"
            " section, snippet, kind, term) VALUES (1, 'rules', '1', 'jax', 0, 2, 'body',"
            " 'We use JAX.', 'cue:use', 'JAX')"
        )
    make_engine(str(db)).dispose()
    with sqlite3.connect(db) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        rows = conn.execute("SELECT framework, rule, snippet FROM evidence").fetchall()
    assert "mentions" not in tables
    assert rows == [("jax", "cue:use", "We use JAX.")]
