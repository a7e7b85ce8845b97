"""Crawl and fetch storage: raw payloads, crawl state, the fetch queue and its results (DB IO)."""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from db.pending import Queue
from db.schema import CrawlState, Paper, RawPayload
from db.store import now, upsert, upsert_pdf


@dataclass(frozen=True, slots=True)
class StoredPage:
    """A raw payload read back from the database."""

    url: str
    source: str
    scope: str
    spec: dict[str, Any]
    status: int
    content_type: str
    body: bytes


def save_raw(
    session: Session,
    *,
    url: str,
    source: str,
    scope: str,
    spec: dict[str, Any],
    status: int,
    content_type: str,
    body: bytes,
) -> None:
    """Keep a response body compressed under its URL (replaced when fetched again)."""
    row = {
        "url": url,
        "source": source,
        "scope": scope,
        "spec": spec,
        "status": status,
        "content_type": content_type,
        "fetched_at": now(),
        "sha256": hashlib.sha256(body).hexdigest(),
        "size": len(body),
        "body_z": zlib.compress(body, 6),
    }
    upsert(session, RawPayload, [row], ["url"])


def _page(row: RawPayload) -> StoredPage:
    return StoredPage(
        url=row.url,
        source=row.source,
        scope=row.scope,
        spec=dict(row.spec or {}),
        status=row.status,
        content_type=row.content_type,
        body=zlib.decompress(row.body_z),
    )


def load_raw(session: Session, url: str) -> StoredPage | None:
    """The stored response for url, if any."""
    row = session.scalar(select(RawPayload).where(RawPayload.url == url))
    return _page(row) if row else None


def iter_raw(session: Session, source: str | None = None) -> Iterator[StoredPage]:
    """Every stored payload (of one source), oldest first."""
    stmt = select(RawPayload).order_by(RawPayload.id)
    if source:
        stmt = stmt.where(RawPayload.source == source)
    for row in session.scalars(stmt):
        yield _page(row)


def mark_parsed(session: Session, url: str, parser_version: str) -> None:
    """Record which parser version last read this payload."""
    session.execute(
        update(RawPayload).where(RawPayload.url == url).values(parser_version=parser_version)
    )


def paper_counts(
    session: Session, source: str, venue_years: Iterable[tuple[str, int]]
) -> dict[tuple[str, int, str | None], int]:
    """Papers of a source per (venue, year, track), and per (venue, year, None) in all, for the
    given venues and years (the completeness check's database side)."""
    out: dict[tuple[str, int, str | None], int] = {}
    for venue, year in set(venue_years):
        rows = session.execute(
            select(Paper.track, func.count())
            .where(Paper.source == source, Paper.venue == venue, Paper.year == year)
            .group_by(Paper.track)
        ).all()
        out[(venue, year, None)] = sum(n for _, n in rows)
        out.update({(venue, year, track): n for track, n in rows if track is not None})
    return out


def set_crawl_state(
    session: Session,
    source: str,
    scope: str,
    status: str,
    pages: int = 0,
    papers: int = 0,
    error: str | None = None,
) -> None:
    """Upsert the state of one crawl."""
    row = {
        "source": source,
        "scope": scope,
        "status": status,
        "pages": pages,
        "papers": papers,
        "error": error,
        "started_at": now(),
        "updated_at": now(),
    }
    upsert(
        session,
        CrawlState,
        [row],
        ["source", "scope"],
        ["status", "pages", "papers", "error", "updated_at"],
    )


def select_pending_fetch(retry_failed: bool = False) -> Select[int, str | None]:
    """(paper id, pdf url) of papers whose PDF has not been downloaded yet."""
    statuses = ["pending", "failed"] if retry_failed else ["pending"]
    return (
        select(Paper.id, Paper.pdf_url)
        .where(Paper.pdf_url.is_not(None), Paper.fetch_status.in_(statuses))
        .order_by(Paper.id)
    )


def fetch_queue(retry_failed: bool = False) -> Queue:
    """Papers whose PDF is still to download, for db.leases (fetch takes leases, #18)."""
    return Queue(select_pending_fetch(retry_failed).with_only_columns(Paper.id), Paper.id)


def pending_fetch(
    session: Session, retry_failed: bool = False, limit: int | None = None
) -> list[tuple[int, str]]:
    """(paper id, pdf url) of up to `limit` papers whose PDF is still to download, by id."""
    rows = session.execute(select_pending_fetch(retry_failed).limit(limit)).all()
    return [(int(pid), str(url)) for pid, url in rows]


def save_fetch_ok(session: Session, paper_id: int, sha256: str, size: int, path: str) -> None:
    """A paper's PDF is in the cache: record it on the paper and in `pdfs`."""
    upsert_pdf(session, sha256, size, path)
    session.execute(
        update(Paper)
        .where(Paper.id == paper_id)
        .values(pdf_sha256=sha256, fetch_status="ok", fetch_error=None)
    )


def save_fetch_failed(session: Session, paper_id: int, error: str) -> None:
    """A paper's PDF could not be downloaded: keep the reason."""
    session.execute(
        update(Paper)
        .where(Paper.id == paper_id)
        .values(fetch_status="failed", fetch_error=error[:2000])
    )
