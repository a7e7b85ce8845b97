"""Ordered, named schema migrations recorded in `schema_migrations` (DB IO)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from sqlalchemy import Connection, insert, inspect, select, text

from db.schema import Base, Migration
from miner.errors import SchemaError

INITIAL_TABLES = ("papers", "pdfs", "extractions", "links", "predictions", "evidence", "runs")
"""Tables of 0001_initial (evidence was called `mentions` then: see 0008)."""


def _create(*names: str) -> Callable[[Connection], None]:
    """A step creating the named tables as the models define them (existing ones skipped)."""

    def step(conn: Connection) -> None:
        for name in names:
            Base.metadata.tables[name].create(conn, checkfirst=True)

    return step


def _evidence_names(conn: Connection) -> None:
    """`mentions` -> `evidence` and its `kind` -> `rule`: the names of the Evidence record."""
    tables = set(inspect(conn).get_table_names())
    if "mentions" in tables and "evidence" not in tables:
        conn.execute(text("ALTER TABLE mentions RENAME TO evidence"))
        conn.execute(text("ALTER TABLE evidence RENAME COLUMN kind TO rule"))


def _add_columns(table: str, columns: dict[str, str]) -> Callable[[Connection], None]:
    """A step adding columns (name -> SQL type and default) that skips existing ones."""

    def step(conn: Connection) -> None:
        have = {c["name"] for c in inspect(conn).get_columns(table)}
        for name, ddl in columns.items():
            if name not in have:
                conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {ddl}"))

    return step


def _runs_done_state(conn: Connection) -> None:
    """A finished run says `done` (it said `ok`, the word stage rows use for a good item)."""
    conn.execute(text("UPDATE runs SET status = 'done' WHERE status = 'ok'"))


def _code_candidates(conn: Connection) -> None:
    """Listed code links on papers, where each candidate came from, and what decided a verdict."""
    _add_columns("papers", {"code_urls": "JSON NOT NULL DEFAULT '[]'"})(conn)
    _add_columns("paper_repos", {"found_by": "VARCHAR(64) NOT NULL DEFAULT 'pdf'"})(conn)
    _add_columns("signal_verdicts", {"repo_found_by": "VARCHAR(64) NOT NULL DEFAULT ''"})(conn)


# Append only: a migration's name is its identity; never edit or reorder one that has shipped.
MIGRATIONS: list[tuple[str, Callable[[Connection], None]]] = [
    ("0001_initial", _create(*INITIAL_TABLES)),
    ("0002_issue5_raw_payloads", _create("raw_payloads", "crawl_state")),
    ("0003_issue9_repos", _create("repo_analyses", "paper_repos", "signal_verdicts")),
    (
        "0004_issue3_link_context",
        _add_columns(
            "links",
            {"context": "TEXT NOT NULL DEFAULT ''", "footnote": "BOOLEAN NOT NULL DEFAULT FALSE"},
        ),
    ),
    ("0005_issue8_leases", _create("leases")),
    ("0006_issue7_run_owner", _add_columns("runs", {"host": "VARCHAR(255)", "pid": "INTEGER"})),
    ("0007_runs_done_state", _runs_done_state),
    ("0008_issue15_evidence_names", _evidence_names),
    ("0009_issue20_code_candidates", _code_candidates),
    ("0010_issue20_discovery", _create("repo_searches", "repo_discoveries")),
]


def check_current(conn: Connection) -> None:
    """Raise SchemaError unless the database has exactly this code's migrations (read-only use)."""
    if "schema_migrations" not in inspect(conn).get_table_names():
        done: set[str] = set()
    else:
        done = set(conn.execute(select(Migration.name)).scalars())
    known = [name for name, _ in MIGRATIONS]
    if not done:
        raise SchemaError(
            "database has no framework-miner tables yet: create them with a writing command, "
            "e.g. `miner ingest PDFS` or `miner crawl SOURCE`"
        )
    newer = sorted(done - set(known))
    if newer:
        raise SchemaError(
            f"database schema is newer than this framework-miner ({', '.join(newer)}); "
            "upgrade framework-miner or use another --db"
        )
    missing = [name for name in known if name not in done]
    if missing:
        raise SchemaError(
            f"database schema is older than this framework-miner (missing {missing[0]}"
            f"{f' and {len(missing) - 1} more' if len(missing) > 1 else ''}); read-only commands "
            "do not upgrade it: run a writing command once (e.g. `miner extract`), then again"
        )


def apply(conn: Connection) -> list[str]:
    """Apply pending migrations; refuse a database that knows migrations this code does not."""
    Base.metadata.tables["schema_migrations"].create(conn, checkfirst=True)
    done = set(conn.execute(select(Migration.name)).scalars())
    known = {name for name, _ in MIGRATIONS}
    newer = sorted(done - known)
    if newer:
        raise SchemaError(
            f"database schema is newer than this framework-miner ({', '.join(newer)}); "
            "upgrade framework-miner or use another --db"
        )
    applied = []
    for name, step in MIGRATIONS:
        if name not in done:
            step(conn)
            conn.execute(insert(Migration).values(name=name, applied_at=datetime.now(UTC)))
            applied.append(name)
    return applied
