"""`miner crawl/fetch/run/reparse` against a real local HTTP server replaying recorded listings
(via --base-url), with generated PDFs behind the listing's PDF links."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qsl

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug import Request, Response

from db import make_engine
from db.schema import CrawlState, Paper, RawPayload
from miner.errors import FetchError
from miner.http import Fetcher, RateLimiter, Retry, make_client
from miner.replay import index_html  # the trimmed 2019 index, shipped
from miner.sources.openreview import OpenReviewSource
from miner.sources.source import CrawlSpec
from miner.stages.crawl import run_crawl
from tests.helpers.cli import Miner
from tests.helpers.openreview_shapes import note_v2, notes_page
from tests.helpers.pdfs import MakePdf
from tests.helpers.recorded import LOCAL, local, shared

FAST = ["--delay", "0", "--max-retries", "0", "--timeout", "5"]
TEXTS = [
    "Our implementation uses PyTorch 1.2 and is available at https://github.com/x/y.",
    "We implemented the model in TensorFlow and trained it on TPUs.",
    "A theoretical paper without experiments.",
]


def table(miner: Miner, sql: str) -> list[tuple[object, ...]]:
    engine = make_engine(str(miner.db))
    with engine.connect() as conn:
        from sqlalchemy import text

        return [tuple(r) for r in conn.execute(text(sql))]


def serve_neurips(httpserver: HTTPServer, listing: bytes, make_pdf: MakePdf, bad: int = -1) -> int:
    """Serve a NeurIPS 2019 year index and a generated PDF for each of its paper links."""
    httpserver.expect_request("/paper_files/paper/2019").respond_with_data(
        listing, content_type="text/html; charset=utf-8"
    )
    hashes = re.findall(rb"/paper_files/paper/2019/hash/([0-9a-f]{32})-Abstract\.html", listing)
    for i, h in enumerate(hashes):
        path = f"/paper_files/paper/2019/file/{h.decode()}-Paper.pdf"
        if i == bad:
            httpserver.expect_request(path).respond_with_data(
                "<html>login</html>", content_type="text/html"
            )
        else:
            pdf = make_pdf(pages=[f"Paper {i}\n\nAbstract\n{TEXTS[i % 3]}"])
            httpserver.expect_request(path).respond_with_data(pdf, content_type="application/pdf")
    return len(hashes)


def test_run_neurips_2019_through_every_stage(
    httpserver: HTTPServer, miner: Miner, make_pdf: MakePdf
) -> None:
    n = serve_neurips(httpserver, index_html(), make_pdf, bad=4)
    base = httpserver.url_for("/").rstrip("/")
    result = miner("run", "neurips", "--year", "2019", "--base-url", base, "--workers", "1", *FAST)
    assert "crawl neurips year=2019: new 5, pages_fetched 1" in result.stderr
    assert "fetch: failed 1, ok 4" in result.stderr
    assert "extract: ok 4" in result.stderr
    rows = result.stdout.splitlines()
    assert rows[0].split()[:4] == ["venue", "year", "framework", "uses"]
    assert any(r.split()[:4] == ["NeurIPS", "2019", "pytorch", "2"] for r in rows), result.stdout
    assert n == 5
    status = table(miner, "select fetch_status, count(*) from papers group by 1 order by 1")
    assert status == [("failed", 1), ("ok", 4)]
    # Run again: nothing is fetched twice, no paper is duplicated.
    again = miner("run", "neurips", "--year", "2019", "--base-url", base, "--workers", "1", *FAST)
    assert "crawl neurips year=2019: new 0, pages_stored 1, updated 5" in again.stderr
    assert "fetch: nothing to do" in again.stderr
    assert table(miner, "select count(*) from papers") == [(5,)]
    assert table(miner, "select count(*) from pdfs") == [(4,)]


def test_crawl_full_recorded_listing_then_reparse(httpserver: HTTPServer, miner: Miner) -> None:
    listing = shared("neurips/listing/paper_files_paper_2019.html")
    httpserver.expect_request("/paper_files/paper/2019").respond_with_data(
        listing, content_type="text/html"
    )
    base = httpserver.url_for("/").rstrip("/")
    out = miner("crawl", "neurips", "--year", "2019", "--base-url", base, *FAST)
    assert "new 1428" in out.stderr
    assert table(
        miner, "select count(*), count(distinct source_id), count(pdf_url) from papers"
    ) == [(1428, 1428, 1428)]
    # The listing is kept; a second crawl replays it without the network.
    httpserver.clear()
    again = miner("crawl", "neurips", "--year", "2019", "--base-url", base, *FAST)
    assert "pages_stored 1" in again.stderr and "updated 1428" in again.stderr
    reparse = miner("reparse")
    assert "reparse: new 0, pages 1, updated 1428" in reparse.stderr
    assert table(miner, "select status, pages, papers from crawl_state") == [("done", 1, 1428)]


def test_crawl_pmlr_v97_every_icml_2019_paper(httpserver: HTTPServer, miner: Miner) -> None:
    httpserver.expect_request("/v97/").respond_with_data(
        shared("pmlr/listing/v97_icml2019.html"), content_type="text/html"
    )
    out = miner(
        "crawl", "pmlr", "--year", "2019", "--base-url", httpserver.url_for("/").rstrip("/"), *FAST
    )
    assert "new 773" in out.stderr
    assert table(miner, "select venue, year, count(*) from papers group by 1, 2") == [
        ("ICML", 2019, 773)
    ]


def test_crawl_arxiv_id_through_the_package(httpserver: HTTPServer, miner: Miner) -> None:
    golden = json.loads((LOCAL / "arxiv" / "id_1605.08386_s0_m100_199195aa31ad.json").read_text())

    def api(request: Request) -> Response:
        params = dict(parse_qsl(request.query_string.decode(), keep_blank_values=True))
        assert params["id_list"] == "1605.08386" and params["start"] == "0"
        return Response(golden["body"].encode("latin-1"), content_type="application/atom+xml")

    httpserver.expect_request("/api/query").respond_with_handler(api)
    base = httpserver.url_for("/").rstrip("/")
    out = miner("crawl", "arxiv", "--id", "1605.08386", "--base-url", base, *FAST)
    assert "new 1" in out.stderr
    assert table(miner, "select source_id, arxiv_id, pdf_url from papers") == [
        ("1605.08386", "1605.08386v1", "https://arxiv.org/pdf/1605.08386v1")
    ]


def test_crawl_openreview_pages(httpserver: HTTPServer, miner: Miner) -> None:
    """Synthetic API v2 payloads built from the documentation (see tests/helpers/openreview_shapes.py)."""
    httpserver.expect_request(
        "/notes",
        query_string={"content.venueid": "ICLR.cc/2024/Conference", "offset": "0", "limit": "1000"},
    ).respond_with_data(notes_page([note_v2(i) for i in range(3)]), content_type="application/json")
    base = httpserver.url_for("/").rstrip("/")
    out = miner(
        "crawl", "openreview", "--venue", "ICLR", "--year", "2024", "--base-url", base, *FAST
    )
    assert "new 3" in out.stderr
    assert table(miner, "select count(*) from papers where openreview_id is not null") == [(3,)]


def test_failed_listing_is_reported_and_resumable(httpserver: HTTPServer, miner: Miner) -> None:
    httpserver.expect_oneshot_request("/v97/").respond_with_data("", status=503)
    base = httpserver.url_for("/").rstrip("/")
    out = miner("crawl", "pmlr", "--year", "2019", "--base-url", base, *FAST, ok=False)
    assert out.exit_code == 2 and "HTTP 503" in out.stderr
    assert table(miner, "select status from crawl_state") == [("failed",)]
    httpserver.expect_request("/v97/").respond_with_data(local("pmlr/v97_icml2019_trimmed.html"))
    assert "new 3" in miner("crawl", "pmlr", "--year", "2019", "--base-url", base, *FAST).stderr
    assert table(miner, "select status from crawl_state") == [("done",)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["crawl", "neurips"], "needs --year"),
        (["crawl", "pmlr", "--year", "2005"], "--volume"),
        (["crawl", "arxiv", "--category", "cs.LG"], "--from"),
        (["crawl", "neurips", "--year", "2019", "--base-url", "localhost:1"], "base-url"),
    ],
)
def test_usage_errors(miner: Miner, args: list[str], message: str) -> None:
    out = miner(*args, ok=False)
    assert out.exit_code == 2 and message in out.stderr


def test_interrupted_paginated_crawl_resumes_without_refetching(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    """OpenReview pages (synthetic, from the API docs): page 2 fails, the rerun replays page 1
    from raw_payloads and asks the server only for page 2."""
    engine = make_engine(str(tmp_path / "t.db"))
    notes = [note_v2(i) for i in range(4)]
    asked: list[str] = []

    def api(request: Request) -> Response:
        offset = int(request.args["offset"])
        asked.append(str(offset))
        if offset == 2 and asked.count("2") == 1:
            return Response("", status=500)
        return Response(
            notes_page(notes[offset : offset + 2], count=4), content_type="application/json"
        )

    httpserver.expect_request("/notes").respond_with_handler(api)
    fetcher = Fetcher(
        make_client(timeout=5),
        limiter=RateLimiter(delay=0, sleep=lambda s: None),
        retry=Retry(max_retries=0),
        base_url=httpserver.url_for("/").rstrip("/"),
    )
    spec = CrawlSpec("openreview", venue="ICLR", year=2024)
    source = OpenReviewSource(page_size=2)
    with pytest.raises(FetchError, match="HTTP 500"):
        run_crawl(engine, fetcher, spec, source=source)
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Paper)) == 2
        assert s.scalar(select(CrawlState.status)) == "failed"
    report = run_crawl(engine, fetcher, spec, source=source)
    assert report.counts["pages_stored"] == 1 and report.counts["pages_fetched"] == 1
    assert asked == ["0", "2", "2"]  # page 1 is never asked for again
    with Session(engine) as s:
        assert s.scalars(select(Paper.source_id).order_by(Paper.source_id)).all() == [
            f"v2id{i}" for i in range(4)
        ]
        assert s.scalar(select(func.count()).select_from(RawPayload)) == 2
        assert s.scalar(select(CrawlState.status)) == "done"
