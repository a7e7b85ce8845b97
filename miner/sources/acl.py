"""ACL Anthology collection XML (acl-org/acl-anthology `data/xml/<collection>.xml`) (pure + crawl).

One file per event and year (`2022.acl`, `2022.naloma`) holds its volumes (`long`, `short`, ...) and
papers with title, authors, abstract, `<url>` (the Anthology id) and `<pwccode>` code links.
Collections named `<year>.<event>` exist from 2020 on; older events use letter ids (P19, N18...).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from miner.errors import ParseError, UsageError
from miner.records import PaperRecord
from miner.sources import shapes
from miner.sources.source import CrawlSpec, GetPage, Listed, clean

XML_BASE = "https://raw.githubusercontent.com/acl-org/acl-anthology/master/data/xml"
SITE = "https://aclanthology.org"
EVENT_RE = re.compile(r"^[a-z][a-z0-9-]*$")


def collection_url(collection: str) -> str:
    """The collection XML, e.g. .../data/xml/2022.acl.xml."""
    return f"{XML_BASE}/{collection}.xml"


def _text(el: etree._Element | None) -> str | None:
    return clean("".join(el.itertext())) if el is not None else None


def _author(el: etree._Element) -> str | None:
    return clean(f"{_text(el.find('first')) or ''} {_text(el.find('last')) or ''}")


def _root(body: bytes) -> etree._Element:
    try:
        return etree.fromstring(
            body, parser=etree.XMLParser(resolve_entities=False, no_network=True)
        )
    except etree.XMLSyntaxError as exc:
        raise ParseError("acl", "collection", f"bad XML: {exc}") from exc


def parse_collection_xml(body: bytes, volume: str | None = None) -> list[PaperRecord]:
    """Every paper of a collection (or of one volume id), with abstract and `<pwccode>` links.

    Raises ParseError on bad XML, a year that is not four ASCII digits, or an unusable id.
    """
    root = _root(body)
    collection = root.get("id", "")
    event = collection.split(".", 1)[-1]
    out = []
    for vol in root.iter("volume"):
        if volume and vol.get("id") != volume:
            continue
        meta = vol.find("meta")
        year_text = _text(meta.find("year")) if meta is not None else None
        year = shapes.year("acl", f"volume {vol.get('id')}.meta.year", year_text)
        for i, paper in enumerate(vol.iter("paper")):
            url = _text(paper.find("url"))
            if not url:
                continue
            anthology_id = shapes.ident("acl", f"volume {vol.get('id')}.paper[{i}].url", url)
            code = [c.get("url") for c in paper.iter("pwccode") if c.get("url")]
            out.append(
                PaperRecord(
                    source="acl",
                    source_id=anthology_id,
                    venue=event.upper(),
                    year=year,
                    title=_text(paper.find("title")),
                    authors=tuple(a for a in map(_author, paper.iter("author")) if a),
                    abstract=_text(paper.find("abstract")),
                    pdf_url=f"{SITE}/{anthology_id}.pdf",
                    urls=(f"{SITE}/{anthology_id}/", *[c for c in code if c]),
                    track=vol.get("id"),
                    code_urls=tuple(dict.fromkeys(c for c in code if c)),
                )
            )
    return out


def _collection(spec: CrawlSpec) -> str:
    event = (spec.venue or "acl").lower()
    if not EVENT_RE.match(event):
        raise UsageError(f"acl event {event!r} should look like acl, emnlp, naacl (--venue)")
    if spec.year is None or spec.year < 2020:
        raise UsageError("acl needs --year 2020 or later (older collections use letter ids)")
    return f"{spec.year}.{event}"


class AclSource:
    """ACL Anthology collection `<year>.<event>`; `--venue EVENT`, `--track VOLUME` (e.g. long)."""

    name = "acl"

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Papers of one stored collection XML."""
        return parse_collection_xml(body, spec.track)

    def listed(self, url: str, body: bytes, spec: CrawlSpec) -> Listed:
        """Papers of every volume, against the collection's `<paper>` elements."""
        stated = sum(1 for _ in _root(body).iter("paper"))
        return Listed(len(parse_collection_xml(body)), stated, "<paper> elements")

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """One request: the collection XML."""
        url = collection_url(_collection(spec))
        yield from self.parse(url, get(url, None).body, spec)
