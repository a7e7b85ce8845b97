"""OpenReview accepted papers through its public API, v1 and v2 (pure parse + paginated crawl).

Built from the public API documentation (docs.openreview.net), not from recorded responses: none
exist in the shared fixtures. Shapes handled:

* API v1 (`api.openreview.net`, ICLR <= 2023, NeurIPS/ICML <= 2022):
  `GET /notes?invitation=<Venue>/-/Blind_Submission&details=directReplies&offset=&limit=` ->
  `{"notes": [{"id", "forum", "number", "content": {"title": "...", "authors": [...],
  "abstract", "pdf": "/pdf/<sha1>.pdf", "venueid", "venue", "code"?}, "details":
  {"directReplies": [{"invitation": ".../-/Decision", "content": {"decision": "Accept (Poster)"}}]}}],
  "count": N}`. A paper is accepted when `content.venueid` is the venue id, or, for years whose
  notes lack it, when a Decision reply starts with `Accept`.
* API v2 (`api2.openreview.net`, later years): `GET /notes?content.venueid=<Venue>&offset=&limit=`
  returns only accepted papers; every content field is wrapped: `{"title": {"value": "..."}}`.
* Paging: `offset`/`limit` (at most 1000) until a short page or `count` is reached.
* Rate limit: HTTP 429 with a JSON body `{"name": "RateLimitError", "status": 429, "details":
  {"resetTime": "<ISO time>", ...}}`; miner.http waits until resetTime (or Retry-After).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

from miner.errors import ParseError, UsageError
from miner.records import PaperRecord
from miner.sources.source import CrawlSpec, GetPage, clean

API_V1 = "https://api.openreview.net"
API_V2 = "https://api2.openreview.net"
SITE = "https://openreview.net"
PAGE_SIZE = 1000
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


def _value(content: Mapping[str, Any], key: str) -> Any:
    """A content field in either shape: v1 plain value, v2 `{"value": ...}`."""
    raw = content.get(key)
    if isinstance(raw, dict):
        return raw.get("value")
    return raw


def _accepted_v1(note: Mapping[str, Any], vid: str) -> bool:
    content = note.get("content") or {}
    venueid = _value(content, "venueid")
    if venueid:
        return bool(venueid == vid)
    for reply in (note.get("details") or {}).get("directReplies") or []:
        if str(reply.get("invitation", "")).endswith("Decision"):
            decision = _value(reply.get("content") or {}, "decision") or ""
            return str(decision).lower().startswith("accept")
    return False


def _pdf_url(note_id: str, pdf: Any) -> str:
    if isinstance(pdf, str) and pdf.startswith("/pdf"):
        return SITE + pdf
    return f"{SITE}/pdf?id={note_id}"


def parse_notes(
    body: bytes | str, venue: str, year: int
) -> tuple[list[PaperRecord], int, int | None]:
    """Accepted papers in one page of notes, plus the page's note count and the total `count`."""
    try:
        data = json.loads(body)
        notes = data["notes"]
    except (ValueError, KeyError, TypeError) as exc:
        raise ParseError("openreview", f"{venue} {year}", f"not a notes response: {exc}") from exc
    vid = venue_id(venue, year)
    v1 = api_version(venue, year) == 1
    out = []
    for note in notes:
        content = note.get("content") or {}
        if v1 and not _accepted_v1(note, vid):
            continue
        if not v1 and _value(content, "venueid") not in (None, vid):
            continue
        note_id = str(note.get("forum") or note.get("id"))
        code = [
            c for c in (_value(content, k) for k in ("code", "code_link")) if isinstance(c, str)
        ]
        authors = _value(content, "authors") or []
        out.append(
            PaperRecord(
                source="openreview",
                source_id=note_id,
                venue="NeurIPS" if venue == "NEURIPS" else venue,
                year=year,
                title=clean(_value(content, "title")),
                authors=tuple(a for a in (clean(str(x)) for x in authors) if a),
                abstract=clean(_value(content, "abstract")),
                pdf_url=_pdf_url(note_id, _value(content, "pdf")),
                openreview_id=note_id,
                urls=(f"{SITE}/forum?id={note_id}", *[c.strip() for c in code if c.strip()]),
                track=clean(_value(content, "venue")),
            )
        )
    total = data.get("count")
    return out, len(notes), int(total) if isinstance(total, int) else None


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

    def __init__(self, page_size: int = PAGE_SIZE) -> None:
        self.page_size = page_size

    def parse(self, url: str, body: bytes, spec: CrawlSpec) -> list[PaperRecord]:
        """Accepted papers of one stored page of notes."""
        venue, year = _venue(spec)
        return parse_notes(body, venue, year)[0]

    def crawl(self, get: GetPage, spec: CrawlSpec) -> Iterator[PaperRecord]:
        """Page through the notes with offset/limit until a short page or the total count."""
        venue, year = _venue(spec)
        offset = 0
        while True:
            url, params = notes_request(venue, year, offset, self.page_size)
            records, n, total = parse_notes(get(url, params).body, venue, year)
            yield from records
            offset += n
            if n < self.page_size or (total is not None and offset >= total):
                return
