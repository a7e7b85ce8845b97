"""Recorded runs: every stage writes its `runs` row the same way, ending done / interrupted /
failed; only good extractions are classified; the 0007 migration renames `ok` runs `done`."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from db import Engine, make_engine
from db.schema import Migration, PredictionRow, Run
from db.store import upsert_papers
from miner.http import Fetcher, RateLimiter, Retry, make_client
from miner.records import PaperRecord
from miner.stages import ScaleOptions
from miner.stages.classify import run_classify
from miner.stages.extract import run_extract
from miner.stages.fetch import run_fetch
from miner.stages.ingest import run_ingest
from tests.helpers.pdfs import MakePdf

GOOD = ["Title\n\nAbstract\nA study.\n\n1 Introduction\nWe implemented it in PyTorch 1.4."]
INLINE = ScaleOptions(executor="inline")


def runs(engine: Engine, command: str | None = None) -> list[Run]:
    with Session(engine) as s:
        stmt = select(Run).order_by(Run.id)
        if command:
            stmt = stmt.where(Run.command == command)
        return list(s.scalars(stmt))


@pytest.fixture
def engine(tmp_path: Path, make_pdf: MakePdf) -> Engine:
    """A database with two ingested papers: good.pdf (text) and scan.pdf (no text layer)."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "good.pdf").write_bytes(make_pdf(pages=GOOD))
    (folder / "scan.pdf").write_bytes(make_pdf(pages=["", ""]))
    eng = make_engine(str(tmp_path / "m.db"))
    run_ingest(eng, [str(folder)], venue="V", year=2020)
    return eng


def test_only_ok_extractions_are_classified(engine: Engine) -> None:
    """A failed extraction (scan.pdf: no_text) has nothing to classify: no predictions, and the
    classify run counts one paper."""
    assert run_extract(engine, scale=INLINE).counts == {"ok": 1, "no_text": 1}
    report = run_classify(engine, classifier="rules")
    assert report.counts == {"with_framework": 1}
    with Session(engine) as s:
        assert set(s.scalars(select(PredictionRow.paper_id).distinct())) == {1}
    (run,) = runs(engine, "classify")
    assert (run.status, run.counts) == ("done", {"with_framework": 1})
    assert run.versions["classifier"] and run.versions["extractor"]
    assert run_classify(engine, classifier="rules").counts == {}  # nothing pending: the scan too


def test_every_stage_run_ends_done(engine: Engine) -> None:
    run_extract(engine, scale=INLINE)
    run_classify(engine, classifier="rules")
    got = [(r.command, r.status, r.host is not None, r.pid is not None) for r in runs(engine)]
    assert got == [(c, "done", True, True) for c in ("ingest", "extract", "classify")]


def _fetcher() -> Fetcher:
    return Fetcher(
        make_client(timeout=5),
        limiter=RateLimiter(delay=0, sleep=lambda s: None),
        retry=Retry(max_retries=0, rand=lambda: 0.0),
    )


def _stage(name: str, tmp_path: Path, httpserver: HTTPServer, make_pdf: MakePdf) -> Any:
    """(engine, run(progress)) for a stage with two items of work pending."""
    folder = tmp_path / "more"
    folder.mkdir()
    for i in range(2):
        (folder / f"p{i}.pdf").write_bytes(make_pdf(pages=[f"{GOOD[0]}\nPaper {i}."]))
    engine = make_engine(str(tmp_path / f"{name}.db"))
    if name == "ingest":
        return engine, lambda p: run_ingest(
            engine, [str(folder)], venue=None, year=None, progress=p
        )
    if name == "fetch":
        for i in range(2):
            httpserver.expect_request(f"/p{i}.pdf").respond_with_data(
                (folder / f"p{i}.pdf").read_bytes(), content_type="application/pdf"
            )
        url = httpserver.url_for
        papers = [PaperRecord("t", str(i), pdf_url=url(f"/p{i}.pdf")) for i in range(2)]
        with Session(engine) as s:
            upsert_papers(s, papers)
            s.commit()
        return engine, lambda p: run_fetch(engine, _fetcher(), tmp_path / "data", progress=p)
    run_ingest(engine, [str(folder)], venue=None, year=None)
    if name == "extract":
        return engine, lambda p: run_extract(engine, scale=INLINE, progress=p)
    run_extract(engine, scale=INLINE)
    return engine, lambda p: run_classify(engine, classifier="rules", progress=p)


