"""arXiv: recorded API exchanges (arxiv.py golden files 2026, legacy feeds 2016) through the
`arxiv` package's URL building, paging and Atom parsing, with our getter doing the HTTP."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import arxiv
import pytest

from miner.errors import UsageError
from miner.sources.arxiv import ArxivSource, _MinerClient, build_query, make_search, parse_feed
from miner.sources.source import CrawlSpec, Page
from tests.helpers.recorded import LOCAL, SHARED, local

GOLDEN = SHARED / "arxiv" / "arxiv-py-golden-2026"
LEGACY = SHARED / "arxiv" / "arxiv-py-legacy-2016"


def exchange(path: Path) -> tuple[dict[str, str], int, bytes]:
    """(query params, status, body bytes) of one golden file (body is latin-1, see PROVENANCE)."""
    data = json.loads(path.read_text())
    return (
        dict(parse_qsl(urlsplit(data["url"]).query, keep_blank_values=True)),
        data["status_code"],
        data["body"].encode("latin-1"),
    )


def replay(files: list[Path]) -> dict[tuple[tuple[str, str], ...], bytes]:
    """Golden bodies keyed by their parsed query parameters (order-insensitive)."""
    out = {}
    for f in files:
        params, _, body = exchange(f)
        out[tuple(sorted(params.items()))] = body
    return out


def golden_files() -> list[Path]:
    if not GOLDEN.is_dir():
        pytest.skip(f"recorded arXiv responses not found: {GOLDEN}")
    return sorted(GOLDEN.glob("*.json"))


def test_every_golden_exchange_parses() -> None:
    for path in golden_files():
        params, status, body = exchange(path)
        records, total = parse_feed(body)
        if status == 400:  # id_list=abc: one error <entry>, which the package skips
            assert records == [] and "abc" in params["id_list"]
            continue
        expected = int(params.get("max_results", 10)) if params.get("search_query") else None
        if expected is not None:
            assert len(records) == min(expected, total), path.name
        assert all(r.title and r.authors and r.pdf_url and r.source_id for r in records), path.name


def test_every_legacy_feed_parses() -> None:
    if not LEGACY.is_dir():
        pytest.skip(f"legacy feeds not found: {LEGACY}")
    counts = {}
    for path in sorted(LEGACY.glob("*.xml")):
        records, total = parse_feed(path.read_bytes())
        counts[path.name] = (len(records), total)
    assert counts == {
        "id_list=1111.2011v2.xml": (1, 1),
        "search_query=au_del_maestro+AND+ti_checkerboard.xml": (1, 1),
        "search_query=au_del_maestro+AND+ti_quantum+criticality.xml": (2, 2),
        "search_query=au_del_maestro+ANDNOT+ti_checkerboard+OR+ti_Pyrochlore.xml": (10, 24),
        "search_query=au_del_maestro.xml": (10, 31),
    }


def test_one_id_fields() -> None:
    _, _, body = exchange(LOCAL / "arxiv" / "id_1605.08386_s0_m100_199195aa31ad.json")
    (rec,) = parse_feed(body)[0]
    assert rec.source_id == "1605.08386" and rec.arxiv_id == "1605.08386v1"
    assert rec.title == "Heat-bath random walks with Markov bases"
    assert rec.year == 2016 and rec.venue == "arXiv"
    assert rec.pdf_url == "https://arxiv.org/pdf/1605.08386v1"


def test_legacy_feed_from_2016() -> None:
    records, total = parse_feed(local("arxiv/legacy_search_query=au_del_maestro.xml"))
    assert (len(records), total) == (10, 31)
    assert all(r.pdf_url and r.pdf_url.startswith("http://arxiv.org/pdf/") for r in records)


def test_package_pages_through_our_getter() -> None:
    """Page size 10, 20 results: the package asks for start=0 and start=10, both recorded."""
    bodies = replay(
        [
            LOCAL / "arxiv" / "q_testing_s0_m10_bc5a6c384fe9.json",
            LOCAL / "arxiv" / "q_testing_s10_m10_34e56e15aaac.json",
        ]
    )
    asked: list[str] = []

    def get(url: str, params: Mapping[str, str | int] | None) -> Page:
        asked.append(url)
        assert url.startswith("https://export.arxiv.org/api/query?")
        key = tuple(sorted(parse_qsl(urlsplit(url).query, keep_blank_values=True)))
        return Page(url, 200, bodies[key])

    client = _MinerClient(get, page_size=10)
    assert client.delay_seconds == 3.0
    results = list(client.results(arxiv.Search(query="testing", max_results=20)))
    assert len(results) == 20 and len({r.entry_id for r in results}) == 20
    assert [dict(parse_qsl(urlsplit(u).query))["start"] for u in asked] == ["0", "10"]


def test_category_query_from_documentation() -> None:
    """No recorded category listing exists; the query follows the arXiv API manual."""
    spec = CrawlSpec("arxiv", category="cs.LG", date_from="2019-01-01", date_to="2019-06-30")
    assert build_query("cs.LG", "2019-01-01", "2019-06-30") == (
        "cat:cs.LG AND submittedDate:[201901010000 TO 201906302359]"
    )
    search = make_search(spec)
    assert search.sort_by == arxiv.SortCriterion.SubmittedDate
    with pytest.raises(UsageError):
        make_search(CrawlSpec("arxiv", category="cs.LG"))
    with pytest.raises(UsageError):
        build_query("cs.LG", "2019-06-30", "2019-01-01")


def test_id_list_crawl_uses_recorded_url() -> None:
    params, _, body = exchange(LOCAL / "arxiv" / "id_1605.08386_s0_m100_199195aa31ad.json")
    seen = []

    def get(url: str, _params: Mapping[str, str | int] | None) -> Page:
        seen.append(dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)))
        return Page(url, 200, body)

    records = list(ArxivSource().crawl(get, CrawlSpec("arxiv", ids=("1605.08386",))))
    assert [r.source_id for r in records] == ["1605.08386"]
    assert seen == [params]
