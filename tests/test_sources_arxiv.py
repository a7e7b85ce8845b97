"""arXiv: recorded API exchanges (arxiv.py golden files 2026, legacy feeds 2016) through our own
pager and Atom parser, the getter doing the HTTP; empty and short pages are fetched again."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

from miner.errors import FetchError, ParseError, UsageError
from miner.sources.arxiv import API, ArxivSource, build_query, parse_feed, search_params
from miner.sources.source import CrawlSpec, Page
from tests.helpers.recorded import LOCAL, SHARED, local

GOLDEN = SHARED / "arxiv" / "arxiv-py-golden-2026"
LEGACY = SHARED / "arxiv" / "arxiv-py-legacy-2016"
PAGE_0 = LOCAL / "arxiv" / "q_testing_s0_m10_bc5a6c384fe9.json"
PAGE_10 = LOCAL / "arxiv" / "q_testing_s10_m10_34e56e15aaac.json"


def exchange(path: Path) -> tuple[dict[str, str], int, bytes]:
    """(query params, status, body bytes) of one golden file (body is latin-1, see PROVENANCE)."""
    data = json.loads(path.read_text())
    return (
        dict(parse_qsl(urlsplit(data["url"]).query, keep_blank_values=True)),
        data["status_code"],
        data["body"].encode("latin-1"),
    )


def golden_files() -> list[Path]:
    if not GOLDEN.is_dir():
        pytest.skip(f"recorded arXiv responses not found: {GOLDEN}")
    return sorted(GOLDEN.glob("*.json"))


def without_entries(body: bytes, keep: int = 0) -> bytes:
    """The same feed with only its first `keep` entries (what arXiv sends under load)."""
    entries = re.findall(rb"<entry>.*?</entry>\s*", body, re.S)
    out = body
    for e in entries[keep:]:
        out = out.replace(e, b"")
    return out


def test_every_golden_exchange_parses() -> None:
    for path in golden_files():
        params, status, body = exchange(path)
        if status == 400:  # id_list=abc: one error <entry>
            with pytest.raises(ParseError, match="incorrect id format for abc"):
                parse_feed(body)
            continue
        feed = parse_feed(body)
        if params.get("search_query"):
            assert len(feed.records) == min(int(params.get("max_results", 10)), feed.total)
        assert all(r.title and r.authors and r.pdf_url and r.source_id for r in feed.records)


def test_every_legacy_feed_parses() -> None:
    if not LEGACY.is_dir():
        pytest.skip(f"legacy feeds not found: {LEGACY}")
    counts = {}
    for path in sorted(LEGACY.glob("*.xml")):
        feed = parse_feed(path.read_bytes())
        counts[path.name] = (len(feed.records), feed.total)
    assert counts == {
        "id_list=1111.2011v2.xml": (1, 1),
        "search_query=au_del_maestro+AND+ti_checkerboard.xml": (1, 1),
        "search_query=au_del_maestro+AND+ti_quantum+criticality.xml": (2, 2),
        "search_query=au_del_maestro+ANDNOT+ti_checkerboard+OR+ti_Pyrochlore.xml": (10, 24),
        "search_query=au_del_maestro.xml": (10, 31),
    }


def test_one_id_fields() -> None:
    _, _, body = exchange(LOCAL / "arxiv" / "id_1605.08386_s0_m100_199195aa31ad.json")
    (rec,) = parse_feed(body).records
    assert rec.source_id == "1605.08386" and rec.arxiv_id == "1605.08386v1"
    assert rec.title == "Heat-bath random walks with Markov bases"
    assert rec.year == 2016 and rec.venue == "arXiv" and rec.track == "math.CO"
    assert rec.pdf_url == "https://arxiv.org/pdf/1605.08386v1"
    assert rec.authors[0] == "Caprice Stanley"


def test_legacy_feed_from_2016() -> None:
    feed = parse_feed(local("arxiv/legacy_search_query=au_del_maestro.xml"))
    assert (len(feed.records), feed.total) == (10, 31)
    assert all(r.pdf_url and r.pdf_url.startswith("http://arxiv.org/pdf/") for r in feed.records)


Getter = Callable[..., Page]


def pager(bodies: Mapping[int, list[bytes]]) -> tuple[list[tuple[int, bool]], Getter]:
    """A getter answering start=N with bodies[N] in turn (the last one repeats)."""
    asked: list[tuple[int, bool]] = []

    def get(
        url: str, params: Mapping[str, str | int] | None = None, *, fresh: bool = False
    ) -> Page:
        assert url == API and params is not None
        start = int(params["start"])
        answers = bodies[start]
        n = sum(1 for s, _ in asked if s == start)
        asked.append((start, fresh))
        return Page(url, 200, answers[min(n, len(answers) - 1)])

    return asked, get


def crawl_testing(get: Getter, limit: int = 20) -> list[str]:
    source = ArxivSource(page_size=10)
    spec = CrawlSpec(
        "arxiv", category="cs.LG", date_from="2019-01-01", date_to="2019-01-31", limit=limit
    )
    return [r.source_id for r in source.crawl(get, spec)]


def test_crawl_asks_start_0_then_10_until_the_limit() -> None:
    (_, _, b0), (_, _, b10) = exchange(PAGE_0), exchange(PAGE_10)
    asked, get = pager({0: [b0], 10: [b10]})
    ids = crawl_testing(get)
    assert len(set(ids)) == 20 and asked == [(0, False), (10, False)]


def test_empty_page_before_total_is_fetched_again_not_the_end() -> None:
    """Issue 19: arXiv returns empty pages under load; upstream's `while feed.results` ended the
    listing there and stored the empty page. Here it is fetched again (fresh, not replayed)."""
    (_, _, b0), (_, _, b10) = exchange(PAGE_0), exchange(PAGE_10)
    asked, get = pager({0: [b0], 10: [without_entries(b10), without_entries(b10, 4), b10]})
    ids = crawl_testing(get)
    assert len(set(ids)) == 20
    assert asked == [(0, False), (10, False), (10, True), (10, True)]


def test_empty_page_that_stays_empty_is_a_retryable_error() -> None:
    (_, _, b0), (_, _, b10) = exchange(PAGE_0), exchange(PAGE_10)
    asked, get = pager({0: [b0], 10: [without_entries(b10)]})
    with pytest.raises(FetchError, match="empty page at start=10") as err:
        crawl_testing(get)
    assert err.value.retry and len(asked) == 1 + 4


def test_a_later_page_saying_total_zero_is_not_the_end() -> None:
    (_, _, b0), (_, _, b10) = exchange(PAGE_0), exchange(PAGE_10)
    zero = re.sub(
        rb"<opensearch:totalResults>\d+", b"<opensearch:totalResults>0", without_entries(b10)
    )
    asked, get = pager({0: [b0], 10: [zero, b10]})
    assert len(set(crawl_testing(get))) == 20 and asked[-1] == (10, True)


def test_short_page_still_short_after_retries_is_kept() -> None:
    (_, _, b0), (_, _, b10) = exchange(PAGE_0), exchange(PAGE_10)
    asked, get = pager({0: [b0], 10: [without_entries(b10, 7)]})
    assert len(crawl_testing(get)) == 17 and len(asked) == 5


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (rb"<published>[^<]*</published>", b"<published>not-a-date</published>", "published"),
        (rb"<id>http://arxiv.org/abs/[^<]*</id>", b"<id> </id>", "entry[0].id"),
        (rb"<id>http://arxiv.org/abs/", b"<id>http://arxiv.org/abs/\x00", "feed"),
        (
            rb"<opensearch:totalResults>\d+",
            b"<opensearch:totalResults>\xc2\xb2\xc2\xb2",
            "totalResults",
        ),
        (rb"<feed", b"<<feed", "feed"),
    ],
)
def test_bad_fields_raise_parse_error_naming_the_field(old: bytes, new: bytes, field: str) -> None:
    """Issue 18 for arXiv: `<published>not-a-date`, an empty id, a NUL in an id (not even XML),
    a count in superscript digits, broken XML: a ParseError naming arxiv and the field."""
    _, _, body = exchange(PAGE_0)
    bad = re.sub(old, new.replace(b"\\", b"\\\\"), body, count=1)
    assert bad != body
    with pytest.raises(ParseError) as err:
        parse_feed(bad)
    assert err.value.source == "arxiv" and field in str(err.value)


def test_listed_is_the_page_against_total_results() -> None:
    _, _, b0 = exchange(PAGE_0)
    listed = ArxivSource().listed("u", b0, CrawlSpec("arxiv"))
    assert (listed.entries, listed.label, listed.per_page) == (10, "totalResults", False)
    assert listed.stated == parse_feed(b0).total > 10


def test_category_query_from_documentation() -> None:
    """No recorded category listing exists; the query follows the arXiv API manual."""
    spec = CrawlSpec("arxiv", category="cs.LG", date_from="2019-01-01", date_to="2019-06-30")
    assert build_query("cs.LG", "2019-01-01", "2019-06-30") == (
        "cat:cs.LG AND submittedDate:[201901010000 TO 201906302359]"
    )
    assert search_params(spec)["sortBy"] == "submittedDate"
    with pytest.raises(UsageError):
        search_params(CrawlSpec("arxiv", category="cs.LG"))
    with pytest.raises(UsageError):
        build_query("cs.LG", "2019-06-30", "2019-01-01")


def test_id_list_crawl_uses_recorded_url() -> None:
    params, _, body = exchange(LOCAL / "arxiv" / "id_1605.08386_s0_m100_199195aa31ad.json")
    seen = []

    def get(url: str, p: Mapping[str, str | int] | None = None, *, fresh: bool = False) -> Page:
        assert p is not None
        seen.append({k: str(v) for k, v in p.items()})
        return Page(url, 200, body)

    records = list(ArxivSource().crawl(get, CrawlSpec("arxiv", ids=("1605.08386",))))
    assert [r.source_id for r in records] == ["1605.08386"]
    assert seen == [{k: v for k, v in params.items() if k in seen[0]}]
    assert seen[0]["id_list"] == "1605.08386" and seen[0]["start"] == "0"
