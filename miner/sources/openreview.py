"""OpenReview accepted papers through its public API, v1 and v2 (pure parse + paginated crawl).

Built from the public API documentation (docs.openreview.net), not from recorded responses: none
exist in the shared fixtures. Shapes handled:

* API v1 (`api.openreview.net`, ICLR <= 2023, NeurIPS/ICML <= 2022):
  `GET /notes?invitation=<Venue>/-/Blind_Submission&details=directReplies&offset=&limit=` ->
  `{"notes": [{"id", "forum", "number", "content": {"title": "...", "authors": [...],
  "abstract", "pdf": "/pdf/<sha1>.pdf", "venueid", "venue", "code"?}, "details":
  {"directReplies": [{"invitation": ".../-/Decision", "content": {"decision": "Accept (Poster)"}}]}}],
  "count": N}` (N counts every submission, accepted or not).
* API v2 (`api2.openreview.net`, later years): `GET /notes?content.venueid=<Venue>&offset=&limit=`
  selects accepted papers; every content field is wrapped: `{"title": {"value": "..."}}`.
* `content.code` / `code_link` (a URL or Markdown around one) is the authors' code: `code_urls`;
  `community_implementations` (third-party code found by Papers with Code) is not read.
* Which notes are accepted, per venue and year, and their track: miner.sources.openreview_decisions.
* Paging: `offset`/`limit` (at most 1000) until a short page or `count` is reached, at most
  MAX_PAGES pages, and never past a page that repeats the previous one.
* Shapes are checked field by field (miner.sources.shapes): a wrong one is a ParseError naming it.
* Rate limit: HTTP 429 with a JSON body `{"name": "RateLimitError", "status": 429, "details":
  {"resetTime": "<ISO time>", ...}}`; miner.http waits until resetTime (or Retry-After).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from miner.errors import ParseError, UsageError
from miner.extract.codeurls import urls_in_field
from miner.records import PaperRecord
from miner.sources import shapes
from miner.sources.openreview_decisions import deciding_signal, judge, value
from miner.sources.source import CrawlSpec, GetPage, Listed

API_V1 = "https://api.openreview.net"
API_V2 = "https://api2.openreview.net"
SITE = "https://openreview.net"
PAGE_SIZE = 1000
MAX_PAGES = 100
"""Hard stop for paging (100,000 notes at the API's largest page; ICLR 2025 had ~11,700)."""
VENUES = {"ICLR": "ICLR.cc", "NEURIPS": "NeurIPS.cc", "ICML": "ICML.cc"}
LAST_V1_YEAR = {"ICLR": 2023, "NEURIPS": 2022, "ICML": 2022}
"""The last year each venue ran on API v1; later years are on API v2."""


def venue_id(venue: str, year: int) -> str:
    """E.g. ICLR.cc/2024/Conference."""
    return f"{VENUES[venue]}/{year}/Conference"


def api_version(venue: str, year: int) -> int:
    """1 for venues and years hosted on the old API, else 2."""
    return 1 if year <= LAST_V1_YEAR[venue] else 2


def notes_request(
    venue: str, year: int, offset: int, limit: int = PAGE_SIZE
) -> tuple[str, dict[str, str | int]]:
    """URL and query parameters of one page of notes."""
    vid = venue_id(venue, year)
    if api_version(venue, year) == 1:
        params: dict[str, str | int] = {
            "invitation": f"{vid}/-/Blind_Submission",
            "details": "directReplies",
        }
        base = API_V1
    else:
        params = {"content.venueid": vid}
        base = API_V2
    params.update(offset=offset, limit=limit)
    return f"{base}/notes", params


def _load(body: bytes | str, where: str) -> dict[str, Any]:
    """The response object; ParseError for non-JSON, too deeply nested JSON or a non-object."""
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError("openreview", where, f"not a notes response: {exc}") from exc
    if not isinstance(data, dict):
        raise ParseError("openreview", where, f"expected an object, got {type(data).__name__}")
    return data


def _object(value: Any, field: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ParseError("openreview", field, f"expected an object, got {type(value).__name__}")
    return value


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ParseError("openreview", field, f"expected a list, got {type(value).__name__}")
    return value


def _replies(note: dict[str, Any], field: str) -> list[dict[str, Any]]:
    details = _object(note.get("details"), f"{field}.details")
    out = []
    for key in ("directReplies", "replies"):
        for j, reply in enumerate(_list(details.get(key), f"{field}.details.{key}")):
            out.append(_object(reply, f"{field}.details.{key}[{j}]"))
    return out


def _pdf_url(note_id: str, pdf: Any) -> str:
    if isinstance(pdf, str) and pdf.startswith("/pdf"):
        return SITE + pdf
    return f"{SITE}/pdf?id={note_id}"


def _record(
    note: dict[str, Any],
    content: dict[str, Any],
    field: str,
    venue: str,
    year: int,
    track: str | None,
) -> PaperRecord:
    note_id = shapes.ident("openreview", f"{field}.id", note.get("forum") or note.get("id"))
    code = [
        shapes.text("openreview", f"{field}.content.{k}", value(content, k))
        for k in ("code", "code_link")
    ]
    return PaperRecord(
        source="openreview",
        source_id=note_id,
        venue="NeurIPS" if venue == "NEURIPS" else venue,
        year=year,
        title=shapes.text("openreview", f"{field}.content.title", value(content, "title")),
        authors=shapes.strings("openreview", f"{field}.content.authors", value(content, "authors")),
        abstract=shapes.text("openreview", f"{field}.content.abstract", value(content, "abstract")),
        pdf_url=_pdf_url(note_id, value(content, "pdf")),
        openreview_id=note_id,
        urls=(f"{SITE}/forum?id={note_id}", *[c for c in code if c]),
        track=track,
        code_urls=tuple(dict.fromkeys(u for c in code for u in urls_in_field(c))),
    )


@dataclass(frozen=True, slots=True)
class NotesPage:
    """One parsed page of notes."""

    records: list[PaperRecord]
    """The accepted papers."""
    ids: tuple[str, ...]
    """Every note's id, in page order (to see a page repeat)."""
    count: int | None
    """The response's `count` (all notes the query selects), when given."""
    outcomes: Counter[str]
    """accepted / rejected / withdrawn / desk_rejected / undecided per note."""


def parse_notes(body: bytes | str, venue: str, year: int) -> NotesPage:
    """The accepted papers of one page of notes, with every note's verdict and `count`.

    Raises ParseError naming the field when the response has the wrong shape.
    """
    data = _load(body, f"{venue} {year}")
    notes = data.get("notes")
    if not isinstance(notes, list):
        raise ParseError("openreview", "notes", f"expected a list, got {type(notes).__name__}")
    count = data.get("count")
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 0):
        raise ParseError("openreview", "count", f"not a count: {str(count)[:40]!r}")
    vid = venue_id(venue, year)
    deciding = deciding_signal(venue, year, api_version(venue, year))
    records, ids, outcomes = [], [], Counter[str]()
    for i, raw in enumerate(notes):
        field = f"notes[{i}]"
        note = _object(raw, field)
        content = _object(note.get("content"), f"{field}.content")
        ids.append(shapes.ident("openreview", f"{field}.id", note.get("id") or note.get("forum")))
        verdict = judge(content, _replies(note, field), vid, deciding)
        outcomes[verdict.outcome] += 1
        if verdict.outcome == "accepted":
            records.append(_record(note, content, field, venue, year, verdict.track))
    return NotesPage(records, tuple(ids), count, outcomes)


def _venue(spec: CrawlSpec) -> tuple[str, int]:
    venue = (spec.venue or "ICLR").upper()
    if venue not in VENUES:
        raise UsageError("openreview --venue must be ICLR, NeurIPS or ICML")
    if spec.year is None or spec.year < 2013:
        raise UsageError("openreview needs --year (2013 or later)")
    return venue, spec.year


class OpenReviewSource:
    """Accepted papers of ICLR / NeurIPS / ICML on openreview.net (`--venue`, default ICLR)."""

    name = "openreview"

    def __init__(self, page_size: int = PAGE_SIZE, max_pages: int = MAX_PAGES) -> None:
        self.page_size, self.max_pages = page_size, max_pages

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Accepted papers of one stored page of notes."""
        venue, year = _venue(spec)
        return parse_notes(body, venue, year).records

    def listed(self, url: str, body: bytes, spec: CrawlSpec) -> Listed:
        """The page's notes (every verdict) and the response's `count`."""
        venue, year = _venue(spec)
        page = parse_notes(body, venue, year)
        return Listed(len(page.ids), page.count, "count", per_page=False)

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """Page through the notes with offset/limit until a short page or the total count.

        Raises ParseError when a page repeats the previous one (the server ignored offset) or
        after max_pages pages without reaching the end: paging never runs on unbounded.
        """
        venue, year = _venue(spec)
        offset, previous = 0, None
        for _ in range(self.max_pages):
            url, params = notes_request(venue, year, offset, self.page_size)
            page = parse_notes(get(url, params).body, venue, year)
            if page.ids and page.ids == previous:
                raise ParseError("openreview", "paging", f"page at offset {offset} repeats")
            previous = page.ids
            yield from page.records
            offset += len(page.ids)
            if len(page.ids) < self.page_size or (page.count is not None and offset >= page.count):
                return
        raise ParseError(
            "openreview", "paging", f"no end after {self.max_pages} pages ({offset} notes)"
        )
