"""The completeness check (issue 19): every recorded listing crawled through run_crawl ends with
as many papers as the page itself lists and, where the shipped table has the venue and year, as
many as were published; a truncated listing, an arXiv crawl and a reparse say so."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Engine, make_engine
from db.schema import CrawlState
from miner.completeness import Check, check_crawl, differs, published_counts, published_for
from miner.errors import FetchError
from miner.http import Fetcher, RateLimiter, Retry, make_client
from miner.replay import index_html  # the trimmed 2019 index, shipped
from miner.sources.arxiv import ArxivSource
from miner.sources.source import CrawlSpec, Listed
from miner.stages.crawl import run_crawl
from tests.helpers.cli import Miner
from tests.helpers.recorded import LOCAL, local, shared

FAST = ["--delay", "0", "--max-retries", "0", "--timeout", "5"]
VENUES = {"NeurIPS", "ICML", "ICLR", "CVPR", "ICCV", "ECCV", "ACL", "EMNLP", "NAACL", "AAAI"}


def fetcher(pages: dict[str, bytes | Callable[[httpx.Request], bytes]]) -> Fetcher:
    """A Fetcher whose transport answers each path with a recorded body (no sleeping)."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = pages[request.url.path]
        return httpx.Response(200, content=body(request) if callable(body) else body)

    return Fetcher(
        make_client(transport=httpx.MockTransport(handler)),
        limiter=RateLimiter(delay=0, sleep=lambda _s: None),
        retry=Retry(max_retries=0),
    )


def checks_of(engine: Engine, spec: CrawlSpec, pages: dict[str, bytes]) -> list[Check]:
    report = run_crawl(engine, fetcher(pages), spec)  # type: ignore[arg-type]
    return [Check(**{k: v for k, v in c.items() if k != "outcome"}) for c in report.checks]


RECORDED = [
    (
        "neurips/listing/paper_files_paper_2019.html",
        CrawlSpec("neurips", year=2019),
        "/paper_files/paper/2019",
        1428,
        1428,
    ),
    (
        "neurips/listing/paper_files_paper_2025.html.gz",
        CrawlSpec("neurips", year=2025),
        "/paper_files/paper/2025",
        5823,
        5286,
    ),
    ("pmlr/listing/v97_icml2019.html", CrawlSpec("pmlr", year=2019), "/v97/", 773, 773),
    (
        "cvf/listing/CVPR2020.py.html.gz",
        CrawlSpec("cvf", year=2020, track="CVPR"),
        "/CVPR2020",
        1467,
        1467,
    ),
    (
        "acl/anthology_xml/2022.acl.xml",
        CrawlSpec("acl", venue="acl", year=2022),
        "/acl-org/acl-anthology/master/data/xml/2022.acl.xml",
        774,
        603,
    ),
]


@pytest.mark.parametrize(("fixture", "spec", "path", "listed", "published"), RECORDED)
def test_recorded_listing_crawled_count_equals_its_own_count(
    mem_engine: Engine, fixture: str, spec: CrawlSpec, path: str, listed: int, published: int
) -> None:
    """The crawl parses every entry the page lists (printed count for NeurIPS 2025, marked-up
    entries or <paper> elements elsewhere) and matches the published table (NeurIPS 2025 and
    ACL 2022: the table's `main` / `long` row)."""
    (first, *_rest) = checks_of(mem_engine, spec, {path: shared(fixture)})
    assert (first.listed, first.stated) == (listed, listed), first
    assert (first.crawled, first.published) == (published, published), first
    assert first.outcome == "ok" and first.warnings() == []


def test_truncated_listing_warns_with_both_numbers(mem_engine: Engine) -> None:
    """A NeurIPS 2025 page cut after 4 entries still prints `5823 papers`: two warnings."""
    spec = CrawlSpec("neurips", year=2025)
    page = local("neurips/paper_files_paper_2025_trimmed.html")
    (check,) = checks_of(mem_engine, spec, {"/paper_files/paper/2025": page})
    assert check.outcome == "differs"
    assert check.warnings() == [
        "neurips year=2025: the listing pages held 4 entries, the source says 5823 (printed count)",
        f"NeurIPS 2025 main: 2 papers crawled, 5286 published ({published_for('NeurIPS', 2025)[0].source})",
    ]


def arxiv_pages(empty_second: bool = False) -> Callable[[httpx.Request], bytes]:
    """The recorded `testing` pages start=0 and start=10 (totalResults 214881)."""
    bodies = {}
    for name, start in (
        ("q_testing_s0_m10_bc5a6c384fe9.json", "0"),
        ("q_testing_s10_m10_34e56e15aaac.json", "10"),
    ):
        bodies[start] = json.loads((LOCAL / "arxiv" / name).read_text())["body"].encode("latin-1")
    if empty_second:
        bodies["10"] = re.sub(rb"<entry>.*</entry>", b"", bodies["10"], flags=re.S)
    return lambda request: bodies[request.url.params["start"]]


ARXIV = CrawlSpec("arxiv", category="cs.LG", date_from="2019-01-01", date_to="2019-01-31", limit=20)


