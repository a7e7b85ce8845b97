"""What the extract and classify stages have left to do, read a page at a time (DB reads only).

Rows come back as plain tuples, never ORM objects, so nothing accumulates in the writing session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from db.schema import CodeLink, Extraction, Paper, PdfDocument
from db.store import select_pending_classification, select_pending_extraction
from miner.records import Link

ExtractRow = tuple[int, str | None, str | None]
"""(paper id, pdf sha256, path of the PDF on disk or fsspec URL)."""
ClassifyRow = tuple[int, str, bytes | None, str, str | None, int, str | None]
"""(paper id, extractor version, blocks_z, status, error, pages, title) of one extraction."""


@dataclass(frozen=True, slots=True)
class Queue:
    """Items still needing a stage, for db.leases: `ids` selects their ids from `column`."""

    ids: Select[Any]
    column: Any


def extraction_queue(version: str, force: bool = False) -> Queue:
    """Papers waiting for an extraction of this version."""
    return Queue(select_pending_extraction(version, force).with_only_columns(Paper.id), Paper.id)


def classification_queue(
    extractor_version: str, classifier: str, version: str, force: bool = False
) -> Queue:
    """Extractions waiting for predictions of this classifier version."""
    stmt = select_pending_classification(extractor_version, classifier, version, force)
    return Queue(stmt.with_only_columns(Extraction.paper_id), Extraction.paper_id)


def extract_rows(
    session: Session,
    version: str,
    *,
    force: bool,
    after: int,
    limit: int,
    ids: list[int] | None = None,
) -> list[ExtractRow]:
    """Up to `limit` papers pending extraction with an id above `after` (and in `ids`), by id."""
    stmt = (
        select_pending_extraction(version, force)
        .with_only_columns(Paper.id, Paper.pdf_sha256, Paper.file_path, PdfDocument.path)
        .outerjoin(PdfDocument, PdfDocument.sha256 == Paper.pdf_sha256)
        .where(Paper.id > after)
        .limit(limit)
    )
    if ids is not None:
        stmt = stmt.where(Paper.id.in_(ids))
    return [
        (pid, sha, pdf_path or file_path) for pid, sha, file_path, pdf_path in session.execute(stmt)
    ]


def classify_rows(
    session: Session,
    extractor_version: str,
    classifier: str,
    version: str,
    *,
    force: bool,
    after: int,
    limit: int,
    ids: list[int] | None = None,
) -> list[ClassifyRow]:
    """Up to `limit` extractions pending classification with a paper id above `after` (and in
    `ids`), by id."""
    stmt = (
        select_pending_classification(extractor_version, classifier, version, force)
        .with_only_columns(
            Extraction.paper_id,
            Extraction.extractor_version,
            Extraction.blocks_z,
            Extraction.status,
            Extraction.error,
            Extraction.pages,
            Extraction.title,
        )
        .where(Extraction.paper_id > after)
        .limit(limit)
    )
    if ids is not None:
        stmt = stmt.where(Extraction.paper_id.in_(ids))
    return [tuple(row) for row in session.execute(stmt)]  # type: ignore[misc]


def links_by_paper(
    session: Session, ids: list[int], extractor_version: str
) -> dict[int, list[Link]]:
    """The stored links of these papers' extractions, in extraction order."""
    cols = (CodeLink.paper_id, CodeLink.url, CodeLink.kind, CodeLink.host, CodeLink.page)
    more = (CodeLink.origin, CodeLink.own, CodeLink.section, CodeLink.raw)
    stmt = (
        select(*cols, *more)
        .where(CodeLink.paper_id.in_(ids), CodeLink.extractor_version == extractor_version)
        .order_by(CodeLink.id)
    )
    out: dict[int, list[Link]] = {}
    for paper_id, url, kind, host, page, origin, own, section, raw in session.execute(stmt):
        out.setdefault(paper_id, []).append(
            Link(
                url=url,
                kind=kind,
                host=host,
                page=page,
                origin=origin,
                own=own,
                section=section,
                raw=raw,
            )
        )
    return out


def count_pending_extraction(session: Session, version: str) -> int:
    """How many papers wait for an extraction of this version."""
    pending = select_pending_extraction(version).subquery()
    return session.scalar(select(func.count()).select_from(pending)) or 0
