"""PMLR volumes (proceedings.mlr.press/v{N}/): ICML and any other volume (pure parse + crawl).

Every volume page lists `<div class="paper">` entries with title, authors, info (`PMLR 97:1-10`) and
links: abs, Download PDF, Supplementary, Code / Software (the authors' code), OpenReview.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

from lxml import html as lxml_html

from miner.errors import ParseError, UsageError
from miner.records import PaperRecord
from miner.sources.htmlpage import check_complete, parse_html
from miner.sources.source import CrawlSpec, GetPage, Listed, clean, link_url

SITE = "https://proceedings.mlr.press"
ICML_VOLUMES: dict[int, int] = {
    2013: 28,
    2014: 32,
    2015: 37,
    2016: 48,
    2017: 70,
    2018: 80,
    2019: 97,
    2020: 119,
    2021: 139,
    2022: 162,
    2023: 202,
    2024: 235,
    2025: 267,
}
"""ICML year -> PMLR volume (the proceedings' own numbering)."""
CODE_LABELS = {"code", "software", "code for experiments"}
YEAR_RE = re.compile(r"\b(?:19|20)\d{2}\b")
MARKED_RE = re.compile(rb'<div class="paper">')
KEY_RE = re.compile(r"/v(\d+)/([^/]+?)\.html$")


def volume_url(volume: int) -> str:
    """The listing of a volume, e.g. https://proceedings.mlr.press/v97/."""
    return f"{SITE}/v{volume}/"


def resolve_volume(spec: CrawlSpec) -> int:
    """--volume wins; else the ICML volume of --year."""
    if spec.volume:
        return spec.volume
    if spec.year in ICML_VOLUMES:
        return ICML_VOLUMES[spec.year]
    raise UsageError(
        f"no ICML volume known for year {spec.year}; pass --volume N "
        f"(ICML years: {min(ICML_VOLUMES)}-{max(ICML_VOLUMES)})"
    )


def _venue_year(tree: lxml_html.HtmlElement, volume: int) -> tuple[str, int | None]:
    for year, vol in ICML_VOLUMES.items():
        if vol == volume:
            return "ICML", year
    title = " ".join(tree.xpath("//title/text()"))
    match = YEAR_RE.search(title.split("Held in", 1)[-1])
    return f"PMLR v{volume}", int(match.group()) if match else None


def _openreview_id(url: str) -> str | None:
    parts = urlsplit(url)
    if parts.netloc.endswith("openreview.net"):
        ids = parse_qs(parts.query).get("id")
        return ids[0] if ids else None
    return None


def parse_volume_html(body: bytes, volume: int) -> list[PaperRecord]:
    """Every paper of a volume page with title, authors, PDF, abs, supplementary and code links."""
    if not body.strip():
        raise ParseError("pmlr", f"v{volume}", "empty page")
    tree = parse_html(body)
    venue, year = _venue_year(tree, volume)
    out = []
    papers = [div for div in tree.iter("div") if div.get("class") == "paper"]
    check_complete("pmlr", f"v{volume}", body, b'class="paper"', len(papers))
    for div in papers:
        parts = {el.get("class"): el for el in div.iter("p", "span") if el.get("class")}
        title = clean(parts["title"].text_content()) if "title" in parts else None
        authors_text = parts["authors"].text_content() if "authors" in parts else ""
        authors = tuple(a for a in (clean(x) for x in authors_text.split(",")) if a)
        pdf = abs_url = openreview = None
        urls: list[str] = []
        code: list[str] = []
        anchors = parts["links"].iter("a") if "links" in parts else iter(())
        for a in anchors:
            label = (clean(a.text_content()) or "").lower()
            href = link_url(a.get("href"), volume_url(volume))
            if not href:
                continue
            if label == "download pdf":
                pdf = href
            elif label == "abs":
                abs_url = href
            elif label in CODE_LABELS:
                code.append(href)
            elif label == "openreview":
                openreview = _openreview_id(href)
                urls.append(href)
            elif label not in ("edit", "bib", "citeproc"):
                urls.append(href)
        key_match = KEY_RE.search(abs_url or "")
        key = key_match.group(2) if key_match else (pdf or title or "").rsplit("/", 1)[-1]
        out.append(
            PaperRecord(
                source="pmlr",
                source_id=f"v{volume}/{key}",
                venue=venue,
                year=year,
                title=title,
                authors=authors,
                pdf_url=pdf,
                openreview_id=openreview,
                urls=tuple([u for u in [abs_url] if u] + code + urls),
                track=f"v{volume}",
                code_urls=tuple(dict.fromkeys(code)),
            )
        )
    return out


class PmlrSource:
    """proceedings.mlr.press volume listing; `--year` means ICML of that year."""

    name = "pmlr"

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Papers of one stored volume page."""
        return parse_volume_html(body, resolve_volume(spec))

    def listed(self, url: str, body: bytes, spec: CrawlSpec) -> Listed:
        """Papers parsed against the `div.paper` entries marked up in the raw page."""
        entries = len(self.parse(url, body, spec))
        return Listed(entries, len(MARKED_RE.findall(body)), "entries marked up")

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """One request: the volume page."""
        url = volume_url(resolve_volume(spec))
        yield from self.parse(url, get(url, None).body, spec)
