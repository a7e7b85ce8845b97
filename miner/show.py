"""Read one paper's extraction, links and verdicts, and every paper's code links (DB reads only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, or_, select
from sqlalchemy.orm import Session

from db import store
from db.schema import CodeLink, Extraction, Mention, Paper, Prediction
from miner.errors import UsageError
from miner.extract import EXTRACTOR_VERSION
from miner.extract.links import is_repo
from miner.extract.own import official_code
from miner.linkeval import PaperLinks
from miner.records import Block


def find_paper(session: Session, ident: str) -> Paper:
    """A paper by id, sha256 (or a prefix of 8+ characters), file name or file stem."""
    conds = [Paper.file_name == ident, Paper.file_name == f"{ident}.pdf"]
    if ident.isdigit():
        conds.append(Paper.id == int(ident))
    if len(ident) >= 8:
        conds.append(Paper.pdf_sha256.startswith(ident.lower()))
    found = session.scalars(select(Paper).where(or_(*conds)).order_by(Paper.id)).all()
    if not found:
        raise UsageError(f"no paper {ident!r}; give an id, sha256 or file name from `miner papers`")
    return found[0]


def _extraction(session: Session, paper_id: int) -> Extraction | None:
    rows = session.scalars(select(Extraction).where(Extraction.paper_id == paper_id)).all()
    current = [e for e in rows if e.extractor_version == EXTRACTOR_VERSION]
    return (current or sorted(rows, key=lambda e: e.extracted_at))[-1] if rows else None


def section_ranges(blocks: tuple[Block, ...]) -> list[dict[str, Any]]:
    """Consecutive runs of one section, with their page range, block and character counts."""
    runs: list[dict[str, Any]] = []
    for b in blocks:
        if b.footnote:
            continue
        if runs and runs[-1]["section"] == b.section:
            run = runs[-1]
            run["last_page"] = b.page
            run["blocks"] += 1
            run["chars"] += len(b.text)
        else:
            runs.append(
                {
                    "section": b.section,
                    "first_page": b.page,
                    "last_page": b.page,
                    "blocks": 1,
                    "chars": len(b.text),
                }
            )
    return runs


def paper_detail(engine: Engine, ident: str) -> dict[str, Any]:
    """Metadata, extraction status, sections, footnotes, links and verdicts of one paper."""
    with Session(engine) as session:
        paper = find_paper(session, ident)
        ext = _extraction(session, paper.id)
        out: dict[str, Any] = {
            "id": paper.id,
            "file": paper.file_name,
            "sha256": paper.pdf_sha256,
            "source": paper.source,
            "venue": paper.venue,
            "year": paper.year,
            "title": paper.title or (ext.title if ext else None),
            "status": ext.status if ext else "pending",
            "error": ext.error if ext else None,
            "pages": ext.pages if ext else None,
            "extractor_version": ext.extractor_version if ext else None,
            "sections": [],
            "footnotes": [],
            "links": [],
            "official_code": None,
            "verdicts": [],
        }
        if ext is None:
            return out
        links = session.scalars(
            select(CodeLink)
            .where(
                CodeLink.paper_id == paper.id, CodeLink.extractor_version == ext.extractor_version
            )
            .order_by(CodeLink.id)
        ).all()
        doc = store.load_doc(ext, links)
        out["sections"] = section_ranges(doc.blocks)
        out["footnotes"] = [{"page": b.page, "text": b.text} for b in doc.blocks if b.footnote]
        keys = ("url", "kind", "own", "page", "section", "origin", "footnote", "context")
        out["links"] = [{k: getattr(lk, k) for k in keys} for lk in doc.links]
        official = official_code(doc.links, ext.title or "")
        out["official_code"] = official.url if official else None
        out["verdicts"] = _verdicts(session, paper.id)
    return out


def _verdicts(session: Session, paper_id: int) -> list[dict[str, Any]]:
    preds = session.scalars(
        select(Prediction)
        .where(Prediction.paper_id == paper_id, Prediction.label != "absent")
        .order_by(Prediction.classifier, Prediction.framework)
    ).all()
    mentions = session.scalars(
        select(Mention).where(Mention.paper_id == paper_id).order_by(Mention.seq)
    ).all()
    out = []
    for p in preds:
        evidence = [
            {"page": m.page, "section": m.section, "rule": m.kind, "snippet": m.snippet}
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


def found_links(engine: Engine) -> dict[str, PaperLinks]:
    """Per PDF sha256: code-host repo links and official code of its current extraction."""
    out: dict[str, PaperLinks] = {}
    with Session(engine) as session:
        rows = session.execute(
            select(Paper.id, Paper.pdf_sha256, Paper.file_name, Extraction.title)
            .join(Extraction, Extraction.paper_id == Paper.id)
            .where(Extraction.extractor_version == EXTRACTOR_VERSION)
        ).all()
        for paper_id, sha, name, title in rows:
            links = session.scalars(
                select(CodeLink)
                .where(
                    CodeLink.paper_id == paper_id,
                    CodeLink.extractor_version == EXTRACTOR_VERSION,
                )
                .order_by(CodeLink.id)
            ).all()
            records = store.load_doc(Extraction(status="ok", pages=0), links).links
            official = official_code(records, title or "")
            out[sha or str(paper_id)] = PaperLinks(
                sha256=sha or "",
                name=Path(name or "").stem,
                code_links=frozenset(lk.url.lower() for lk in records if is_repo(lk.url)),
                official=official.url.lower() if official else "",
            )
    return out
