"""The executor seam: isolated workers with per-document timeouts, crashes recorded, jobs fed lazily (#7)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from miner.errors import UsageError
from miner.executor import DEPTH, iter_outcomes
from miner.testing import misbehave as flaky
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf


def by_job(outcomes: Iterator) -> dict:
    return {o.job: (o.status, o.result, o.error) for o in outcomes}


def test_process_pool_returns_every_result() -> None:
    jobs = [("ok", n) for n in range(7)]
    got = by_job(iter_outcomes(flaky, jobs, workers=2, timeout=30))
    assert got == {("ok", n): ("ok", n * n, None) for n in range(7)}


def test_hang_and_crashes_are_recorded_and_the_run_goes_on() -> None:
    jobs = [
        ("ok", 2),
        ("hang", 0),
        ("exit", 3),
        ("segv", 0),
        ("raise", 5),
        ("ok", 4),
        ("ok", 5),
    ]
    got = by_job(iter_outcomes(flaky, jobs, workers=2, timeout=1.5))
    assert len(got) == len(jobs)
    assert got[("ok", 2)] == ("ok", 4, None)
    assert got[("ok", 4)] == ("ok", 16, None) and got[("ok", 5)] == ("ok", 25, None)
    status, _, error = got[("hang", 0)]
    assert status == "timeout" and "1.5 s" in error
    assert got[("exit", 3)][0] == "failed" and "exit code 3" in got[("exit", 3)][2]
    assert got[("segv", 0)][0] == "failed" and "SIGSEGV" in got[("segv", 0)][2]
    assert got[("raise", 5)] == ("failed", None, "ValueError: bad job 5")


def test_a_raising_job_keeps_its_worker_and_a_dead_one_is_replaced() -> None:
    pids = [o.result for o in iter_outcomes(flaky, [("pid", 0)] * 3, workers=1, timeout=30)]
    assert len(set(pids)) == 1
    outcomes = list(
        iter_outcomes(flaky, [("pid", 0), ("exit", 1), ("pid", 0)], workers=1, timeout=30)
    )
    before, died, after = outcomes
    assert died.status == "failed" and before.result != after.result


def test_jobs_queued_behind_a_crash_or_a_hang_run_on_the_new_worker() -> None:
    jobs = [("ok", 1), ("segv", 0), ("ok", 2), ("hang", 0), ("ok", 3), ("ok", 4)]
    outcomes = list(iter_outcomes(flaky, jobs, workers=1, timeout=1.5))
    assert sorted(o.job for o in outcomes) == sorted(jobs)  # each exactly once
    got = by_job(iter(outcomes))
    assert [got[("ok", n)] for n in (1, 2, 3, 4)] == [("ok", n * n, None) for n in (1, 2, 3, 4)]
    assert got[("segv", 0)][0] == "failed" and got[("hang", 0)][0] == "timeout"


def test_the_next_job_is_sent_before_the_result_is_handed_over() -> None:
    """One worker keeps working while the caller writes: its next job is already in its pipe."""
    pulled = []

    def jobs() -> Iterator[tuple[str, int]]:
        for n in range(10):
            pulled.append(n)
            yield ("ok", n)

    outcomes = iter_outcomes(flaky, jobs(), workers=1, timeout=30)
    next(outcomes)
    assert len(pulled) >= 2
    assert [o.result for o in outcomes] == [n * n for n in range(1, 10)]


def test_jobs_are_pulled_lazily() -> None:
    pulled = []

    def jobs() -> Iterator[tuple[str, int]]:
        for n in range(100):
            pulled.append(n)
            yield ("ok", n)

    outcomes = iter_outcomes(flaky, jobs(), workers=2, timeout=30)
    first = next(outcomes)
    assert first.status == "ok"
    assert len(pulled) <= 2 * DEPTH + 1  # a few jobs per worker, not the whole list
    outcomes.close()


def test_inline_executor_records_exceptions() -> None:
    got = by_job(iter_outcomes(flaky, [("ok", 3), ("raise", 1)], executor="inline"))
    assert got == {
        ("ok", 3): ("ok", 9, None),
        ("raise", 1): ("failed", None, "ValueError: bad job 1"),
    }


def test_unknown_executor_and_dask_without_scheduler_are_usage_errors() -> None:
    with pytest.raises(UsageError, match="unknown executor"):
        list(iter_outcomes(flaky, [("ok", 1)], executor="threads"))
    with pytest.raises(UsageError, match="--scheduler"):
        list(iter_outcomes(flaky, [("ok", 1)], executor="dask"))


def test_a_hanging_read_is_recorded_as_timeout(
    miner: Miner, tmp_path: Path, make_pdf: MakePdf
) -> None:
    """A PDF whose read never returns (a FIFO with no writer) times out; the others are done."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name in ("a.pdf", "b.pdf", "stuck.pdf"):
        (folder / name).write_bytes(
            make_pdf(pages=[f"Paper {name}. " + "We use PyTorch for all experiments. " * 5])
        )
    miner("ingest", str(folder), "--venue", "T", "--year", "2020")
    (folder / "stuck.pdf").unlink()
    os.mkfifo(folder / "stuck.pdf")
    result = miner("extract", "--workers", "2", "--doc-timeout", "1")
    assert "timeout 1" in result.stderr and "ok 2" in result.stderr
    papers = {p["file"]: p for p in miner.lines("papers", "--nl")}
    assert {f: p["status"] for f, p in papers.items()} == {
        "a.pdf": "ok",
        "b.pdf": "ok",
        "stuck.pdf": "timeout",
    }
    failures = miner.json("status")["failures"]
    assert [f["status"] for f in failures] == ["timeout"] and "1 s" in failures[0]["error"]
    # the timed-out paper is done for this version: a second run has nothing to do
    assert "nothing to do" in miner("extract", "--workers", "2", "--doc-timeout", "1").stderr


