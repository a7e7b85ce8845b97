"""Records -> rows: idempotent upserts on natural keys, and the pending/select queries (DB IO)."""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import cache
from typing import Any, cast

from sqlalchemy import Select, Table, bindparam, delete, exists, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from db.schema import CodeLink, EvidenceRow, Extraction, Paper, PdfDocument, PredictionRow
from miner.records import Block, Evidence, ExtractedDoc, Link, PaperRecord, picklable
from miner.records import Prediction as PredictionRecord


def now() -> datetime:
    """Current UTC time (naive, as stored)."""
    return datetime.now(UTC).replace(tzinfo=None)


@cache
def _upsert_statement(
    dialect: str, model: type[Any], keys: tuple[str, ...], cols: tuple[str, ...]
) -> Any:
    """The INSERT ... ON CONFLICT statement, built once per table and columns: building it
    (the `excluded` columns above all) cost the single writer more than running it (#17).
    On the model's table: a Core executemany, not the ORM's bulk insert (the parent of a
    two-worker extract spent 0.56 s in Session.execute with it, 0.31 s without; attribute and
    column names are the same in db/schema.py)."""
    table = cast(Table, model.__table__)
    stmt: Any = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)
    if cols:
        return stmt.on_conflict_do_update(
            index_elements=list(keys), set_={c: getattr(stmt.excluded, c) for c in cols}
        )
    return stmt.on_conflict_do_nothing(index_elements=list(keys))


@cache
def _statements() -> dict[str, Any]:
    """The single writer's per-paper statements, built once with bound parameters (#17)."""
    links, pdfs, evidence = (cast(Table, m.__table__) for m in (CodeLink, PdfDocument, EvidenceRow))
    return {
        "delete_links": delete(links).where(
            links.c.paper_id == bindparam("p_id"),
            links.c.extractor_version == bindparam("p_version"),
        ),
        "insert_links": insert(links),  # Core executemany: the ORM's bulk insert cost 2x
        "insert_evidence": insert(evidence),
        "pdf_status": update(pdfs)
        .where(pdfs.c.sha256 == bindparam("p_sha"))
        .values(
            status=bindparam("p_status"), error=bindparam("p_error"), pages=bindparam("p_pages")
        ),
        "delete_evidence": delete(evidence).where(
            evidence.c.paper_id == bindparam("p_id"),
            evidence.c.classifier == bindparam("p_classifier"),
            evidence.c.classifier_version == bindparam("p_version"),
        ),
    }


