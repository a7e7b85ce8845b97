"""Fetch takes leases like extract and classify (#18): two `miner run` on one database made 505
downloads for 300 papers; a paper another live run holds is not downloaded again."""

from __future__ import annotations

import threading
from collections import Counter
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import crawls, leases, make_engine
from db.schema import Paper
from db.store import upsert_papers
from miner.http import Fetcher, RateLimiter, Retry, make_client
from miner.records import PaperRecord
from miner.stages.fetch import run_fetch
from tests.helpers.faulty_server import FaultyServer
from tests.helpers.pdfs import build_pdf


def fetcher() -> Fetcher:
    return Fetcher(
        make_client(timeout=10),
        limiter=RateLimiter(delay=0, sleep=lambda s: None),
        retry=Retry(max_retries=0),
    )


def add(engine: object, base: str, n: int) -> None:
    with Session(engine) as s:  # type: ignore[call-overload]
        records = [
            PaperRecord(source="t", source_id=str(i), title=f"p{i}", pdf_url=f"{base}/ok/p{i}.pdf")
            for i in range(n)
        ]
        upsert_papers(s, records)
        s.commit()


def test_papers_leased_by_another_run_are_not_fetched(tmp_path: Path) -> None:
    pdfs = {f"p{i}.pdf": build_pdf(pages=[f"Paper {i}. We use JAX."]) for i in range(6)}
    with FaultyServer(pdfs) as srv:
        engine = make_engine(str(tmp_path / "l.db"))
        add(engine, srv.base, 6)
        other = leases.new_owner()  # a live owner: this very process
        with Session(engine) as s:
            queue = crawls.fetch_queue()
            held = leases.claim(s, "fetch", queue.ids.limit(4), queue.column, other, limit=4)
        assert len(held) == 4
        f = fetcher()
        first = run_fetch(engine, f, tmp_path / "data", workers=2)
        assert first.counts == {"ok": 2}
        assert sum(srv.hits.values()) == 2
        with Session(engine) as s:
            leases.release(s, "fetch", other)
            s.commit()
        second = run_fetch(engine, f, tmp_path / "data", workers=2)
        f.client.close()
        engine.dispose()
        assert second.counts == {"ok": 4}
        assert sum(srv.hits.values()) == 6


def test_two_concurrent_fetches_download_each_paper_once(tmp_path: Path) -> None:
    pdfs = {f"p{i}.pdf": build_pdf(pages=[f"Paper {i}. We use JAX."]) for i in range(40)}
    with FaultyServer(pdfs) as srv:
        srv.slow = 0.05  # each body takes a moment, so the two runs overlap
        db = tmp_path / "c.db"
        add(make_engine(str(db)), srv.base, 40)
        reports: list[Counter[str]] = []

        def go() -> None:
            engine, f = make_engine(str(db)), fetcher()
            with f.client:
                reports.append(run_fetch(engine, f, tmp_path / "data", workers=2).counts)
            engine.dispose()

        threads = [threading.Thread(target=go) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(120)
        assert sum(r["ok"] for r in reports) == 40
        assert sum(srv.hits.values()) == 40
        with Session(make_engine(str(db))) as s:
            assert set(s.scalars(select(Paper.fetch_status))) == {"ok"}
