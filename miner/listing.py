"""Read-only listings: stage status, failed papers, one row per paper (DB reads only)."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from classifiers import get_classifier
from db import store
from db.schema import CodeLink, Extraction, Paper, Prediction
from miner.extract import EXTRACTOR_VERSION


def status_counts(engine: Engine) -> dict[str, dict[str, int]]:
    """Per stage: counts of done / pending / failed (and extraction status words)."""
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Paper)) or 0
        with_pdf = session.scalar(select(func.count()).where(Paper.pdf_sha256.is_not(None))) or 0
        fetch = dict(
            session.execute(
                select(Paper.fetch_status, func.count()).group_by(Paper.fetch_status)
            ).all()
        )
        ext = dict(
            session.execute(
                select(Extraction.status, func.count())
                .where(Extraction.extractor_version == EXTRACTOR_VERSION)
                .group_by(Extraction.status)
            ).all()
        )
        clf_rows = session.execute(
            select(
                Prediction.classifier,
                Prediction.classifier_version,
                func.count(func.distinct(Prediction.paper_id)),
            ).group_by(Prediction.classifier, Prediction.classifier_version)
        ).all()
    extracted = sum(ext.values())
    out: dict[str, dict[str, int]] = {
        "papers": {"total": total, "with_pdf": with_pdf},
        "fetch": {str(k): v for k, v in fetch.items()},
        "extract": {
            "done": extracted,
            "pending": with_pdf - extracted,
            **{f"status:{k}": v for k, v in sorted(ext.items())},
        },
    }
    ok = ext.get("ok", 0)
    for name, version, n in clf_rows:
        out[f"classify {name} {version}"] = {"done": n, "pending": max(extracted - n, 0)}
    out["extract"]["failed"] = extracted - ok
    return out


def failures(engine: Engine) -> list[dict[str, Any]]:
    """Papers whose extraction did not end `ok`, with status and message."""
    with Session(engine) as session:
        rows = session.execute(
            select(
                Paper.id,
                Paper.file_name,
                Paper.title,
                Extraction.status,
                Extraction.error,
                Extraction.pages,
            )
            .join(Extraction, Extraction.paper_id == Paper.id)
            .where(Extraction.extractor_version == EXTRACTOR_VERSION, Extraction.status != "ok")
            .order_by(Paper.id)
        ).all()
    return [dict(r._mapping) for r in rows]


def papers_listing(
    engine: Engine, *, classifier: str, venue: str | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """One dict per paper: ids, file, venue, year, status, uses, mentions and code links."""
    clf = get_classifier(classifier)
    with Session(engine) as session:
        q = select(Paper).order_by(Paper.id)
        q = store.where_venue_year(q, venue, year)
        papers = session.scalars(q).all()
        ext = {
            e.paper_id: e
            for e in session.scalars(
                select(Extraction).where(Extraction.extractor_version == EXTRACTOR_VERSION)
            )
        }
        preds: dict[int, dict[str, list[str]]] = defaultdict(lambda: {"uses": [], "mentions": []})
        for pid, fw, label in session.execute(
            select(Prediction.paper_id, Prediction.framework, Prediction.label)
            .where(
                Prediction.classifier == clf.NAME,
                Prediction.classifier_version == clf.VERSION,
                Prediction.label.in_(("uses", "mentions")),
            )
            .order_by(Prediction.framework)
        ):
            preds[pid][label].append(fw)
        links: dict[int, list[str]] = defaultdict(list)
        for pid, url in session.execute(
            select(CodeLink.paper_id, CodeLink.url)
            .where(CodeLink.extractor_version == EXTRACTOR_VERSION, CodeLink.kind == "code")
            .order_by(CodeLink.id)
        ):
            links[pid].append(url)
    out = []
    for p in papers:
        e = ext.get(p.id)
        out.append(
            {
                "id": p.id,
                "source": p.source,
                "source_id": p.source_id,
                "sha256": p.pdf_sha256,
                "file": p.file_name,
                "title": p.title or (e.title if e else None),
                "venue": p.venue,
                "year": p.year,
                "status": e.status if e else "pending",
                "error": e.error if e else None,
                "pages": e.pages if e else None,
                "uses": preds[p.id]["uses"],
                "mentions": preds[p.id]["mentions"],
                "code_links": links[p.id],
                "classifier": f"{clf.NAME} {clf.VERSION}",
            }
        )
    return out
