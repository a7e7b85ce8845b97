"""arXiv's query API: category + submission-date queries or id lists (pure parse + paging crawl).

We own the pager and the Atom parser instead of going through the `arxiv` package: its public
`Client.results` does its own HTTP with `requests` (no injectable client, so no polite fetcher,
no raw-payload store, no offline tests without monkeypatching) and ends a listing on the first
empty page, and its parser lets a bad `<published>` escape as a ValueError. Here every page goes
through the crawl's getter (honest User-Agent, the 3 s per-host delay the arXiv API terms ask
for, retries on 429/5xx, the raw-payload store, `--base-url`), and a page that holds fewer
entries than `totalResults` promises is fetched again, never taken for the end of the listing.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from lxml import etree

from miner.errors import FetchError, ParseError, UsageError
from miner.extract.codeurls import code_urls_in_text
from miner.records import PaperRecord
from miner.sources import shapes
from miner.sources.source import CrawlSpec, GetPage, Listed, clean

logger = logging.getLogger(__name__)

API = "https://export.arxiv.org/api/query"
PAGE_SIZE = 100
"""Results per API page (arXiv allows up to 2000; small pages fail less under load)."""
SHORT_PAGE_RETRIES = 3
"""Fetches again of a page that came back empty or short (arXiv returns those under load);
the fetcher's per-host delay (3 s for arXiv) spaces them."""
NS = {
    "atom": "http://www.w3.org/2005/Atom",
    "arxiv": "http://arxiv.org/schemas/atom",
    "os": "http://a9.com/-/spec/opensearch/1.1/",
}
CATEGORY_RE = re.compile(r"^[a-z-]+(\.[A-Za-z-]+)?$")
CODE_RE = re.compile(r"https?://(?:www\.)?(?:github\.com|gitlab\.com)/[^\s)\]}>,;\"']+")
VERSION_RE = re.compile(r"v\d+$")
PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True, slots=True)
class Feed:
    """One parsed page of the query API."""

    records: list[PaperRecord]
    total: int
    """opensearch:totalResults: how many results the whole query has."""
    start: int
    """opensearch:startIndex of this page."""


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


def search_params(spec: CrawlSpec) -> dict[str, str | int]:
    """Query parameters without paging: an id list, or a category between two dates (oldest first)."""
    if spec.ids:
        return {"search_query": "", "id_list": ",".join(spec.ids)}
    if not (spec.category and spec.date_from and spec.date_to):
        raise UsageError(
            "arxiv needs --category C --from DATE --to DATE (e.g. cs.LG 2019-01-01 2019-06-30) "
            "or --id"
        )
    return {
        "search_query": build_query(spec.category, spec.date_from, spec.date_to),
        "sortBy": "submittedDate",
        "sortOrder": "ascending",
    }


def _text(el: etree._Element, path: str) -> str | None:
    found = el.find(path, NS)
    return None if found is None else "".join(found.itertext())


def _published(raw: str | None, field: str) -> datetime:
    if raw is None:
        raise ParseError("arxiv", field, "missing")
    try:
        return datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ParseError("arxiv", field, f"not a date: {raw[:40]!r}") from None


