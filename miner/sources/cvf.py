"""CVF Open Access (openaccess.thecvf.com): CVPR / ICCV / WACV listings (pure parse + crawl).

A listing is `<dt class="ptitle">` (title, link to the paper page) followed by `<dd>`s with one
author form each (`<input name="query">`, `query_author` from 2021) and `[pdf]`, `[supp]`, `[arXiv]`
links. `{CONF}{YEAR}?day=all` lists every paper; a page that only links to per-day pages
(`?day=2021-06-21`) is followed day by day.
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

SITE = "https://openaccess.thecvf.com"
CONFERENCES = ("CVPR", "ICCV", "WACV")
ARXIV_RE = re.compile(r"arxiv\.org/abs/([^/?#]+?)(?:v\d+)?$")
MARKED_RE = re.compile(rb'<dt class="ptitle">')
DAY_RE = re.compile(r"\?day=(\d{4}-\d{2}-\d{2})$")


def listing_url(conf: str, year: int, day: str = "all") -> str:
    """E.g. https://openaccess.thecvf.com/CVPR2020?day=all."""
    return f"{SITE}/{conf}{year}?day={day}"


def _key(href: str) -> str:
    return href.rsplit("/", 1)[-1].removesuffix(".html")


def _links(dt: lxml_html.HtmlElement) -> tuple[list[str], list[lxml_html.HtmlElement]]:
    authors: list[str] = []
    anchors: list[lxml_html.HtmlElement] = []
    for sib in dt.itersiblings():
        if sib.tag == "dt":
            break
        if sib.tag != "dd":
            continue
        for inp in sib.xpath(".//input[@name='query' or @name='query_author']"):
            name = clean(inp.get("value"))
            if name:
                authors.append(name)
        anchors.extend(sib.xpath(".//a[@href]"))
    return authors, anchors


def parse_listing_html(body: bytes, page_url: str, conf: str, year: int) -> list[PaperRecord]:
    """Every paper of a CVF listing with title, authors, PDF, supplementary and arXiv links."""
    if not body.strip():
        raise ParseError("cvf", page_url, "empty page")
    tree = parse_html(body)
    out = []
    titles = tree.xpath('//dt[@class="ptitle"]')
    check_complete("cvf", page_url, body, b'class="ptitle"', len(titles))
    for dt in titles:
        link = dt.xpath(".//a[@href]")
        if not link:
            continue
        page = urljoin(page_url, link[0].get("href"))
        authors, anchors = _links(dt)
        pdf = None
        urls = [page]
        code: list[str] = []
        arxiv_id = None
        for a in anchors:
            label = (clean(a.text_content()) or "").lower()
            href = urljoin(page_url, a.get("href"))
            if not href.startswith(("http://", "https://")) or href.endswith("#"):
                continue
            if label == "pdf":
                pdf = href
            elif label in ("supp", "arxiv", "video", "code", "project"):
                urls.append(href)
                if label == "code":
                    code.append(href)
                match = ARXIV_RE.search(href)
                if match:
                    arxiv_id = match.group(1)
        out.append(
            PaperRecord(
                source="cvf",
                source_id=f"{conf}{year}/{_key(page)}",
                venue=conf,
                year=year,
                title=clean(link[0].text_content()),
                authors=tuple(authors),
                pdf_url=pdf,
                arxiv_id=arxiv_id,
                urls=tuple(urls),
                track=conf,
                code_urls=tuple(dict.fromkeys(code)),
            )
        )
    return out


def parse_day_links(body: bytes, page_url: str) -> list[str]:
    """Per-day listing URLs linked from a conference index page (none on a `day=all` page)."""
    tree = parse_html(body)
    days = []
    for href in tree.xpath("//a/@href"):
        match = DAY_RE.search(href)
        if match and urljoin(page_url, href) not in days:
            days.append(urljoin(page_url, href))
    return days


def _conf(spec: CrawlSpec) -> str:
    conf = (spec.track or spec.venue or "CVPR").upper()
    if conf not in CONFERENCES:
        raise UsageError(f"cvf conference must be one of {', '.join(CONFERENCES)} (--track)")
    if spec.year is None:
        raise UsageError("cvf needs --year, e.g. miner crawl cvf --year 2020 --track CVPR")
    return conf


class CvfSource:
    """openaccess.thecvf.com; `--track CVPR|ICCV|WACV` (default CVPR)."""

    name = "cvf"

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Papers of one stored listing page."""
        return parse_listing_html(body, url, _conf(spec), spec.year or 0)

    def listed(self, url: str, body: bytes, spec: CrawlSpec) -> Listed:
        """Papers parsed against the `dt.ptitle` entries marked up in the raw page."""
        entries = len(self.parse(url, body, spec))
        return Listed(entries, len(MARKED_RE.findall(body)), "entries marked up")

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """`?day=all`; if it lists no papers but links days, each day page."""
        conf = _conf(spec)
        url = listing_url(conf, spec.year or 0)
        body = get(url, None).body
        records = self.parse(url, body, spec)
        if records:
            yield from records
            return
        for day_url in parse_day_links(body, url):
            yield from self.parse(day_url, get(day_url, None).body, spec)