def idle_jobs(jobs: list, pauses: int = 3) -> Iterator:
    """Jobs with IDLE between them, as `miner run` yields while PDFs still download."""
    import time

    from miner.executor import IDLE, POLL

    for job in jobs:
        for _ in range(pauses):
            time.sleep(POLL)
            yield IDLE
        yield job


@pytest.mark.parametrize("executor", ["process", "inline"])
def test_idle_jobs_iterator_is_asked_again_until_it_ends(executor: str) -> None:
    """Issue 17: an iterator with no job yet yields IDLE; results still come back as they finish."""
    jobs = [("ok", n) for n in range(4)]
    got = by_job(iter_outcomes(flaky, idle_jobs(jobs), executor=executor, workers=2, timeout=30))
    assert got == {("ok", n): ("ok", n * n, None) for n in range(4)}


def test_a_worker_found_dead_when_sent_a_job_does_not_get_its_killer_again() -> None:
    """A worker's death can show up first as a broken pipe on the next send. The job it was
    running is then reported failed once and the others run on a new worker; before, the
    killer was resent to the replacement, and a send to that one could raise BrokenPipeError
    out of the run (seen once under load; the race itself cannot be forced in a test)."""
    import time

    def jobs() -> Iterator[tuple[str, int]]:
        yield ("exit", 3)
        time.sleep(1.0)  # the worker has died by now: the next send finds a broken pipe
        yield ("pid", 0)
        yield ("pid", 0)

    outcomes = list(iter_outcomes(flaky, jobs(), workers=1, timeout=30))
    assert sorted(o.job for o in outcomes) == [("exit", 3), ("pid", 0), ("pid", 0)]
    assert [o.status for o in outcomes if o.job == ("exit", 3)] == ["failed"]
    assert all(o.status == "ok" for o in outcomes if o.job == ("pid", 0))


def test_a_worker_whose_parent_is_gone_exits_quietly(monkeypatch: pytest.MonkeyPatch) -> None:
    """A worker starting (or finishing a job) after Ctrl-C closed its parent's pipe printed a
    BrokenPipeError traceback under the one-line stop message; it now just ends."""
    import multiprocessing

    from miner import executor

    monkeypatch.setattr(executor.signal, "signal", lambda *_: None)  # keep this process's handlers
    monkeypatch.setattr(executor.gc, "freeze", lambda: None)  # ... and its collector
    parent, child = multiprocessing.Pipe()
    parent.close()
    executor._worker_main(abs, child)  # returns, no BrokenPipeError
    parent, child = multiprocessing.Pipe()
    parent.send(-3)
    parent.send(None)
    executor._worker_main(abs, child)
    assert parent.recv() == ("ready", None) and parent.recv() == ("ok", 3)


def test_records_cross_the_pipe_whole() -> None:
    """Records pickle as their field values (records.picklable): every field of a real paper's
    extraction and predictions comes back equal, defaults and nested records included."""
    import pickle

    from classifiers import get_classifier
    from db.store import EncodedDoc
    from miner.extract.pdf import extract_pdf
    from miner.records import Block, PaperRecord

    pdf = Path(__file__).parent.parent / "miner" / "data" / "sample" / "2020-ktrain.pdf"
    doc = extract_pdf(pdf.read_bytes())
    predictions = list(get_classifier("rules").predict_doc(doc))
    record = PaperRecord("local", "x", 2024, title="T", authors=("A", "B"), code_urls=("c",))
    for obj in (doc, EncodedDoc.of(doc), predictions, record, Block(1, "body", "t", True)):
        assert pickle.loads(pickle.dumps(obj)) == obj
    assert doc.links and any(p.evidence for p in predictions)  # nested records were sent


def test_a_run_freezes_the_callers_objects_only_while_it_runs() -> None:
    """The collector skips the objects that exist when a run starts (gc.freeze) and gets them
    back after; a caller's own freeze is left as it was."""
    import gc

    assert gc.get_freeze_count() == 0
    seen = [o.status for o in iter_outcomes(flaky, [("ok", 1)], executor="inline")]
    assert seen == ["ok"] and gc.get_freeze_count() == 0
    outcomes = iter_outcomes(flaky, [("ok", 1), ("ok", 2)], executor="inline")
    next(outcomes)
    assert gc.get_freeze_count() > 0  # during the run
    list(outcomes)
    assert gc.get_freeze_count() == 0
    gc.freeze()
    try:
        list(iter_outcomes(flaky, [("ok", 1)], executor="inline"))
        assert gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
