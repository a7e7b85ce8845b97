"""Repository stage storage: analyses, paper <-> repository links, combined verdicts (DB IO)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.schema import (
    CodeLink,
    EvidenceRow,
    Paper,
    PaperRepo,
    PredictionRow,
    RepoAnalysisRow,
    SignalVerdict,
)
from db.store import now, upsert
from miner.records import Evidence
from miner.repos.protocol import RepoAnalysis


def code_links(
    session: Session, extractor_version: str, paper_id: int | None = None
) -> list[tuple[int, str, bool]]:
    """(paper_id, url, own) of every code link of this extraction version (or one paper's)."""
    q = (
        select(CodeLink.paper_id, CodeLink.url, CodeLink.own)
        .where(CodeLink.extractor_version == extractor_version, CodeLink.kind == "code")
        .order_by(CodeLink.paper_id, CodeLink.id)
    )
    if paper_id is not None:
        q = q.where(CodeLink.paper_id == paper_id)
    return [(pid, url, bool(own)) for pid, url, own in session.execute(q)]


def listed_code_urls(
    session: Session, paper_id: int | None = None
) -> list[tuple[int, str, list[str]]]:
    """(paper_id, source, code_urls) of every paper (or one) whose source lists code links."""
    q = select(Paper.id, Paper.source, Paper.code_urls).order_by(Paper.id)
    if paper_id is not None:
        q = q.where(Paper.id == paper_id)
    return [(pid, source, list(urls)) for pid, source, urls in session.execute(q) if urls]


def analysed_urls(session: Session, detector_version: str) -> set[str]:
    """URLs with an analysis of this detector version that did not fail (failures are retried)."""
    return set(
        session.scalars(
            select(RepoAnalysisRow.url).where(
                RepoAnalysisRow.detector_version == detector_version,
                RepoAnalysisRow.status != "failed",
            )
        )
    )


def analysed_commits(
    session: Session, urls: Iterable[str], detector_version: str
) -> dict[str, frozenset[str]]:
    """Per URL: the head commits already analysed by this detector version (any status)."""
    wanted = set(urls)
    out: dict[str, set[str]] = {}
    stmt = select(RepoAnalysisRow.url, RepoAnalysisRow.commit).where(
        RepoAnalysisRow.detector_version == detector_version
    )
    for url, commit in session.execute(stmt):
        if url in wanted and commit:
            out.setdefault(url, set()).add(commit)
    return {u: frozenset(c) for u, c in out.items()}


def save_analysis(session: Session, a: RepoAnalysis, host: str, detector_version: str) -> None:
    """Upsert one analysis on (url, commit, detector_version)."""
    row = {
        "url": a.url,
        "host": host,
        "commit": a.commit,
        "detector_version": detector_version,
        "backend": a.backend,
        "status": a.status,
        "error": a.error,
        "primary": ";".join(a.primary),
        "frameworks": [asdict(f) | {"files": list(f.files)} for f in a.frameworks],
        "languages": dict(a.languages),
        "fork": a.fork,
        "parent": a.parent,
        "reimplementation": a.reimplementation,
        "files_listed": a.files_listed,
        "files_read": a.files_read,
        "truncated": a.truncated,
        "analysed_at": now(),
    }
    upsert(session, RepoAnalysisRow, [row], ["url", "commit", "detector_version"])


def latest_analyses(session: Session, detector_version: str) -> dict[str, RepoAnalysisRow]:
    """Latest analysis per URL, but a transient failure never hides an earlier good read."""
    out: dict[str, RepoAnalysisRow] = {}
    for row in session.scalars(
        select(RepoAnalysisRow)
        .where(RepoAnalysisRow.detector_version == detector_version)
        .order_by(RepoAnalysisRow.id)
    ):
        if row.status != "failed" or out.get(row.url, row).status == "failed":
            out[row.url] = row
    return out


def replace_paper_repos(
    session: Session, detector_version: str, rows: Sequence[dict[str, Any]]
) -> None:
    """Replace every `paper_repos` row of this detector version with rows (column -> value)."""
    session.execute(delete(PaperRepo).where(PaperRepo.detector_version == detector_version))
    if rows:
        session.execute(insert(PaperRepo), list(rows))


def deciding_analyses(
    session: Session, detector_version: str
) -> dict[int, list[tuple[RepoAnalysisRow, str]]]:
    """Per paper, (analysis, found_by) of the repositories that decide its framework."""
    rows = session.execute(
        select(PaperRepo.paper_id, RepoAnalysisRow, PaperRepo.found_by)
        .join(RepoAnalysisRow, RepoAnalysisRow.id == PaperRepo.analysis_id)
        .where(PaperRepo.detector_version == detector_version, PaperRepo.decides.is_(True))
        .order_by(PaperRepo.paper_id, PaperRepo.url)
    ).all()
    grouped: dict[int, list[tuple[RepoAnalysisRow, str]]] = defaultdict(list)
    for pid, analysis, found_by in rows:
        grouped[pid].append((analysis, found_by))
    return dict(grouped)


def text_predictions(
    session: Session, classifier: str, version: str
) -> tuple[dict[int, list[PredictionRow]], dict[tuple[int, str], list[Evidence]]]:
    """A classifier version's predictions per paper, and their evidence per (paper, framework)."""
    preds: dict[int, list[PredictionRow]] = defaultdict(list)
    for p in session.scalars(
        select(PredictionRow).where(
            PredictionRow.classifier == classifier, PredictionRow.classifier_version == version
        )
    ):
        preds[p.paper_id].append(p)
    evidence: dict[tuple[int, str], list[Evidence]] = defaultdict(list)
    for m in session.scalars(
        select(EvidenceRow)
        .where(EvidenceRow.classifier == classifier, EvidenceRow.classifier_version == version)
        .order_by(EvidenceRow.paper_id, EvidenceRow.framework, EvidenceRow.seq)
    ):
        evidence[(m.paper_id, m.framework)].append(
            Evidence(m.page, m.section, m.snippet, m.rule, m.term)
        )
    return dict(preds), evidence


def save_verdicts(session: Session, rows: Iterable[dict[str, Any]]) -> None:
    """Upsert `signal_verdicts` rows on (paper_id, classifier_version, framework)."""
    upsert(session, SignalVerdict, list(rows), ["paper_id", "classifier_version", "framework"])


def paper_repo_rows(
    session: Session, detector_version: str, paper_id: int | None = None
) -> list[tuple[PaperRepo, RepoAnalysisRow | None, str | None, str | None]]:
    """(link, its analysis or None, file name, title) per paper and code link."""
    q = (
        select(PaperRepo, RepoAnalysisRow, Paper.file_name, Paper.title)
        .join(Paper, Paper.id == PaperRepo.paper_id)
        .outerjoin(RepoAnalysisRow, RepoAnalysisRow.id == PaperRepo.analysis_id)
        .where(PaperRepo.detector_version == detector_version)
        .order_by(PaperRepo.paper_id, PaperRepo.role, PaperRepo.url)
    )
    if paper_id is not None:
        q = q.where(PaperRepo.paper_id == paper_id)
    return [tuple(r) for r in session.execute(q)]  # type: ignore[misc]


def verdict_rows(session: Session, detector_version: str) -> list[tuple[SignalVerdict, str | None]]:
    """(verdict, file name) where either signal, or the combination, sees use."""
    rows = session.execute(
        select(SignalVerdict, Paper.file_name)
        .join(Paper, Paper.id == SignalVerdict.paper_id)
        .where(
            SignalVerdict.classifier_version.endswith(f"+repo{detector_version}"),
            (SignalVerdict.text_label == "uses")
            | (SignalVerdict.repo_label == "uses")
            | (SignalVerdict.label == "uses"),
        )
        .order_by(SignalVerdict.paper_id, SignalVerdict.framework)
    )
    return [tuple(r) for r in rows]  # type: ignore[misc]
