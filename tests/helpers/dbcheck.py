"""Helpers of the reliability tests: seed corpora, `miner` subprocesses, and database comparisons."""

from __future__ import annotations

import contextlib
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.helpers.paths import CORPUS, ROOT
from tests.helpers.pdfs import build_pdf

VOLATILE = {"id", "created_at", "extracted_at", "applied_at", "fetched_at", "updated_at"}
"""Columns that legitimately differ between two runs producing the same data."""
SKIP_TABLES = {"runs", "leases", "schema_migrations", "sqlite_sequence"}
"""Bookkeeping tables: a killed run leaves its own `runs` row; they are checked separately."""


def seed_pdfs(folder: Path, count: int = 12) -> list[Path]:
    """`count` PDFs in folder: the smallest real corpus papers, or generated ones without corpus."""
    folder.mkdir(parents=True, exist_ok=True)
    real = sorted((CORPUS / "pdfs").glob("*.pdf"), key=lambda p: (p.stat().st_size, p.name))
    out = []
    for i in range(count):
        target = folder / (real[i].name if i < len(real) else f"generated-{i:02d}.pdf")
        if i < len(real):
            target.write_bytes(real[i].read_bytes())
        else:
            pages = [
                f"Paper {i}, page {p}. We implement the model in PyTorch and release code at "
                f"https://github.com/example/repo{i}. " * 12
                for p in range(6)
            ]
            target.write_bytes(build_pdf(pages=pages))
        out.append(target)
    return out


def spawn(db: Path, *args: str, data_dir: Path | None = None) -> subprocess.Popen[bytes]:
    """Start `python -m miner ARGS` on db (env MINER_DB) in its own process group."""
    env = {**os.environ, "MINER_DB": str(db), "PYTHONPATH": str(ROOT)}
    if data_dir is not None:
        env["MINER_DATA_DIR"] = str(data_dir)
    return subprocess.Popen(
        [sys.executable, "-m", "miner", "-q", *args],
        env=env,
        cwd=db.parent,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )


def finish(proc: subprocess.Popen[bytes], timeout: float = 120) -> tuple[int, str]:
    """Wait for a miner subprocess; returns (exit code, stderr)."""
    _, err = proc.communicate(timeout=timeout)
    return proc.returncode, err.decode(errors="replace")


def kill9(proc: subprocess.Popen[bytes]) -> int:
    """SIGKILL the miner process, reap it, then kill what is left of its group; returns its code."""
    proc.send_signal(signal.SIGKILL)
    proc.communicate(timeout=30)
    time.sleep(0.05)
    with contextlib.suppress(ProcessLookupError):  # orphaned workers, if any outlived it
        os.killpg(proc.pid, signal.SIGKILL)
    return proc.returncode


def wait_for(db: Path, sql: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> bool:
    """Poll db until `sql` returns a truthy first cell (True) or proc exits (False)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            with sqlite3.connect(db, timeout=5) as conn:
                if conn.execute(sql).fetchone()[0]:
                    return True
        except sqlite3.OperationalError:
            pass  # table not created yet
        time.sleep(0.02)
    return False


def tables(conn: sqlite3.Connection) -> list[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")
    return [r[0] for r in rows if r[0] not in SKIP_TABLES]


def content(db: Path, ignore: set[str] = frozenset()) -> dict[str, Counter[tuple[object, ...]]]:  # type: ignore[assignment]
    """Every data table as a multiset of rows without volatile (or `ignore`) columns."""
    out: dict[str, Counter[tuple[object, ...]]] = {}
    with sqlite3.connect(db) as conn:
        for table in tables(conn):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            keep = [c for c in cols if c not in VOLATILE | ignore]
            names = ", ".join(f'"{c}"' for c in keep)  # quoted: a column may be called `commit`
            rows = conn.execute(f'SELECT {names} FROM "{table}"').fetchall()
            out[table] = Counter(rows)
    return out


def health(db: Path) -> list[str]:
    """Problems found: integrity_check, foreign_key_check, orphan rows; empty when healthy."""
    problems = []
    with sqlite3.connect(db) as conn:
        integrity = conn.execute("PRAGMA integrity_check").fetchall()
        if integrity != [("ok",)]:
            problems.append(f"integrity_check: {integrity}")
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
        if fk:
            problems.append(f"foreign_key_check: {fk[:5]}")
        for table in tables(conn):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})")]
            if "paper_id" in cols:
                orphans = conn.execute(
                    f"SELECT COUNT(*) FROM {table} WHERE paper_id NOT IN (SELECT id FROM papers)"
                ).fetchone()[0]
                if orphans:
                    problems.append(f"{table}: {orphans} orphan rows")
    return problems