def _raiser(exc: type[BaseException]) -> Callable[[int], None]:
    def progress(_: int) -> None:
        raise exc("stop")

    return progress


@pytest.mark.parametrize("stage", ["ingest", "fetch", "extract", "classify"])
@pytest.mark.parametrize(
    ("exc", "state"),
    [(KeyboardInterrupt, "interrupted"), (SystemExit, "interrupted"), (RuntimeError, "failed")],
)
def test_a_stopped_stage_records_why(
    stage: str,
    exc: type[BaseException],
    state: str,
    tmp_path: Path,
    httpserver: HTTPServer,
    make_pdf: MakePdf,
) -> None:
    """Ctrl-C and SIGTERM (SystemExit) end a run `interrupted`, any other error `failed` (and
    re-raised); its counts are what was committed, and leased papers are handed back."""
    engine, run = _stage(stage, tmp_path, httpserver, make_pdf)
    assert runs(engine, stage) == []
    with pytest.raises(exc):
        run(_raiser(exc))
    (last,) = runs(engine, stage)
    assert last.status == state and last.finished_at is not None
    # fetch commits each PDF before reporting progress; the others had committed nothing yet
    assert last.counts == ({"ok": 1} if stage == "fetch" else {})
    with Session(engine) as s:
        assert s.scalar(text("SELECT COUNT(*) FROM leases")) == 0


def test_migration_0007_renames_ok_runs_done(tmp_path: Path) -> None:
    """Runs finished before 0007 said `ok`; the migration rewrites them as `done`."""
    db = str(tmp_path / "old.db")
    engine = make_engine(db)
    with Session(engine) as s:
        s.execute(
            text(
                "INSERT INTO runs (command, args, versions, started_at, status, counts) "
                "VALUES ('extract', '{}', '{}', '2024-01-01', 'ok', '{}')"
            )
        )
        s.execute(delete(Migration).where(Migration.name == "0007_runs_done_state"))
        s.commit()
    engine.dispose()
    assert [r.status for r in runs(make_engine(db))] == ["done"]


@pytest.mark.parametrize("signame", ["SIGTERM", "SIGINT"])
def test_a_signal_ends_a_run_interrupted(tmp_path: Path, signame: str) -> None:
    """`kill PID` (SIGTERM) or Ctrl-C (SIGINT) on a working `miner extract` records the run
    `interrupted`, hands its leases back, and says what was kept and how to resume (#16)."""
    import signal

    from tests.helpers.dbcheck import finish, seed_pdfs, spawn, wait_for

    db = tmp_path / "term.db"
    engine = make_engine(str(db))
    run_ingest(engine, [str(p) for p in seed_pdfs(tmp_path / "pdfs", 24)], venue=None, year=None)
    engine.dispose()
    proc = spawn(db, "extract", "--workers", "1")
    working = wait_for(db, "SELECT COUNT(*) FROM leases", proc)
    if not working or proc.poll() is not None:
        finish(proc)
        pytest.skip("the run finished before it could be stopped")
    proc.send_signal(getattr(signal, signame))
    code, err = finish(proc)
    assert code != 0, err
    assert "everything committed before the stop is kept" in err, err
    assert "extract --workers 1` again to resume" in err, err
    with Session(make_engine(str(db))) as s:
        assert s.scalars(select(Run.status).where(Run.command == "extract")).all() == [
            "interrupted"
        ]
        assert s.scalar(text("SELECT COUNT(*) FROM leases")) == 0
