"""arXiv through the `arxiv` package: category + submission-date queries or id lists (pure + crawl).

The package builds the query URL (`Client.query_url_format`, `Search`), paginates
(`Client.page_size`) and parses the Atom feed (`arxiv._feed.parse`, arxiv >= 4). Only the HTTP
exchange is ours: `_MinerClient._parse_feed` sends each page through the crawl's getter, so the
honest User-Agent, the 3 s per-host delay the arXiv API terms ask for, retries on 429/5xx and the
raw-payload store apply, and `--base-url` redirects the endpoint like any other source.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import arxiv
from arxiv import _feed

from miner.errors import ParseError, UsageError
from miner.records import PaperRecord
from miner.sources.source import CrawlSpec, GetPage, clean

PAGE_SIZE = 100
"""Results per API page (the package's documented `page_size`; arXiv allows up to 2000)."""
DELAY_SECONDS = 3.0
"""arXiv API terms of use: no more than one request every three seconds, on one connection."""
CATEGORY_RE = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
CODE_RE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[^\s)\]}>,;\"']+")
VERSION_RE = re.compile(r"v\d+$")


def build_query(category: str, date_from: str, date_to: str) -> str:
    """`cat:cs.LG AND submittedDate:[201901010000 TO 201906302359]` (dates inclusive)."""
    if not CATEGORY_RE.match(category):
        raise UsageError(f"arxiv category {category!r} should look like cs.LG")
    try:
        start, end = date.fromisoformat(date_from), date.fromisoformat(date_to)
    except ValueError as exc:
        raise UsageError(f"arxiv --from/--to must be dates like 2019-01-31: {exc}") from exc
    if end < start:
        raise UsageError("arxiv --to is before --from")
    return f"cat:{category} AND submittedDate:[{start:%Y%m%d}0000 TO {end:%Y%m%d}2359]"


def make_search(spec: CrawlSpec) -> arxiv.Search:
    """The arxiv.Search for an id list, or a category between two dates (oldest first)."""
    if spec.ids:
        return arxiv.Search(id_list=list(spec.ids), max_results=spec.limit)
    if not (spec.category and spec.date_from and spec.date_to):
        raise UsageError(
            "arxiv needs --category C --from DATE --to DATE (e.g. cs.LG 2019-01-01 2019-06-30) "
            "or --id"
        )
    return arxiv.Search(
        query=build_query(spec.category, spec.date_from, spec.date_to),
        max_results=spec.limit,
        sort_by=arxiv.SortCriterion.SubmittedDate,
        sort_order=arxiv.SortOrder.Ascending,
    )


def to_record(result: arxiv.Result) -> PaperRecord:
    """A PaperRecord from an arxiv.Result (id without version; code links from the comment)."""
    short = result.get_short_id()
    text = f"{result.comment or ''} {result.summary or ''}"
    code = list(dict.fromkeys(u.rstrip(".") for u in CODE_RE.findall(text)))
    return PaperRecord(
        source="arxiv",
        source_id=VERSION_RE.sub("", short),
        venue="arXiv",
        year=result.published.year if result.published.year > 1 else None,
        title=clean(result.title),
        authors=tuple(a.name for a in result.authors),
        abstract=clean(result.summary),
        pdf_url=result.pdf_url,
        arxiv_id=short,
        urls=(result.entry_id, *code),
        track=result.primary_category or None,
    )


def parse_feed(body: bytes) -> tuple[list[PaperRecord], int]:
    """Papers in one Atom page and the feed's totalResults."""
    feed = _feed.parse(body)
    if feed.malformed:
        raise ParseError("arxiv", "feed", f"malformed Atom: {feed.error}")
    return [to_record(r) for r in feed.results], feed.header.total_results


class _MinerClient(arxiv.Client):
    """arxiv.Client whose page requests go through the crawl's getter (see module docstring)."""

    def __init__(self, get: GetPage, page_size: int) -> None:
        super().__init__(page_size=page_size, delay_seconds=DELAY_SECONDS, num_retries=0)
        self._get = get

    def _parse_feed(self, url: str, first_page: bool = True, _try_index: int = 0) -> Any:
        page = self._get(url, None)
        feed = _feed.parse(page.body)
        if feed.malformed:
            raise ParseError("arxiv", url, f"malformed Atom: {feed.error}")
        return feed


class ArxivSource:
    """export.arxiv.org query API; `--category --from --to` or `--id` (repeatable)."""

    name = "arxiv"

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Papers of one stored Atom page."""
        return parse_feed(body)[0]

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """Page through the search with the package's client; stops at --limit."""
        search = make_search(spec)
        page_size = min(PAGE_SIZE, spec.limit) if spec.limit else PAGE_SIZE
        client = _MinerClient(get, page_size)
        for result in client.results(search):
            yield to_record(result)