def test_arxiv_crawl_records_total_results_and_what_it_got(mem_engine: Engine) -> None:
    """--limit 20 over totalResults 214881: the whole-crawl row records both, and is no warning."""
    source = ArxivSource(page_size=10)
    report = run_crawl(mem_engine, fetcher({"/api/query": arxiv_pages()}), ARXIV, source=source)
    (row,) = report.checks
    assert row["venue"] is None and row["crawled"] == 20 and row["listed"] == 20
    assert row["stated"] == 214881 and row["stated_label"] == "totalResults"
    assert row["outcome"] == "ok"


def test_arxiv_empty_page_is_not_replayed_on_resume(mem_engine: Engine) -> None:
    """Issue 19: the empty page fails the crawl (retryable) instead of ending it `done`; it is
    stored, but the resumed crawl fetches it again instead of trusting it."""
    source = ArxivSource(page_size=10, retries=1)
    empty = fetcher({"/api/query": arxiv_pages(empty_second=True)})
    with pytest.raises(FetchError, match="empty page at start=10"):
        run_crawl(mem_engine, empty, ARXIV, source=source)
    with Session(mem_engine) as session:
        assert session.scalars(select(CrawlState.status)).all() == ["failed"]
    report = run_crawl(mem_engine, fetcher({"/api/query": arxiv_pages()}), ARXIV, source=source)
    assert report.counts["new"] == 10 and report.counts["pages_fetched"] == 1
    assert report.counts["pages_stored"] == 2  # start=0 reused; start=10 replayed, short, refetched
    assert report.checks[0]["listed"] == 20


def test_wrong_shape_is_recorded_on_the_crawl_not_a_traceback(
    httpserver: HTTPServer, miner: Miner
) -> None:
    """Issue 18: `notes: 5` ends the crawl `failed` with a one-line error naming the field."""
    httpserver.expect_request("/notes").respond_with_data(
        json.dumps({"notes": 5, "count": 5}), content_type="application/json"
    )
    base = httpserver.url_for("/").rstrip("/")
    out = miner("crawl", "openreview", "--year", "2024", "--base-url", base, *FAST, ok=False)
    assert out.exit_code == 2 and "openreview notes: expected a list, got int" in out.stderr
    assert "Traceback" not in out.output
    engine = make_engine(str(miner.db))
    with Session(engine) as session:
        state = session.scalars(select(CrawlState)).one()
        assert state.status == "failed" and "openreview notes" in (state.error or "")


def test_one_percent_tolerance() -> None:
    assert not differs(1414, 1428) and differs(1413, 1428) and differs(1443, 1428)
    assert not differs(0, 0) and differs(1, 0)


def test_limited_crawl_is_not_a_difference() -> None:
    counts = {("NeurIPS", 2019, None): 50}
    (check,) = check_crawl(
        "neurips",
        "neurips year=2019",
        pages=[Listed(1428, 1428)],
        crawled=50,
        counts=counts,
        limit=50,
    )
    assert check.outcome == "limited" and check.warnings() == []


def test_venue_year_outside_the_table_is_unchecked_against_it() -> None:
    (check,) = check_crawl(
        "pmlr",
        "pmlr volume=1",
        pages=[Listed(10, 12, "entries marked up")],
        crawled=10,
        counts={("PMLR v1", 2008, None): 10},
    )
    assert check.venue is None and check.outcome == "differs"
    assert check.warnings() == [
        "pmlr volume=1: the listing pages held 10 entries, the source says 12 (entries marked up)"
    ]


def test_published_table_rows_have_a_source_and_one_row_per_key() -> None:
    rows = published_counts()
    assert {r.venue for r in rows} <= VENUES and len(rows) >= 40
    assert all(r.source and r.accepted > 0 and 2013 <= r.year <= 2026 for r in rows)
    keys = [(r.venue, r.year, r.track) for r in rows]
    assert len(keys) == len(set(keys))
    with (Path(__file__).parents[1] / "miner" / "data" / "published_counts.csv").open() as fh:
        assert next(csv.reader(fh)) == ["venue", "year", "track", "accepted", "source"]


def test_crawl_warns_status_shows_and_reparse_rechecks(
    httpserver: HTTPServer, miner: Miner
) -> None:
    """A truncated NeurIPS 2019 listing (5 of 1428 entries): the crawl prints a warning with both
    numbers, `miner status` shows the check for NeurIPS 2019, `miner reparse` runs it again."""
    httpserver.expect_request("/paper_files/paper/2019").respond_with_data(
        index_html(), content_type="text/html"
    )
    base = httpserver.url_for("/").rstrip("/")
    out = miner("crawl", "neurips", "--year", "2019", "--base-url", base, *FAST)
    assert "warning: NeurIPS 2019: 5 papers crawled, 1428 published (recorded" in out.stderr
    status = miner.json("status")
    assert isinstance(status, dict)
    (row,) = status["completeness"]
    assert {k: row[k] for k in ("venue", "year", "crawled", "published", "listed", "stated")} == {
        "venue": "NeurIPS",
        "year": 2019,
        "crawled": 5,
        "published": 1428,
        "listed": 5,
        "stated": 5,
    }
    assert row["outcome"] == "differs"
    table = miner("status").stdout
    assert "NeurIPS" in table and "1428" in table and "differs" in table
    again = miner("reparse")
    assert "warning: NeurIPS 2019: 5 papers crawled, 1428 published" in again.stderr
