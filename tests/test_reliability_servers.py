"""Failing servers: `fetch` against a local server that throttles, errors, drops, lies about
lengths, serves HTML, loops and stalls; the run completes, retries within limits, records every
failure with its reason, and `fetch --retry-failed` picks them up. Also: kill -9 mid-download."""

from __future__ import annotations

import hashlib
import random
import sqlite3
import time
from collections import Counter
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session

from db import make_engine
from db.store import upsert_papers
from miner import http
from miner.records import PaperRecord
from miner.stages.fetch import run_fetch
from tests.helpers.cli import Miner
from tests.helpers.dbcheck import content, finish, health, kill9, spawn, wait_for
from tests.helpers.faulty_server import FAULTS, FaultyServer
from tests.helpers.pdfs import MakePdf

MAX_RETRIES = 2
REASONS = {
    "429": "HTTP 429",
    "500": "HTTP 500",
    "503-retry-after": "HTTP 503",
    "drop": "incomplete",
    "long-length": "incomplete",
    "short-length": "truncated",
    "html": "not a PDF",
    "loop": "redirects",
    "stall": "Timeout",
    "stall-head": "Timeout",
}


def add_papers(db: Path, urls: dict[str, str]) -> None:
    engine = make_engine(str(db))
    with Session(engine) as s:
        records = [PaperRecord(source="test", source_id=k, pdf_url=u) for k, u in urls.items()]
        upsert_papers(s, records)
        s.commit()
    engine.dispose()


def fetch_status(db: Path) -> dict[str, tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT source_id, fetch_status, fetch_error FROM papers").fetchall()
    return {r[0]: (r[1], r[2]) for r in rows}


def partials(data_dir: Path) -> list[Path]:
    return [p for p in data_dir.rglob("*") if p.is_file() and not p.name.endswith(".pdf")]


def test_every_fault_is_recorded_then_retried(
    tmp_path: Path, make_pdf: MakePdf, miner: Miner
) -> None:
    pdfs = {f"p{i}.pdf": make_pdf(pages=[f"Paper {i} uses JAX."]) for i in range(3)}
    slept: list[float] = []
    with FaultyServer(pdfs, stall=2.0) as server:
        urls = {f"ok{i}": f"{server.base}/ok/p{i}.pdf" for i in range(3)}
        urls |= {f: f"{server.base}/{f}/{f}.pdf" for f in (*FAULTS, "stall", "stall-head")}
        urls["recovers"] = f"{server.base}/500/recovers.pdf"
        add_papers(miner.db, urls)
        fetcher = http.Fetcher(
            # No keep-alive: a request sent on a pooled connection the server had just closed
            # fails and is retried, which made the attempt counts below flaky (1 run in ~7).
            http.make_client(
                timeout=0.5,
                max_redirects=3,
                transport=httpx.HTTPTransport(limits=httpx.Limits(max_keepalive_connections=0)),
            ),
            limiter=http.RateLimiter(delay=0, sleep=slept.append),
            retry=http.Retry(max_retries=MAX_RETRIES, base=0.01, rand=lambda: 0.0),
        )
        # Attempts are counted where they are made: a retry sent on a pooled connection that the
        # server had just closed never reaches it, so server-side hits can be fewer.
        sent: Counter[str] = Counter()
        fetcher.client.event_hooks = {"request": [lambda r: sent.update([r.url.path])]}
        engine = make_engine(str(miner.db))
        with fetcher.client:
            report = run_fetch(engine, fetcher, miner.data_dir, workers=3)
        assert report.counts == {"ok": 3, "failed": len(FAULTS) + 3}
        got = fetch_status(miner.db)
        for key, reason in REASONS.items():
            status, error = got[key]
            assert status == "failed" and reason in (error or ""), (key, error)
        # Retries within limits: retryable statuses and timeouts MAX_RETRIES more times, others once.
        hits = sent
        assert hits["/500/500.pdf"] == hits["/429/429.pdf"] == MAX_RETRIES + 1
        assert hits["/503-retry-after/503-retry-after.pdf"] == MAX_RETRIES + 1
        assert hits["/stall-head/stall-head.pdf"] == MAX_RETRIES + 1
        for cut in ("stall", "drop", "long-length"):  # bodies cut short are retried too
            assert hits[f"/{cut}/{cut}.pdf"] == MAX_RETRIES + 1, cut
        assert hits["/html/html.pdf"] == 1 and hits["/loop/loop.pdf"] == 4  # 1 + max_redirects
        assert 7.0 in slept  # Retry-After honoured, through the injected sleep
        assert partials(miner.data_dir) == []

        # Nothing is retried without the flag; with it, every failure is picked up again.
        run_fetch(engine, fetcher, miner.data_dir)
        assert fetch_status(miner.db) == got
        server.healthy = True
        miner("fetch", "--retry-failed", "--delay", "0", "--max-retries", "0", "--timeout", "5")
        engine.dispose()
    final = fetch_status(miner.db)
    assert {k: s for k, (s, _) in final.items()} == {k: "ok" for k in urls}
    assert all(e is None for _, e in final.values())
    for path in (miner.data_dir / "pdfs").rglob("*.pdf"):
        assert hashlib.sha256(path.read_bytes()).hexdigest() == path.stem
    assert partials(miner.data_dir) == []


@pytest.mark.slow
def test_fetch_survives_kill9_mid_download(tmp_path: Path, make_pdf: MakePdf) -> None:
    pdfs = {f"p{i}.pdf": make_pdf(pages=[f"Paper {i}. " * 200] * 3) for i in range(8)}
    with FaultyServer(pdfs) as server:
        urls = {f"k{i}": f"{server.base}/ok/p{i}.pdf" for i in range(8)}
        ref, crash = tmp_path / "ref.db", tmp_path / "crash.db"
        for db in (ref, crash):
            add_papers(db, urls)
        Miner(ref, tmp_path / "ref-data")("fetch", "--delay", "0", "--workers", "1")
        ref_files = sorted(p.name for p in (tmp_path / "ref-data").rglob("*.pdf"))

        server.slow = 0.2  # each body drips over 0.2 s: kills land mid-download
        rng = random.Random(8)
        codes = []
        for _ in range(2):
            proc = spawn(crash, "fetch", "--delay", "0", "--workers", "2", data_dir=tmp_path / "d")
            wait_for(crash, "SELECT COUNT(*) FROM runs WHERE command='fetch'", proc)
            time.sleep(rng.uniform(0.0, 0.8))
            codes.append(proc.poll() if proc.poll() is not None else kill9(proc))
        code, err = finish(spawn(crash, "fetch", "--delay", "0", data_dir=tmp_path / "d"))
        assert code == 0, err
    assert -9 in codes, codes
    assert health(crash) == []
    assert content(crash, ignore={"path"}) == content(ref, ignore={"path"})
    assert sorted(p.name for p in (tmp_path / "d").rglob("*.pdf")) == ref_files
    assert partials(tmp_path / "d") == []
