"""SIGTERM and SIGINT during extract (#18): workers killed (no orphans), the run `interrupted`,
a one-line summary with the resume command; the next run finishes the job."""

from __future__ import annotations

import signal
import sqlite3
import time
from pathlib import Path

import psutil
import pytest

from tests.helpers.cli import Miner
from tests.helpers.dbcheck import spawn
from tests.helpers.hostile import zip_bomb
from tests.helpers.pdfs import build_pdf

pytestmark = pytest.mark.slow


def _workers(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def _wait_for(cond: object, seconds: float = 60) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_stops_extract_cleanly(tmp_path: Path, signum: int) -> None:
    """#18: SIGTERM killed the parent at once, the worker ran on (1.6 GB, 100% CPU) and the run
    stayed `running`."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-slow.pdf").write_bytes(zip_bomb(1024))
    (folder / "b-good.pdf").write_bytes(build_pdf(pages=["We use PyTorch. " * 20]))
    m = Miner(tmp_path / "s.db", tmp_path / "data")
    m("ingest", str(folder), "--venue", "V", "--year", "2020")
    proc = spawn(m.db, "extract", "--workers", "1", "--doc-timeout", "120")
    # wait until a worker is busy (its CPU time grows), then signal the parent alone
    assert _wait_for(lambda: any(p.cpu_times().user > 0.5 for p in _workers(proc.pid)))
    workers = _workers(proc.pid)
    proc.send_signal(signum)
    _, err_bytes = proc.communicate(timeout=60)
    err = err_bytes.decode()
    assert proc.returncode != 0
    assert _wait_for(
        lambda: not any(w.is_running() and w.status() != "zombie" for w in workers), 10
    )
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "interrupted" in lines[0] and "miner" in lines[0], err
    assert "extract" in lines[0] and "Traceback" not in err
    with sqlite3.connect(m.db) as conn:
        runs = conn.execute("SELECT status FROM runs WHERE command = 'extract'").fetchall()
        held = conn.execute("SELECT COUNT(*) FROM leases").fetchone()[0]
    assert runs == [("interrupted",)] and held == 0