def upsert(
    session: Session,
    model: type[Any],
    rows: Sequence[dict[str, Any]],
    keys: list[str],
    update: Iterable[str] | None = None,
) -> None:
    """INSERT ... ON CONFLICT (keys) DO UPDATE for SQLite and PostgreSQL."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    cols = tuple(update) if update is not None else tuple(c for c in rows[0] if c not in keys)
    stmt = _upsert_statement(dialect, cast(Any, model), tuple(keys), cols)
    # Parameters passed separately (executemany): the statement compiles once and is cached,
    # instead of once per call with the values inlined (#7: that was most of a stage's time).
    for start in range(0, len(rows), 500):
        session.execute(stmt, list(rows[start : start + 500]))


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
"""NUL and the other control characters (tab, newline and carriage return stay)."""


def strip_controls(value: Any) -> Any:
    """value with control characters removed from every string in it (str, list, tuple).

    A NUL in an id aborted a whole PostgreSQL batch, and the stored page blocked the crawl (#18).
    """
    if isinstance(value, str):
        return _CONTROL.sub("", value)
    if isinstance(value, list | tuple):
        return [strip_controls(v) for v in value]
    return value


def upsert_papers(session: Session, records: Sequence[PaperRecord]) -> int:
    """Insert or update papers on (source, source_id); returns how many rows were new.

    Control characters (NUL included) are stripped from every text field first.
    """
    if not records:
        return 0
    before = session.scalar(select(func.count()).select_from(Paper)) or 0
    rows = []
    for r in records:
        row: dict[str, Any] = {
            "source": r.source,
            "source_id": r.source_id,
            "venue": r.venue,
            "year": r.year,
            "track": r.track,
            "title": r.title,
            "authors": list(r.authors),
            "abstract": r.abstract,
            "urls": list(r.urls),
            "code_urls": list(r.code_urls),
            "arxiv_id": r.arxiv_id,
            "openreview_id": r.openreview_id,
            "pdf_url": r.pdf_url,
            "file_path": r.file_path,
            "file_name": r.file_name,
            "created_at": now(),
        }
        row = {k: strip_controls(v) for k, v in row.items()}
        if r.source == "local":
            row.update(pdf_sha256=r.source_id, fetch_status="local")
        rows.append(row)
    update = [c for c in rows[0] if c not in ("source", "source_id", "created_at")]
    upsert(session, Paper, rows, ["source", "source_id"], update)
    after = session.scalar(select(func.count()).select_from(Paper)) or 0
    return after - before


def listed_as(
    session: Session, source: str, source_id: str
) -> tuple[str | None, int | None] | None:
    """(venue, year) a paper is recorded with, or None when it is not in the database."""
    row = session.execute(
        select(Paper.venue, Paper.year).where(Paper.source == source, Paper.source_id == source_id)
    ).first()
    return None if row is None else (row[0], row[1])


def upsert_pdf(session: Session, sha256: str, size: int, path: str | None) -> None:
    """Record a PDF file by content hash (status stays as extraction left it)."""
    upsert(
        session,
        PdfDocument,
        [{"sha256": sha256, "bytes": size, "path": path, "status": "pending"}],
        ["sha256"],
        ["bytes", "path"],
    )


def encode_blocks(blocks: Sequence[Block]) -> bytes:
    """Blocks as zlib-compressed JSON."""
    payload = [[b.page, b.section, b.text, *([1] if b.footnote else [])] for b in blocks]
    # level 1: a third of level 6's CPU in the workers for 17% more bytes (#17)
    return zlib.compress(json.dumps(payload, ensure_ascii=False).encode(), 1)


def decode_blocks(data: bytes | None) -> tuple[Block, ...]:
    """Inverse of encode_blocks."""
    if not data:
        return ()
    return tuple(
        Block(row[0], row[1], row[2], bool(row[3:])) for row in json.loads(zlib.decompress(data))
    )


@picklable
@dataclass(frozen=True, slots=True)
class EncodedDoc:
    """An ExtractedDoc with its blocks already encoded (by a worker): cheap to send and store."""

    doc: ExtractedDoc
    """The document without its blocks."""
    blocks_z: bytes
    chars: int

    @classmethod
    def of(cls, doc: ExtractedDoc) -> EncodedDoc:
        """Encode doc's blocks (see encode_blocks)."""
        chars = sum(len(b.text) for b in doc.blocks)
        return cls(replace(doc, blocks=()), encode_blocks(doc.blocks), chars)


def save_extraction(
    session: Session,
    paper_id: int,
    sha256: str | None,
    version: str,
    encoded: EncodedDoc,
) -> None:
    """Upsert a paper's extraction (`EncodedDoc.of(doc)`) and replace its links."""
    doc, chars = encoded.doc, encoded.chars
    row = {
        "paper_id": paper_id,
        "extractor_version": version,
        "status": doc.status,
        "error": doc.error,
        "pages": doc.page_count,
        "chars": chars,
        "title": doc.title,
        "blocks_z": encoded.blocks_z,
        "extracted_at": now(),
    }
    upsert(session, Extraction, [row], ["paper_id", "extractor_version"])
    stmts = _statements()
    session.execute(stmts["delete_links"], {"p_id": paper_id, "p_version": version})
    links = [link_row(paper_id, version, link) for link in doc.links]
    if links:  # one executemany, not an ORM object per row
        session.execute(stmts["insert_links"], links)
    if sha256:
        session.execute(
            stmts["pdf_status"],
            {
                "p_sha": sha256,
                "p_status": doc.status,
                "p_error": doc.error,
                "p_pages": doc.page_count,
            },
        )


def link_row(paper_id: int, version: str, link: Link) -> dict[str, Any]:
    """`links` row (column -> value) for a Link record."""
    return {
        "paper_id": paper_id,
        "extractor_version": version,
        "url": link.url,
        "host": link.host,
        "kind": link.kind,
        "own": link.own,
        "page": link.page,
        "section": link.section,
        "origin": link.origin,
        "raw": link.raw,
        "context": link.context,
        "footnote": link.footnote,
    }


def load_doc(extraction: Extraction, links: Sequence[CodeLink] = ()) -> ExtractedDoc:
    """Rebuild the ExtractedDoc from its stored row."""
    return ExtractedDoc(
        status=extraction.status,
        error=extraction.error,
        page_count=extraction.pages,
        blocks=decode_blocks(extraction.blocks_z),
        links=tuple(
            Link(
                url=lk.url,
                kind=lk.kind,
                host=lk.host,
                page=lk.page,
                origin=lk.origin,
                own=lk.own,
                section=lk.section,
                raw=lk.raw,
                context=lk.context,
                footnote=lk.footnote,
            )
            for lk in links
        ),
        title=extraction.title,
    )


def distinct_evidence(evidence: Sequence[Evidence]) -> list[Evidence]:
    """Evidence without repeats: the first of each quoted passage (whitespace and case aside),
    e.g. a running header quoted on every page or one sentence hit by two rules."""
    seen: set[str] = set()
    out = []
    for ev in evidence:
        key = " ".join(ev.snippet.split()).casefold()
        if key not in seen:
            seen.add(key)
            out.append(ev)
    return out


def save_predictions(
    session: Session,
    paper_id: int,
    classifier: str,
    version: str,
    extractor_version: str,
    predictions: Sequence[PredictionRecord],
) -> None:
    """Upsert one paper's predictions and replace their evidence rows."""
    rows = [
        {
            "paper_id": paper_id,
            "classifier": classifier,
            "classifier_version": version,
            "framework": p.framework,
            "label": p.label,
            "confidence": p.confidence,
            "extractor_version": extractor_version,
        }
        for p in predictions
    ]
    upsert(
        session, PredictionRow, rows, ["paper_id", "classifier", "classifier_version", "framework"]
    )
    session.execute(
        _statements()["delete_evidence"],
        {"p_id": paper_id, "p_classifier": classifier, "p_version": version},
    )
    evidence = [
        {
            "paper_id": paper_id,
            "classifier": classifier,
            "classifier_version": version,
            "framework": p.framework,
            "seq": i,
            "page": ev.page,
            "section": ev.section,
            "snippet": ev.snippet,
            "rule": ev.rule,
            "term": ev.term,
        }
        for p in predictions
        for i, ev in enumerate(distinct_evidence(p.evidence))
    ]
    if evidence:  # one executemany, not an ORM object per row
        session.execute(_statements()["insert_evidence"], evidence)


def select_pending_extraction(version: str, force: bool = False) -> Select[Paper]:
    """Papers with a PDF and no extraction for this extractor version."""
    stmt = select(Paper).where(Paper.pdf_sha256.is_not(None)).order_by(Paper.id)
    if not force:
        stmt = stmt.where(
            ~exists().where(
                Extraction.paper_id == Paper.id, Extraction.extractor_version == version
            )
        )
    return stmt


def select_pending_classification(
    extractor_version: str, classifier: str, version: str, force: bool = False
) -> Select[Extraction]:
    """Good (`ok`) extractions of the current version with no predictions from this classifier
    version; a failed extraction (no_text, encrypted...) has nothing to classify."""
    stmt = (
        select(Extraction)
        .where(Extraction.extractor_version == extractor_version, Extraction.status == "ok")
        .order_by(Extraction.paper_id)
    )
    if not force:
        stmt = stmt.where(
            ~exists().where(
                PredictionRow.paper_id == Extraction.paper_id,
                PredictionRow.classifier == classifier,
                PredictionRow.classifier_version == version,
            )
        )
    return stmt


def ok_extractions(session: Session, version: str) -> list[tuple[int, str | None, str | None]]:
    """(paper id, pdf sha256, file name) of every paper with a good extraction of this version."""
    stmt = (
        select(Paper.id, Paper.pdf_sha256, Paper.file_name)
        .join(Extraction, Extraction.paper_id == Paper.id)
        .where(Extraction.extractor_version == version, Extraction.status == "ok")
        .order_by(Paper.id)
    )
    return [(pid, sha, name) for pid, sha, name in session.execute(stmt)]


def load_extracted_doc(session: Session, paper_id: int, version: str) -> ExtractedDoc | None:
    """A paper's stored extraction of this version with its links, if any."""
    extraction = session.scalar(
        select(Extraction).where(
            Extraction.paper_id == paper_id, Extraction.extractor_version == version
        )
    )
    if extraction is None:
        return None
    links = session.scalars(
        select(CodeLink)
        .where(CodeLink.paper_id == paper_id, CodeLink.extractor_version == version)
        .order_by(CodeLink.id)
    ).all()
    return load_doc(extraction, links)
