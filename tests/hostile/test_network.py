"""Hostile servers (#18): every read is bounded in decoded bytes and in total time, and every
transport, protocol or decoding failure is a FetchError (a recorded failure, never a traceback)."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import make_engine
from db.schema import Paper, Run
from db.store import upsert_papers
from miner.errors import FetchError
from miner.http import Fetcher, RateLimiter, Retry, make_client
from miner.records import PaperRecord
from miner.stages.fetch import run_fetch
from tests.helpers.hostile_server import (
    HostileServer,
    drip,
    drip_head,
    endless,
    gzip_bomb,
    redirect,
    respond,
    stacked_gzip,
)
from tests.helpers.pdfs import build_pdf

MB = 1 << 20


def quick(deadline: float = 60.0, max_bytes: int = 8 * MB, timeout: float = 30.0) -> Fetcher:
    return Fetcher(
        make_client(timeout=timeout),
        limiter=RateLimiter(delay=0, sleep=lambda s: None),
        retry=Retry(max_retries=0, rand=lambda: 0.0),
        deadline=deadline,
        max_bytes=max_bytes,
    )


def peak_mb(fn: object) -> tuple[float, BaseException | None]:
    """Peak Python memory (MB) while calling fn, and what it raised."""
    tracemalloc.start()
    caught: BaseException | None = None
    try:
        fn()  # type: ignore[operator]
    except FetchError as exc:
        caught = exc
    finally:
        peak = tracemalloc.get_traced_memory()[1] / MB
        tracemalloc.stop()
    return peak, caught


@pytest.fixture(scope="module")
def server() -> object:
    bomb = gzip_bomb(200)  # 200 MiB of zeros in ~200 KB
    routes = {
        "/gzip-gzip": respond(stacked_gzip(1024), "text/html", {"Content-Encoding": "gzip, gzip"}),
        "/gzip-gzip-2": respond(
            stacked_gzip(1024), "text/html", {"Content-Encoding": "gzip", "X": "y"}
        ),
        "/bomb": respond(bomb, "text/html", {"Content-Encoding": "gzip"}),
        "/bad-gzip": respond(b"not gzip at all", "text/html", {"Content-Encoding": "gzip"}),
        "/br": respond(b"\x1b\x00", "text/html", {"Content-Encoding": "br"}),
        "/endless": endless,
        "/drip": drip,
        "/drip-head": drip_head,
        "/to-file": redirect("file:///etc/passwd"),
        "/to-ftp": redirect("ftp://127.0.0.1/x.pdf"),
        "/to-data": redirect("data:application/pdf;base64,JVBERi0xLjcK"),
        "/good.pdf": respond(build_pdf(pages=["We use PyTorch."])),
    }
    with HostileServer(routes) as srv:
        yield srv


def test_stacked_encodings_are_refused_in_bounded_memory(server: HostileServer) -> None:
    peak, exc = peak_mb(lambda: quick(max_bytes=MB).get(server.url("/gzip-gzip")))
    assert isinstance(exc, FetchError) and "Content-Encoding layers" in str(exc)
    assert peak < 50
    # one declared layer that is really two: the cap holds on the decoded bytes
    with pytest.raises(FetchError, match="too large"):
        quick(max_bytes=MB // 8).get(server.url("/gzip-gzip-2"))


def test_gzip_bomb_and_endless_body_stop_at_the_cap(server: HostileServer) -> None:
    for path in ("/bomb", "/endless"):
        peak, exc = peak_mb(lambda p=path: quick(max_bytes=MB).get(server.url(p)))
        assert isinstance(exc, FetchError) and "too large" in str(exc), path
        assert peak < 50, path


def test_undecodable_and_unsupported_encodings_are_fetch_errors(server: HostileServer) -> None:
    with pytest.raises(FetchError, match="cannot decode gzip"):
        quick().get(server.url("/bad-gzip"))
    with pytest.raises(FetchError, match="unsupported Content-Encoding"):
        quick().get(server.url("/br"))


@pytest.mark.parametrize("path", ["/drip", "/drip-head"])
def test_a_drip_is_cut_at_the_request_deadline(server: HostileServer, path: str) -> None:
    started = time.monotonic()
    with pytest.raises(FetchError, match="deadline") as info:
        quick(deadline=1.5, timeout=30).get(server.url(path))
    assert time.monotonic() - started < 10  # generous: 1.5 s deadline, each read answers in 0.2 s
    assert info.value.retry


@pytest.mark.parametrize("path", ["/to-file", "/to-ftp", "/to-data"])
def test_redirects_off_http_are_refused(server: HostileServer, path: str) -> None:
    with pytest.raises(FetchError, match=r"not an http\(s\) URL") as info:
        quick().get(server.url(path))
    assert not info.value.retry


def test_fetch_records_every_hostile_url_and_goes_on(server: HostileServer, tmp_path: Path) -> None:
    """#18: a redirect to file:// used to abort fetch with a traceback, the paper `pending` and the
    run `running`; every later fetch stopped at the same paper."""
    paths = ["/to-file", "/to-ftp", "/to-data", "/gzip-gzip", "/bomb", "/drip", "/good.pdf"]
    engine = make_engine(str(tmp_path / "f.db"))
    with Session(engine) as s:
        records = [
            PaperRecord(
                source="t", source_id=p, title=p, venue="V", year=2020, pdf_url=server.url(p)
            )
            for p in paths
        ]
        upsert_papers(s, records)
        s.commit()
    fetcher = Fetcher(
        make_client(timeout=30),
        limiter=RateLimiter(delay=0, sleep=lambda s: None),
        retry=Retry(max_retries=0),
        deadline=2.0,
        max_bytes=MB,
    )
    report = run_fetch(engine, fetcher, tmp_path / "data", workers=2, max_bytes=MB)
    assert report.counts == {"ok": 1, "failed": len(paths) - 1}
    with Session(engine) as s:
        rows = {p.source_id: (p.fetch_status, p.fetch_error) for p in s.scalars(select(Paper))}
        runs = [r.status for r in s.scalars(select(Run))]
    assert rows["/good.pdf"][0] == "ok"
    for path, (status, error) in rows.items():
        if path != "/good.pdf":
            assert status == "failed" and error and "\n" not in error, path
    assert runs == ["done"]
    assert run_fetch(engine, fetcher, tmp_path / "data").counts == {}  # nothing left to do
    fetcher.client.close()


def test_a_hostile_listing_fails_the_crawl_in_one_line(tmp_path: Path) -> None:
    """#18: a listing that is a gzip bomb (or endless) was read whole; now the crawl fails with a
    one-line reason, its state and run say `failed`, and nothing of it is stored."""
    from tests.helpers.cli import Miner

    bomb = respond(gzip_bomb(100), "text/html", {"Content-Encoding": "gzip"})
    with HostileServer(
        {"/paper_files/paper/2019": bomb, "/paper_files/paper/2020": endless}
    ) as srv:
        m = Miner(tmp_path / "c.db", tmp_path / "data")
        for year in ("2019", "2020"):
            args = ["crawl", "neurips", "--year", year, "--base-url", srv.base, "--delay", "0"]
            result = m(*args, "--max-retries", "0", "--deadline", "20", ok=False)
            assert result.exit_code == 2, result.output
            assert "too large" in result.stderr and "Traceback" not in result.stderr
            assert len(result.stderr.strip().splitlines()) == 1
    engine = make_engine(str(m.db))
    with Session(engine) as s:
        assert [r.status for r in s.scalars(select(Run))] == ["failed", "failed"]
        from db.schema import CrawlState, RawPayload

        assert {c.status for c in s.scalars(select(CrawlState))} == {"failed"}
        assert s.scalars(select(RawPayload)).all() == []
