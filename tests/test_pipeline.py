"""End to end through the CLI on generated and bundled PDFs: idempotence, bad input, listings."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import make_engine
from db.schema import Base
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf

PAPER = [
    "Title\n\nAbstract\nA study.\n\n1 Introduction\nCode: https://github.com/me/proj",
    "We implemented the network in TensorFlow 2.3. Unlike PyTorch, it compiles graphs.",
]


def row_counts(db: Path) -> dict[str, int]:
    engine = make_engine(str(db))
    with Session(engine) as s:
        return {
            t: s.scalar(select(func.count()).select_from(Base.metadata.tables[t])) or 0
            for t in Base.metadata.tables
            if t != "runs"
        }


def write_corpus(folder: Path, make_pdf: MakePdf) -> Path:
    folder.mkdir()
    (folder / "good.pdf").write_bytes(make_pdf(pages=PAPER))
    (folder / "scan.pdf").write_bytes(make_pdf(pages=["", ""]))
    (folder / "empty.pdf").write_bytes(b"")
    (folder / "html.pdf").write_bytes(b"<html>oops</html>")
    (folder / "locked.pdf").write_bytes(make_pdf(pages=["x"], encrypt=True))
    return folder


def test_stages_are_idempotent_and_record_failures(
    miner: Miner, tmp_path: Path, make_pdf: MakePdf
) -> None:
    folder = write_corpus(tmp_path / "pdfs", make_pdf)
    snapshots = []
    for _ in range(2):
        miner("ingest", str(folder), "--venue", "TestConf", "--year", "2020")
        miner("extract", "--workers", "1")
        miner("classify", "--all")
        snapshots.append(row_counts(miner.db))
    counts = snapshots[0]
    assert snapshots[1] == counts
    assert counts["papers"] == 5 and counts["extractions"] == 5
    papers = {p["file"]: p for p in miner.lines("papers", "--nl")}
    assert papers["good.pdf"]["uses"] == ["tensorflow"]
    assert papers["good.pdf"]["mentions"] == ["pytorch"]
    assert papers["good.pdf"]["code_links"] == ["https://github.com/me/proj"]
    assert {f: p["status"] for f, p in papers.items()} == {
        "good.pdf": "ok",
        "scan.pdf": "no_text",
        "empty.pdf": "empty",
        "html.pdf": "not_pdf",
        "locked.pdf": "encrypted",
    }
    status = miner.json("status")
    assert status["stages"]["extract"]["failed"] == 4
    assert {f["status"] for f in status["failures"]} == {"no_text", "empty", "not_pdf", "encrypted"}


def test_tally_denominators(miner: Miner, tmp_path: Path, make_pdf: MakePdf) -> None:
    folder = write_corpus(tmp_path / "pdfs", make_pdf)
    miner("ingest", str(folder), "--venue", "TestConf", "--year", "2020")
    miner("extract", "--workers", "2")
    miner("classify")
    rows = miner.json("tally")
    tf = next(r for r in rows if r["framework"] == "tensorflow")
    assert (tf["uses"], tf["extracted_ok"], tf["papers"], tf["failed"], tf["share"]) == (
        1,
        1,
        5,
        4,
        1.0,
    )
    assert tf["classifier"] == "rules"


def test_unknown_path_is_one_line_error(miner: Miner, tmp_path: Path) -> None:
    result = miner("ingest", str(tmp_path / "missing"), ok=False)
    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0 and "no such file" in result.stderr


def test_db_in_missing_folder_is_one_line_error(tmp_path: Path) -> None:
    m = Miner(tmp_path / "nope" / "x.db", tmp_path)
    result = m("status", ok=False)
    assert result.exit_code == 2 and "does not exist" in result.stderr


def test_newer_schema_is_refused(miner: Miner) -> None:
    miner.create()("status")
    engine = make_engine(str(miner.db))
    with engine.begin() as conn:
        conn.exec_driver_sql("INSERT INTO schema_migrations VALUES ('9999_future', '2030-01-01')")
    result = miner("status", ok=False)
    assert result.exit_code == 2 and "newer" in result.stderr


def test_demo_twice_same_rows(miner: Miner) -> None:
    first = miner("demo", "--workers", "1")
    counts = row_counts(miner.db)
    second = miner("demo", "--workers", "1")
    assert row_counts(miner.db) == counts
    assert first.stdout == second.stdout
    assert "framework" in first.stdout and "database:" in first.stdout
    papers = miner.lines("papers", "--nl")
    used = {fw for p in papers for fw in p["uses"]}
    assert len(papers) == 8 and len(used) >= 3 and any(not p["uses"] for p in papers)


def test_a_stopped_stage_closes_its_run_and_a_dead_one_is_reaped(
    tmp_path: Path, make_pdf: MakePdf
) -> None:
    """A run ended by Ctrl-C says `interrupted`; one whose process died (kill -9) is marked
    so by the next run on the host instead of staying `running` forever."""
    import subprocess
    import sys

    import pytest

    from db import runs as store
    from db.schema import Run
    from miner.stages.extract import run_extract
    from miner.stages.ingest import run_ingest

    folder = write_corpus(tmp_path / "pdfs", make_pdf)
    engine = make_engine(str(tmp_path / "m.db"))
    run_ingest(engine, [str(folder)], venue="V", year=2020)

    def stop(_: int) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_extract(engine, progress=stop)
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    with Session(engine) as s:
        states = {c: st for c, st in s.execute(select(Run.command, Run.status))}
        assert states == {"ingest": "done", "extract": "interrupted"}
        ghost = store.start_run(s, "extract", {}, {})  # as if that process had been killed
        ghost.pid = int(dead.stdout)
        s.commit()
        assert store.reap_runs(s) == 1
        assert s.get(Run, ghost.id).status == "interrupted"  # type: ignore[union-attr]
        live = store.start_run(s, "extract", {}, {})  # this process: alive, left alone
        assert store.reap_runs(s) == 0 and live.status == "running"
