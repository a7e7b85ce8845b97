"""What every source provides: a crawl spec, a page getter, and the Source protocol (no IO here).

A source's `crawl(get, spec)` asks `get(url)` for each listing page (the caller fetches it, or
replays the stored raw payload when resuming) and yields the papers parsed from it; `parse(url,
body, spec)` is pure and is what `miner reparse` runs again on stored payloads.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import urljoin, urlsplit

from miner.records import PaperRecord

CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
HOST_RE = re.compile(r"^(?:www\.)?[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}(?:/|$)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class CrawlSpec:
    """What to crawl: a source plus venue coordinates (only the ones the source uses)."""

    source: str
    year: int | None = None
    track: str | None = None
    """neurips: main | datasets_and_benchmarks | position; cvf: CVPR | ICCV | WACV; acl: volume id."""
    volume: int | None = None
    """pmlr: volume number (overrides the ICML year map)."""
    venue: str | None = None
    """openreview: ICLR | NeurIPS | ICML (default ICLR); acl: event such as acl, emnlp, naacl."""
    category: str | None = None
    """arxiv: category such as cs.LG."""
    date_from: str | None = None
    """arxiv: first submission date YYYY-MM-DD (inclusive)."""
    date_to: str | None = None
    """arxiv: last submission date YYYY-MM-DD (inclusive)."""
    ids: tuple[str, ...] = ()
    """arxiv: explicit id list instead of a category query."""
    limit: int | None = None

    @property
    def scope(self) -> str:
        """A stable key naming this crawl in crawl_state, e.g. `neurips year=2019`."""
        parts = [
            f"{k}={v}"
            for k, v in (
                ("year", self.year),
                ("track", self.track),
                ("volume", self.volume),
                ("venue", self.venue),
                ("category", self.category),
                ("from", self.date_from),
                ("to", self.date_to),
                ("ids", ",".join(self.ids) or None),
            )
            if v is not None
        ]
        return " ".join([self.source, *parts])


def spec_dict(spec: CrawlSpec) -> dict[str, Any]:
    """A JSON-able copy of spec (ids as a list): a run's args, a raw payload's spec."""
    data = dataclasses.asdict(spec)
    data["ids"] = list(spec.ids)
    return data


def spec_from_dict(data: Mapping[str, Any]) -> CrawlSpec:
    """Inverse of spec_dict, ignoring unknown keys."""
    fields = {f.name for f in dataclasses.fields(CrawlSpec)}
    kwargs = {k: v for k, v in data.items() if k in fields}
    kwargs["ids"] = tuple(kwargs.get("ids") or ())
    return CrawlSpec(**kwargs)


@dataclass(frozen=True, slots=True)
class Page:
    """A listing response as the getter returns it."""

    url: str
    status: int
    body: bytes
    content_type: str = ""


@dataclass(frozen=True, slots=True)
class Listed:
    """What one listing page says about itself, for the completeness check."""

    entries: int
    """Entries the page holds as the parser reads them, before any filter (track, accepted)."""
    stated: int | None = None
    """The count the source itself gives: arXiv totalResults, OpenReview count, a printed count,
    or the entries marked up in the raw page (None when it gives nothing)."""
    label: str = ""
    """What `stated` is, e.g. `totalResults` or `printed count`."""
    per_page: bool = True
    """stated counts this page (pages add up), else the whole query (arXiv, OpenReview)."""


class GetPage(Protocol):
    """get(url, params, fresh=False) -> Page; raises FetchError when the page cannot be had.

    fresh=True fetches again instead of replaying a stored page (a source retrying a page it
    found short or empty); the new response replaces the stored one.
    """

    def __call__(
        self, url: str, params: Mapping[str, str | int] | None = None, *, fresh: bool = False
    ) -> Page: ...


class Source(Protocol):
    """A venue or archive the crawler knows."""

    name: str

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """Yield every paper the spec selects, fetching listing pages through get."""
        ...

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Papers in one stored listing page (pure)."""
        ...

    def listed(self, url: str, body: bytes, spec: CrawlSpec) -> Listed:
        """What one stored listing page says about its own size (pure)."""
        ...


def link_url(href: str | None, page_url: str) -> str | None:
    """An absolute http(s) URL for a listing's href, or None for junk.

    Listings hold author-typed links such as `github.com/apple/ml-predict` (no scheme) or `.`;
    a scheme-less href whose first segment looks like a host name gets `https://`.
    """
    href = re.sub(r"\s+", "", href or "")  # "https: //github.com/..." occurs
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    if "://" not in href and HOST_RE.match(href):
        return "https://" + href
    url = urljoin(page_url, href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    if not href.startswith(("http://", "https://", "/")):
        return None  # a bare relative word ("NTg1N", ".") is not a link anybody meant
    return url


def clean(text: str | None) -> str | None:
    """Collapse whitespace and drop control characters (NUL...); None for empty."""
    if text is None:
        return None
    out = " ".join(CONTROL_RE.sub(" ", text).split())
    return out or None
