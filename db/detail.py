"""Reads of one paper in full (text blocks, links, every classifier's verdicts) and of every
paper's code links, for `miner show` and `miner evaluate-links` (DB reads only)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from db import store
from db.queries import current_extraction, status_column
from db.schema import CodeLink, EvidenceRow, Extraction, Paper, PredictionRow
from miner.errors import UsageError
from miner.extract import EXTRACTOR_VERSION
from miner.records import ExtractedDoc, Link


@dataclass(frozen=True, slots=True)
class StoredPaper:
    """One paper's row and its latest extraction (the current extractor's, if any)."""

    paper: dict[str, Any]
    """Columns of `papers`."""
    status: str
    """Where the paper stands, as every listing says it (db.queries.status_column)."""
    extractor_version: str | None
    doc: ExtractedDoc | None
    verdicts: list[dict[str, Any]]
    """Non-absent predictions of every classifier with up to 5 evidence snippets each."""


def find_paper_id(session: Session, ident: str) -> int:
    """A paper id by id, sha256 (or a prefix of 8+ characters), file name or file stem."""
    conds = [Paper.file_name == ident, Paper.file_name == f"{ident}.pdf"]
    if ident.isascii() and ident.isdigit() and int(ident) < 2**63:  # SQLite's integer range
        conds.append(Paper.id == int(ident))
    if len(ident) >= 8:  # a prefix, not a pattern: `%` and `_` match themselves (#18)
        conds.append(Paper.pdf_sha256.startswith(ident.lower(), autoescape=True))
    found = session.scalars(select(Paper.id).where(or_(*conds)).order_by(Paper.id)).first()
    if found is None:
        raise UsageError(f"no paper {ident!r}; give an id, sha256 or file name from `miner papers`")
    return found


def stored_paper(engine: Engine, ident: str) -> StoredPaper:
    """The paper named by ident (see find_paper_id) with its text, links and verdicts."""
    with Session(engine) as session:
        pid = find_paper_id(session, ident)
        paper = session.get_one(Paper, pid)
        row = {c.key: getattr(paper, c.key) for c in Paper.__table__.columns}
        status = session.scalar(
            select(status_column())
            .select_from(Paper)
            .outerjoin(Extraction, current_extraction())
            .where(Paper.id == pid)
        )
        rows = session.scalars(select(Extraction).where(Extraction.paper_id == pid)).all()
        current = [e for e in rows if e.extractor_version == EXTRACTOR_VERSION]
        ext = (current or sorted(rows, key=lambda e: e.extracted_at))[-1] if rows else None
        if ext is None:
            return StoredPaper(row, str(status), None, None, [])
        links = session.scalars(
            select(CodeLink)
            .where(CodeLink.paper_id == pid, CodeLink.extractor_version == ext.extractor_version)
            .order_by(CodeLink.id)
        ).all()
        doc = store.load_doc(ext, links)
        return StoredPaper(
            row, str(status), ext.extractor_version, doc, _all_verdicts(session, pid)
        )


def _all_verdicts(session: Session, paper_id: int) -> list[dict[str, Any]]:
    preds = session.scalars(
        select(PredictionRow)
        .where(PredictionRow.paper_id == paper_id, PredictionRow.label != "absent")
        .order_by(PredictionRow.classifier, PredictionRow.framework)
    ).all()
    mentions = session.scalars(
        select(EvidenceRow).where(EvidenceRow.paper_id == paper_id).order_by(EvidenceRow.seq)
    ).all()
    out = []
    for p in preds:
        evidence = [
            {"page": m.page, "section": m.section, "rule": m.rule, "snippet": m.snippet}
            for m in mentions
            if (m.classifier, m.classifier_version, m.framework)
            == (p.classifier, p.classifier_version, p.framework)
        ]
        out.append(
            {
                "classifier": p.classifier,
                "classifier_version": p.classifier_version,
                "framework": p.framework,
                "label": p.label,
                "confidence": p.confidence,
                "evidence": evidence[:5],
            }
        )
    return out


def links_by_paper(
    engine: Engine,
) -> list[tuple[int, str | None, str | None, str | None, list[Link]]]:
    """(paper id, sha256, file name, title, links) of every current extraction, by paper id."""
    with Session(engine) as session:
        papers = session.execute(
            select(Paper.id, Paper.pdf_sha256, Paper.file_name, Extraction.title)
            .join(Extraction, Extraction.paper_id == Paper.id)
            .where(Extraction.extractor_version == EXTRACTOR_VERSION)
            .order_by(Paper.id)
        ).all()
        links: dict[int, list[CodeLink]] = defaultdict(list)
        for lk in session.scalars(
            select(CodeLink)
            .where(CodeLink.extractor_version == EXTRACTOR_VERSION)
            .order_by(CodeLink.id)
        ):
            links[lk.paper_id].append(lk)
        empty = Extraction(status="ok", pages=0)
        return [
            (pid, sha, name, title, list(store.load_doc(empty, links[pid]).links))
            for pid, sha, name, title in papers
        ]
