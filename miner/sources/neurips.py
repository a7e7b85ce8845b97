"""NeurIPS proceedings (proceedings.neurips.cc): the year index, both layouts (pure parse + crawl).

Layouts verified on recorded pages: classic `<li class="none">` (2014-2021), track classes
`conference` / `datasets_and_benchmarks[_track]` (2022-2024) and the 2025 redesign with
`<div class="paper-content">`, `<span class="paper-authors">` and a `position_paper_track`.
The PDF link is derived from the abstract link: `/hash/<h>-Abstract[-Track].html` ->
`/file/<h>-Paper[-Track].pdf`. Per-paper abstract pages are not fetched (one request per paper).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urljoin

from lxml import html as lxml_html

from miner.errors import ParseError, UsageError
from miner.records import PaperRecord
from miner.sources.htmlpage import check_complete, parse_html
from miner.sources.source import CrawlSpec, GetPage, Listed, clean

SITE = "https://proceedings.neurips.cc"
VENUE = "NeurIPS"
ABSTRACT_RE = re.compile(
    r"/paper_files/paper/(\d{4})/hash/([0-9a-f]{32})-Abstract(?:-(\w+))?\.html$"
)
TRACKS = {
    "none": "main",
    "conference": "main",
    "datasets_and_benchmarks": "datasets_and_benchmarks",
    "datasets_and_benchmarks_track": "datasets_and_benchmarks",
    "position_paper_track": "position",
}
PRINTED_COUNT_RE = re.compile(rb'<span class="paper-count">\s*([0-9]{1,6}) papers\s*</span>')
"""The 2025 redesign prints the year's paper count above the list."""
MARKED_RE = re.compile(rb'title="paper title"')
AUTHOR_PLACEHOLDERS = {"Error", ""}
"""The 2025 redesign shows `Error` where it has no author list."""


def index_url(year: int) -> str:
    """The year index, e.g. https://proceedings.neurips.cc/paper_files/paper/2019."""
    return f"{SITE}/paper_files/paper/{year}"


def pdf_url_for(abstract_url: str) -> str:
    """`.../hash/<h>-Abstract-Conference.html` -> `.../file/<h>-Paper-Conference.pdf`."""
    return (
        abstract_url.replace("/hash/", "/file/")
        .replace("-Abstract", "-Paper")
        .removesuffix(".html")
        + ".pdf"
    )


def _authors(li: lxml_html.HtmlElement) -> tuple[str, ...]:
    text = None
    for el in li.iter("i", "span"):
        if el.tag == "i" or "paper-authors" in (el.get("class") or ""):
            text = clean(el.text_content())
            break
    if not text or text in AUTHOR_PLACEHOLDERS:
        return ()
    return tuple(a.strip() for a in text.split(",") if a.strip())


def parse_index_html(
    body: bytes, base_url: str = SITE, year: int | None = None
) -> list[PaperRecord]:
    """Every paper of a year index page, with title, authors, track, abstract and PDF URLs."""
    if not body.strip():
        raise ParseError("neurips", base_url, "empty page")
    tree = parse_html(body)
    out: list[PaperRecord] = []
    anchors = tree.xpath('//a[@title="paper title"]')
    check_complete("neurips", base_url, body, b'title="paper title"', len(anchors))
    for a in anchors:
        href = a.get("href", "")
        match = ABSTRACT_RE.search(href)
        if not match:
            continue
        li = a.getparent()
        while li is not None and li.tag != "li":
            li = li.getparent()
        li_class = (li.get("class") or "none").split()[0] if li is not None else "none"
        page_year, digest, _suffix = match.groups()
        abstract = urljoin(SITE + "/", href)
        out.append(
            PaperRecord(
                source="neurips",
                source_id=digest,
                venue=VENUE,
                year=year or int(page_year),
                title=clean(a.text_content()),
                authors=_authors(li) if li is not None else (),
                pdf_url=pdf_url_for(abstract),
                urls=(abstract,),
                track=TRACKS.get(li_class, li_class),
            )
        )
    return out


class NeuripsSource:
    """proceedings.neurips.cc year index; `--track` keeps one track."""

    name = "neurips"

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Papers of one stored year index, filtered by track."""
        records = parse_index_html(body, year=spec.year)
        if spec.track:
            records = [r for r in records if r.track == spec.track]
        return records

    def listed(self, url: str, body: bytes, spec: CrawlSpec) -> Listed:
        """Papers of every track, against the printed count (2025 on) or the marked-up entries."""
        entries = len(parse_index_html(body, year=spec.year))
        printed = PRINTED_COUNT_RE.search(body)
        if printed:
            return Listed(entries, int(printed.group(1)), "printed count")
        return Listed(entries, len(MARKED_RE.findall(body)), "entries marked up")

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """One request: the year index."""
        if spec.year is None:
            raise UsageError("neurips needs --year, e.g. miner crawl neurips --year 2019")
        url = index_url(spec.year)
        yield from self.parse(url, get(url, None).body, spec)