def parse_entry(entry: etree._Element, index: int) -> PaperRecord:
    """A PaperRecord from one `<entry>` (id without version; code links from the comment)."""
    entry_id = shapes.ident("arxiv", f"entry[{index}].id", _text(entry, "atom:id"))
    if "/api/errors" in entry_id:  # the API's way to say a query was wrong (HTTP 400 too)
        raise ParseError("arxiv", "entry.id", f"API error: {clean(_text(entry, 'atom:summary'))}")
    short = entry_id.split("/abs/", 1)[-1]
    published = _published(_text(entry, "atom:published"), f"entry {short}.published")
    summary = _text(entry, "atom:summary")
    comment = _text(entry, "arxiv:comment")
    journal_ref = _text(entry, "arxiv:journal_ref")
    code = dict.fromkeys(u.rstrip(".") for u in CODE_RE.findall(f"{comment or ''} {summary or ''}"))
    pdf = next(
        (a.get("href") for a in entry.iterfind("atom:link", NS) if a.get("title") == "pdf"), None
    )
    primary = entry.find("arxiv:primary_category", NS)
    authors = (clean(_text(a, "atom:name")) for a in entry.iterfind("atom:author", NS))
    return PaperRecord(
        source="arxiv",
        source_id=VERSION_RE.sub("", short),
        venue="arXiv",
        year=published.year,
        title=clean(_text(entry, "atom:title")),
        authors=tuple(a for a in authors if a),
        abstract=clean(summary),
        pdf_url=pdf,
        arxiv_id=short,
        urls=(entry_id, *code),
        code_urls=code_urls_in_text(f"{comment or ''}\n{journal_ref or ''}"),
        track=(primary.get("term") if primary is not None else None) or None,
    )


def parse_feed(body: bytes) -> Feed:
    """The papers of one Atom page with its totalResults and startIndex.

    Raises ParseError on bad XML, a missing or non-numeric header, an API error entry or an entry
    whose id or `<published>` is unusable.
    """
    try:
        root = etree.fromstring(body, parser=PARSER)
    except etree.XMLSyntaxError as exc:
        raise ParseError("arxiv", "feed", f"malformed Atom: {exc}") from exc
    header = {}
    for name in ("totalResults", "startIndex"):
        raw = (_text(root, f"os:{name}") or "").strip()
        if not raw.isascii() or not raw.isdigit() or len(raw) > 9:
            raise ParseError("arxiv", f"feed.{name}", f"not a count: {raw[:40]!r}")
        header[name] = int(raw)
    records = [parse_entry(e, i) for i, e in enumerate(root.iterfind("atom:entry", NS))]
    return Feed(records, header["totalResults"], header["startIndex"])


class ArxivSource:
    """export.arxiv.org query API; `--category --from --to` or `--id` (repeatable)."""

    name = "arxiv"

    def __init__(self, page_size: int = PAGE_SIZE, retries: int = SHORT_PAGE_RETRIES) -> None:
        self.page_size, self.retries = page_size, retries

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Papers of one stored Atom page."""
        return parse_feed(body).records

    def listed(self, url: str, body: bytes, spec: CrawlSpec) -> Listed:
        """The page's entries and the query's totalResults."""
        feed = parse_feed(body)
        return Listed(len(feed.records), feed.total, "totalResults", per_page=False)

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """Page through the query by start index until totalResults (or --limit) is reached."""
        params = search_params(spec)
        start = total = 0
        while True:
            want = min(self.page_size, spec.limit - start) if spec.limit else self.page_size
            feed = self._page(get, {**params, "start": start, "max_results": want}, want, total)
            yield from feed.records
            start += want
            total = max(total, feed.total)
            if start >= total or (spec.limit and start >= spec.limit):
                return

    def _page(self, get: GetPage, params: dict[str, str | int], want: int, total: int) -> Feed:
        """One page, fetched again while it holds fewer entries than totalResults promises
        (this page's, or the larger one an earlier page gave: under load a page may say 0).

        An empty page before the end raises FetchError (retryable: run the crawl again); a short
        one still short after the retries is kept, and the completeness check reports the gap.
        """
        start = int(params["start"])
        for attempt in range(self.retries + 1):
            feed = parse_feed(get(API, params, fresh=attempt > 0).body)
            expected = max(0, min(want, max(total, feed.total) - start))
            if len(feed.records) >= expected:
                return feed
            logger.warning(
                "arxiv start=%d: %d of %d entries (totalResults %d), try %d of %d",
                start,
                len(feed.records),
                expected,
                feed.total,
                attempt + 1,
                self.retries + 1,
            )
        if not feed.records:
            raise FetchError(
                API,
                f"empty page at start={start} of totalResults {feed.total} "
                f"after {self.retries + 1} tries",
                retry=True,
            )
        return feed
