"""Where the database stands: per-stage counts, failed papers, known filter values and the
latest run of a command (DB reads only; `miner status`, input checks, the report)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from classifiers import ClassifierId
from db.schema import (
    Extraction,
    Paper,
    PaperRepo,
    PredictionRow,
    RepoAnalysisRow,
    RepoDiscovery,
    RepoSearch,
    Run,
)
from miner.extract import EXTRACTOR_VERSION
from miner.repos.detect import DETECTOR_VERSION
from miner.repos.evidence import DISCOVERY_VERSION


def stage_counts(
    engine: Engine, classifiers: Sequence[tuple[str, str]] = ()
) -> dict[str, dict[str, int]]:
    """Per stage: done / pending / failed counts (and extraction status words); a classifier
    version counts as done only on papers whose extraction is `ok`. The (name, version) pairs
    in `classifiers` get a row even before they ran (done 0)."""
    with Session(engine) as session:
        total = session.scalar(select(func.count()).select_from(Paper)) or 0
        with_pdf = session.scalar(select(func.count()).where(Paper.pdf_sha256.is_not(None))) or 0
        fetch = _count_by(session, Paper.fetch_status)
        current = Extraction.extractor_version == EXTRACTOR_VERSION
        ext = _count_by(session, Extraction.status, current)
        clf_rows = session.execute(
            select(
                PredictionRow.classifier,
                PredictionRow.classifier_version,
                func.count(func.distinct(PredictionRow.paper_id)),
            )
            .join(Extraction, Extraction.paper_id == PredictionRow.paper_id)
            .where(current, Extraction.status == "ok")
            .group_by(PredictionRow.classifier, PredictionRow.classifier_version)
        ).all()
        repos = _repo_counts(session)
    extracted = sum(ext.values())
    ok = ext.get("ok", 0)
    out: dict[str, dict[str, int]] = {
        "papers": {"total": total, "with_pdf": with_pdf},
        "fetch": {str(k): v for k, v in fetch.items()},
        "extract": {
            "done": extracted,
            "pending": with_pdf - extracted,
            **{f"status:{k}": v for k, v in sorted(ext.items())},
            "failed": extracted - ok,
        },
    }
    done = {(name, version): n for name, version, n in clf_rows}
    for name, version in [*classifiers, *(k for k in done if k not in classifiers)]:
        n = done.get((name, version), 0)
        out[f"classify {name} {version}"] = {"done": n, "pending": max(ok - n, 0)}
    out.update(repos)
    return out


def _count_by(session: Session, column: Any, *where: Any) -> dict[Any, int]:
    """{value: rows} of `column` over the rows matching `where`."""
    stmt = select(column, func.count()).where(*where).group_by(column)
    return {value: n for value, n in session.execute(stmt)}


def _repo_counts(session: Session) -> dict[str, dict[str, int]]:
    """`repos` (detector version): repositories analysed by status, papers with an own-code
    repository and papers one decides; `discover` (discovery version): papers searched, failed
    searches, repositories accepted and rejected. Each only once its stage has run."""
    out: dict[str, dict[str, int]] = {}
    analyses = _count_by(
        session, RepoAnalysisRow.status, RepoAnalysisRow.detector_version == DETECTOR_VERSION
    )
    links = PaperRepo.detector_version == DETECTOR_VERSION
    papers = func.count(func.distinct(PaperRepo.paper_id))
    own = session.scalar(select(papers).where(links, PaperRepo.role == "own")) or 0
    if analyses or own:
        decided = session.scalar(select(papers).where(links, PaperRepo.decides.is_(True))) or 0
        out[f"repos {DETECTOR_VERSION}"] = {
            "analysed": sum(analyses.values()),
            **{f"status:{k}": v for k, v in sorted(analyses.items())},
            "papers_with_own_code": own,
            "papers_decided": decided,
        }
    searches = _count_by(
        session, RepoSearch.status, RepoSearch.discovery_version == DISCOVERY_VERSION
    )
    if searches:
        found = _count_by(
            session, RepoDiscovery.status, RepoDiscovery.discovery_version == DISCOVERY_VERSION
        )
        out[f"discover {DISCOVERY_VERSION}"] = {
            "searched": searches.get("ok", 0),
            "failed": searches.get("failed", 0),
            "accepted": found.get("accepted", 0),
            "rejected": found.get("rejected", 0),
        }
    return out


def failures(engine: Engine) -> list[dict[str, Any]]:
    """Papers whose current extraction did not end `ok`, with status and message."""
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


def known_filters(engine: Engine) -> tuple[int, list[str], list[int]]:
    """How many papers there are, and the distinct venues and years they have (sorted)."""
    with Session(engine) as session:
        n = session.scalar(select(func.count()).select_from(Paper)) or 0
        venues = sorted(v for v in session.scalars(select(Paper.venue).distinct()) if v)
        years = sorted(y for y in session.scalars(select(Paper.year).distinct()) if y)
    return n, venues, years


def last_run(engine: Engine, command: str) -> dict[str, Any] | None:
    """args, versions, counts and finish time of the latest finished run of a command."""
    with Session(engine) as session:
        run = session.scalars(
            select(Run)
            .where(Run.command == command, Run.finished_at.is_not(None))
            .where(Run.status.in_(("done", "ok")))
            .order_by(Run.id.desc())
            .limit(1)
        ).first()
        if run is None:
            return None
        return {
            "args": run.args,
            "versions": run.versions,
            "counts": run.counts,
            "finished_at": run.finished_at.isoformat(timespec="seconds")
            if run.finished_at
            else None,
        }


def work_left(engine: Engine, classifier: ClassifierId | None = None) -> dict[str, int]:
    """What each stage still has to do: papers to fetch (never tried / failed), to extract, and
    ok extractions the classifier version has not labelled yet (0 without a classifier)."""
    from db.crawls import select_pending_fetch
    from db.pending import count_pending_extraction
    from db.store import select_pending_classification

    def count(stmt: Any) -> int:
        return session.scalar(select(func.count()).select_from(stmt.subquery())) or 0

    with Session(engine) as session:
        fetch = count(select_pending_fetch())
        return {
            "fetch": fetch,
            "fetch_failed": count(select_pending_fetch(True)) - fetch,
            "extract": count_pending_extraction(session, EXTRACTOR_VERSION),
            "classify": 0
            if classifier is None
            else count(
                select_pending_classification(
                    EXTRACTOR_VERSION, classifier.NAME, classifier.VERSION
                )
            ),
        }


def next_step(left: dict[str, int]) -> str:
    """The command that moves the pipeline on, e.g. '12 papers await extraction: run `miner
    extract`', or '' when every stage is done."""
    if left["extract"]:
        return f"{left['extract']} papers await extraction: run `miner extract`"
    if left["fetch"]:
        return f"{left['fetch']} papers have no PDF yet: run `miner fetch`"
    if left["classify"]:
        return f"{left['classify']} papers await classification: run `miner classify`"
    return ""


CHECK_COLUMNS = [
    "source",
    "venue",
    "year",
    "track",
    "crawled",
    "published",
    "listed",
    "stated",
    "stated_label",
    "outcome",
    "scope",
    "published_source",
]
"""Columns of a completeness row (miner.completeness.Check.as_dict), in display order."""


def completeness(engine: Engine) -> list[dict[str, Any]]:
    """The latest completeness check of every crawl scope and venue/year, from the counts of
    finished crawl and reparse runs (a later run replaces an earlier one's row)."""
    latest: dict[tuple[Any, ...], dict[str, Any]] = {}
    with Session(engine) as session:
        runs = session.scalars(
            select(Run)
            .where(Run.command.in_(("crawl", "reparse")), Run.status == "done")
            .order_by(Run.id)
        )
        for run in runs:
            checks: Any = (run.counts or {}).get("completeness") or []
            for check in checks if isinstance(checks, list) else []:
                row = {k: check.get(k) for k in CHECK_COLUMNS}
                latest[tuple(row[k] for k in ("source", "scope", "venue", "year", "track"))] = row
    return sorted(latest.values(), key=lambda r: tuple(str(r[k]) for k in CHECK_COLUMNS[:4]))
