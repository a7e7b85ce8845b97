"""The repository stage end to end: papers -> links -> repositories -> paper evidence -> combined."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from db import make_engine
from db.schema import CodeLink, PaperRepo, PredictionRow, RepoAnalysisRow, SignalVerdict
from miner.repos.backends import backend_chooser
from miner.repos.git import GitBackend
from miner.repos.github import GitHubBackend, make_github_client
from miner.repos.protocol import RepoBackend, RepoRef
from miner.repos.stage import run_repos
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf
from tests.test_repos_data import NOT_FOUND, PROJECTS, RATE_LIMITED, build_repo, rate_limit_headers
from tests.test_repos_github import OWNER, serve

# (file, text, link, own): TensorFlow in the text for the PyTorch repo, on purpose.
PAPERS = [
    (
        "torch.pdf",
        "We implemented the model in TensorFlow.",
        "https://github.com/lab/torch-proj",
        True,
    ),
    ("reimpl.pdf", "A short note on keras.", "https://github.com/lab/keras-proj", True),
    ("mixed.pdf", "Experiments were run on GPUs.", "https://gitlab.com/lab/mixed-proj", True),
    ("third.pdf", "We implemented it in PyTorch.", "https://github.com/lab/notebook-proj", False),
    ("gone.pdf", "Nothing to see.", "https://github.com/lab/gone", True),
]


@pytest.fixture
def linked_db(miner: Miner, tmp_path: Path, make_pdf: MakePdf) -> Path:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name, text, link, _ in PAPERS:
        (folder / name).write_bytes(make_pdf(pages=[f"Title\n\n{text}\nCode: {link}"]))
    miner("ingest", str(folder), "--venue", "T", "--year", "2020")
    miner("extract", "--workers", "1")
    miner("classify")
    engine = make_engine(str(miner.db))
    with Session(engine) as s:  # the extractor's own-link detection is another issue's work
        for _, _, link, own in PAPERS:
            s.execute(update(CodeLink).where(CodeLink.url == link).values(own=own))
        s.commit()
    return miner.db


def chooser(httpserver: HTTPServer, tmp_path: Path) -> object:
    remotes = tmp_path / "remotes"
    remotes.mkdir(parents=True)
    build_repo(remotes, "mixed-proj", PROJECTS["mixed-proj"][0])
    for name in ("torch-proj", "keras-proj", "notebook-proj"):
        serve(httpserver, name, PROJECTS[name][0])
    httpserver.expect_request(f"/repos/{OWNER}/gone").respond_with_json(NOT_FOUND, 404)
    api = GitHubBackend(make_github_client(), base_url=httpserver.url_for(""))
    git = GitBackend(tmp_path / "clones", remote=lambda r: f"file://{remotes}/{r.name}.git")

    def choose(ref: RepoRef) -> RepoBackend:
        return api if ref.host == "github.com" else git

    return choose


def counts(db: Path) -> dict[str, int]:
    engine = make_engine(str(db))
    with Session(engine) as s:
        return {
            m.__tablename__: s.scalar(select(func.count()).select_from(m)) or 0
            for m in (RepoAnalysisRow, PaperRepo, SignalVerdict, PredictionRow)
        }


def test_stage_decides_only_by_own_independent_repos(
    linked_db: Path, httpserver: HTTPServer, tmp_path: Path
) -> None:
    engine = make_engine(str(linked_db))
    choose = chooser(httpserver, tmp_path)
    report = run_repos(engine, choose)  # type: ignore[arg-type]
    assert report.counts["ok"] == 4 and report.counts["not_found"] == 1
    first = counts(linked_db)
    requests = len(httpserver.log)
    again = run_repos(engine, choose)  # type: ignore[arg-type]
    assert counts(linked_db) == first and len(httpserver.log) == requests
    assert "ok" not in again.counts
    with Session(engine) as s:
        reasons = {
            url.rsplit("/", 1)[1]: r
            for url, r in s.execute(select(PaperRepo.url, PaperRepo.reason))
        }
        verdicts = {
            (pid, fw): (label, by, agree)
            for pid, fw, label, by, agree in s.execute(
                select(
                    SignalVerdict.paper_id,
                    SignalVerdict.framework,
                    SignalVerdict.label,
                    SignalVerdict.decided_by,
                    SignalVerdict.agree,
                )
            )
        }
        ids = {
            url.rsplit("/", 1)[1]: pid
            for pid, url in s.execute(select(PaperRepo.paper_id, PaperRepo.url))
        }
    assert reasons == {
        "torch-proj": "decides",
        "keras-proj": "reimplementation",
        "mixed-proj": "decides",
        "notebook-proj": "third_party",
        "gone": "not_found",
    }
    torch = ids["torch-proj"]
    assert verdicts[(torch, "pytorch")] == ("uses", "repo", False)
    # The repo names tensorflow in requirements.txt (declared), so the text's `uses` is not vetoed.
    assert verdicts[(torch, "tensorflow")] == ("uses", "text", False)
    mixed = ids["mixed-proj"]
    assert {fw for (pid, fw), v in verdicts.items() if pid == mixed and v[0] == "uses"} == {
        "jax",
        "pytorch",
    }
    third = ids["notebook-proj"]
    assert verdicts[(third, "pytorch")] == ("uses", "text", None)
    assert verdicts[(third, "keras")][0] == "absent"  # a third-party repo never decides
    # A later forced re-check that fails (network down) keeps the earlier good reads deciding.
    down = backend_chooser(tmp_path / "down", mode="api", base_url="http://127.0.0.1:9")
    failed = run_repos(engine, down, force=True)
    assert failed.counts["failed"] == 5 and failed.counts["paper:decides"] == 2


def test_cli_reports_and_is_idempotent(
    linked_db: Path, httpserver: HTTPServer, miner: Miner
) -> None:
    for name in ("torch-proj", "keras-proj", "notebook-proj"):
        serve(httpserver, name, PROJECTS[name][0])
    httpserver.expect_request(f"/repos/{OWNER}/gone").respond_with_json(NOT_FOUND, 404)
    args = ("repos", "--base-url", httpserver.url_for(""), "--backend", "api", "--limit", "2")
    out = miner(*args)
    # Own links first, in paper order: gone.pdf, then mixed.pdf (GitLab: not for the API backend).
    assert "not_found 1" in out.stderr and "failed 1" in out.stderr and "ok" not in out.stderr
    miner("repos", "--base-url", httpserver.url_for(""), "--backend", "api")
    first = counts(linked_db)
    miner("repos", "--base-url", httpserver.url_for(""), "--backend", "api")
    assert counts(linked_db) == first
    assert first["repo_analyses"] == 5  # the GitLab repository fails (no network) but is recorded
    repos = miner.json("status")["stages"]["repos 2"]  # type: ignore[call-overload]
    assert repos == {
        "analysed": 5,
        "status:failed": 1,  # the GitLab repository
        "status:not_found": 1,
        "status:ok": 3,
        "papers_with_own_code": 4,
        "papers_decided": 1,  # torch.pdf (the others: not found, failed, a notebook, third party)
    }
    rows = {r["url"].rsplit("/", 1)[1]: r for r in miner.json("repos", "--show")}  # type: ignore[union-attr]
    torch = rows["torch-proj"]
    assert torch["decides"] and torch["primary"] == ["pytorch"]
    assert torch["frameworks"] == "pytorch primary 3i+1d; tensorflow declared 1d"
    assert torch["detail"][0]["files"] == [
        "models/net.py",
        "requirements.txt",
        "train.py",
        "utils/data.py",
    ]
    verdicts = miner.json("repos", "--verdicts")
    assert {
        (v["file"], v["framework"], v["combined"], v["decided_by"])  # type: ignore[index]
        for v in verdicts  # type: ignore[union-attr]
    } == {
        ("torch.pdf", "pytorch", "uses", "repo"),
        ("torch.pdf", "tensorflow", "uses", "text"),
        ("third.pdf", "pytorch", "uses", "text"),
    }
    tallies = {
        signal: {
            r["framework"]: r["uses"]  # type: ignore[index]
            for r in miner.json("tally", "--by", "venue", "--signals", signal)  # type: ignore[union-attr]
        }
        for signal in ("text", "repo", "combined")
    }
    assert tallies == {
        "text": {"pytorch": 1, "tensorflow": 1, "(none)": 3, "(undetermined)": 0},
        "repo": {"pytorch": 1, "(none)": 4, "(undetermined)": 0},
        "combined": {"pytorch": 2, "tensorflow": 1, "(none)": 3, "(undetermined)": 0},
    }
    assert rows["mixed-proj"]["reason"] == "failed" and "not GitHub" in rows["mixed-proj"]["error"]
    bad = miner("repos", "--token-env", "NOT A NAME", ok=False)
    assert bad.exit_code == 2 and "--token-env" in bad.stderr


def test_rate_limit_stops_the_run_and_keeps_what_was_done(
    linked_db: Path, httpserver: HTTPServer, tmp_path: Path
) -> None:
    engine = make_engine(str(linked_db))
    httpserver.expect_oneshot_request(f"/repos/{OWNER}/keras-proj").respond_with_json(
        RATE_LIMITED, 403, headers=rate_limit_headers(int(time.time()) + 3600)
    )
    report = run_repos(engine, chooser(httpserver, tmp_path))  # type: ignore[arg-type]
    # Own links in paper order: gone, mixed (GitLab), keras-proj -> 403; torch-proj and the
    # third-party notebook-proj stay pending.
    assert (report.counts["not_found"], report.counts["ok"]) == (1, 1)
    assert report.counts["rate_limited"] == 3 and report.counts["paper:pending"] == 3
    assert counts(linked_db)["repo_analyses"] == 2
    resumed = run_repos(engine, chooser(httpserver, tmp_path / "again"))  # type: ignore[arg-type]
    assert resumed.counts["ok"] == 3 and "rate_limited" not in resumed.counts
    assert counts(linked_db)["repo_analyses"] == 5


def test_workers_read_at_once_and_write_the_same_rows(
    linked_db: Path, httpserver: HTTPServer, tmp_path: Path
) -> None:
    """Issue 14 item 5: `--workers N` reads repositories in threads (this process alone writes);
    the rows are those of a one-worker run, and clones from one host keep the per-host delay."""
    from miner.hostslots import HostSlots
    from miner.http import RateLimiter
    from tests.helpers.databases import copy_db

    one, many = tmp_path / "one.db", tmp_path / "many.db"
    copy_db(linked_db, one)
    copy_db(linked_db, many)
    slept: list[float] = []
    limiter = RateLimiter(delay=0.01, sleep=slept.append, shared=HostSlots(tmp_path / "slots"))
    serial = run_repos(make_engine(str(one)), chooser(httpserver, tmp_path / "a"))  # type: ignore[arg-type]
    threaded = run_repos(
        make_engine(str(many)),
        chooser(httpserver, tmp_path / "b"),  # type: ignore[arg-type]
        workers=4,
        limiter=limiter,
    )
    assert dict(threaded.counts) == dict(serial.counts)
    assert counts(many) == counts(one)
    with Session(make_engine(str(one))) as a, Session(make_engine(str(many))) as b:
        rows = select(PaperRepo.paper_id, PaperRepo.url, PaperRepo.reason).order_by(PaperRepo.url)
        assert a.execute(rows).all() == b.execute(rows).all()
