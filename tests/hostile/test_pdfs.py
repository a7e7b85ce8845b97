"""Hostile PDFs (#18): workers under a memory cap, a time budget that holds inside a page, and
MuPDF's errors on page trees recorded `corrupt`; good papers beside them come out `ok`."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from miner.executor import iter_outcomes
from miner.extract.pdf import MAX_CHARS, extract_pdf
from tests.helpers.cli import Miner
from tests.helpers.dbcheck import spawn
from tests.helpers.hostile import many_links, self_referencing_pages, text_bomb
from tests.helpers.pdfs import build_pdf
from tests.helpers.peak import run_measured

pytestmark = pytest.mark.slow


def _allocate(mb: int) -> int:
    return len(bytearray(mb << 20))


def test_a_worker_over_its_memory_cap_is_too_large_and_the_next_job_runs() -> None:
    got = {
        o.job: (o.status, o.error)
        for o in iter_outcomes(_allocate, [2000, 10], workers=1, timeout=60, memory_mb=400)
    }
    assert got[2000][0] == "too_large" and "400 MB" in (got[2000][1] or "")
    assert got[10] == ("ok", None)


def test_page_tree_errors_are_corrupt() -> None:
    """#18: a page tree MuPDF rejects raised outside the `try` and was recorded `failed`."""
    doc = extract_pdf(self_referencing_pages())
    assert doc.status == "corrupt" and doc.error


def test_time_budget_holds_inside_a_page_with_many_links() -> None:
    doc = extract_pdf(many_links(20_000), time_budget=0.0)
    assert doc.status == "timeout" and "time budget" in (doc.error or "")


def test_text_past_the_character_cap_is_too_large() -> None:
    doc = extract_pdf(text_bomb(8))  # 8 MiB of operators: more than MAX_CHARS characters
    assert MAX_CHARS < 8 << 20
    assert doc.status == "too_large" and "characters" in (doc.error or "")


def test_text_bomb_beside_good_papers_in_bounded_memory(tmp_path: Path) -> None:
    """#18: a 912 KB PDF drawing 256 MiB of text held one worker at 5.9 GB for 19 s, `ok`."""
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "bomb.pdf").write_bytes(text_bomb(256))
    for i in range(3):
        (folder / f"good{i}.pdf").write_bytes(
            build_pdf(pages=[f"Paper {i}. We use PyTorch. " * 20])
        )
    m = Miner(tmp_path / "x.db", tmp_path / "data")
    m("ingest", str(folder), "--venue", "V", "--year", "2020")
    proc = spawn(m.db, "extract", "--workers", "2", "--max-memory-mb", "600", "--doc-timeout", "60")
    code, peak_mb, seconds, err = run_measured(proc)
    assert code == 0, err
    print(f"text bomb extract: peak {peak_mb:.0f} MB, {seconds:.1f} s")
    assert peak_mb < 1024, peak_mb
    with sqlite3.connect(m.db) as conn:
        rows = dict(
            conn.execute(
                "SELECT p.file_name, e.status || ': ' || coalesce(e.error, '') FROM papers p "
                "JOIN extractions e ON e.paper_id = p.id"
            ).fetchall()
        )
    assert rows["bomb.pdf"].split(":")[0] in ("too_large", "timeout"), rows
    assert all(rows[f"good{i}.pdf"].startswith("ok") for i in range(3)), rows
    again = m("extract", "--workers", "1")
    assert "nothing to do" in again.stderr or "extract:" not in again.stderr
