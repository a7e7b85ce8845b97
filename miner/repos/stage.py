"""Repository stage: analyse linked repositories, tie them to papers, combine signals (DB IO).

`run_repos` reads each code-link repository once per commit (a paper's own links first), stores
the analysis in `repo_analyses`, rebuilds `paper_repos` (own vs third-party, and whether the
repository may decide), then writes `combined` predictions and `signal_verdicts`.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict

from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session

from classifiers import DEFAULT_CLASSIFIER, get_classifier
from classifiers.combined import NAME as COMBINED
from classifiers.combined import REPO_NAME, RepoSignal, combine, combined_version, repo_only_version
from db import store
from db.schema import CodeLink, Mention, PaperRepo, Prediction, RepoAnalysisRow, SignalVerdict
from miner import __version__
from miner.extract import EXTRACTOR_VERSION
from miner.pipeline import Progress, StageReport
from miner.records import Evidence
from miner.records import Prediction as PredictionRecord
from miner.repos.base import (
    RateLimited,
    RepoAnalysis,
    RepoBackend,
    RepoError,
    RepoNotFound,
    RepoRef,
    parse_repo_url,
)
from miner.repos.detect import DETECTOR_VERSION, analyse_snapshot

logger = logging.getLogger(__name__)

BackendFor = Callable[[RepoRef], RepoBackend]
"""Chooses the backend for a repository (GitHub API for github.com, clone otherwise)."""


def code_links(session: Session) -> list[tuple[int, str, bool]]:
    """(paper_id, url, own) of every code link of the current extraction."""
    rows = session.execute(
        select(CodeLink.paper_id, CodeLink.url, CodeLink.own)
        .where(CodeLink.extractor_version == EXTRACTOR_VERSION, CodeLink.kind == "code")
        .order_by(CodeLink.paper_id, CodeLink.id)
    ).all()
    return [(pid, url, bool(own)) for pid, url, own in rows]


def pending_urls(session: Session, links: list[tuple[int, str, bool]], force: bool) -> list[str]:
    """Repository URLs to analyse (new or failed before): own links first, then third-party."""
    own = {url for _, url, is_own in links if is_own}
    ordered = sorted(dict.fromkeys(url for _, url, _ in links), key=lambda u: u not in own)
    if force:
        return ordered
    done = set(  # `failed` (network, timeouts) is retried by the next run
        session.scalars(
            select(RepoAnalysisRow.url).where(
                RepoAnalysisRow.detector_version == DETECTOR_VERSION,
                RepoAnalysisRow.status != "failed",
            )
        )
    )
    return [u for u in ordered if u not in done]


def count_pending(engine: Engine, force: bool = False) -> int:
    """How many repositories the next run would read."""
    with Session(engine) as session:
        return len(pending_urls(session, code_links(session), force))


def save_analysis(session: Session, a: RepoAnalysis, host: str) -> None:
    """Upsert one analysis on (url, commit, detector_version)."""
    row = {
        "url": a.url,
        "host": host,
        "commit": a.commit,
        "detector_version": DETECTOR_VERSION,
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
        "analysed_at": store.now(),
    }
    store.upsert(session, RepoAnalysisRow, [row], ["url", "commit", "detector_version"])


def analyse_url(session: Session, backend: RepoBackend, ref: RepoRef) -> str:
    """Analyse one repository unless its head commit is already analysed; returns a status word."""
    try:
        commit = backend.resolve(ref)
        cached = session.scalar(
            select(RepoAnalysisRow.status).where(
                RepoAnalysisRow.url == ref.url,
                RepoAnalysisRow.commit == commit,
                RepoAnalysisRow.detector_version == DETECTOR_VERSION,
            )
        )
        if cached is not None and commit:
            return "cached"
        analysis = analyse_snapshot(backend.snapshot(ref, commit))
    except RateLimited:
        raise
    except RepoNotFound as exc:
        analysis = RepoAnalysis(ref.url, "", backend.name, "not_found", str(exc))
    except RepoError as exc:
        analysis = RepoAnalysis(ref.url, "", backend.name, "failed", str(exc))
    save_analysis(session, analysis, ref.host)
    return analysis.status


def run_repos(
    engine: Engine,
    backend_for: BackendFor,
    *,
    limit: int | None = None,
    force: bool = False,
    text_classifier: str = DEFAULT_CLASSIFIER,
    progress: Progress | None = None,
) -> StageReport:
    """Analyse pending repositories, relink papers and write combined verdicts.

    A rate limit stops the run early (counted as `rate_limited`); what was analysed is kept
    and the rest stays pending for the next run.
    """
    report = StageReport()
    with Session(engine) as session:
        links = code_links(session)
        urls = pending_urls(session, links, force)[:limit]
        run = store.start_run(
            session,
            "repos",
            {"limit": limit, "force": force},
            {"miner": __version__, "detector": DETECTOR_VERSION},
        )
        for i, url in enumerate(urls):
            ref = parse_repo_url(url)
            if ref is None:
                report.counts["bad_url"] += 1
                continue
            try:
                report.counts[analyse_url(session, backend_for(ref), ref)] += 1
            except RateLimited as exc:
                logger.warning("%s; %d repositories left pending", exc, len(urls) - i)
                report.counts["rate_limited"] += len(urls) - i
                break
            session.commit()
            if progress:
                progress(1)
        session.commit()
        report.counts.update({f"paper:{k}": v for k, v in link_papers(session).items()})
        session.commit()
        store.finish_run(session, run, report.counts)
    report.counts.update(run_combine(engine, text_classifier=text_classifier).counts)
    return report


def link_papers(session: Session) -> Counter[str]:
    """Rebuild `paper_repos` for the detector version from links and latest analyses."""
    analyses: dict[str, RepoAnalysisRow] = {}
    # Latest analysis per URL, but a transient failure never hides an earlier good read.
    for row in session.scalars(
        select(RepoAnalysisRow)
        .where(RepoAnalysisRow.detector_version == DETECTOR_VERSION)
        .order_by(RepoAnalysisRow.id)
    ):
        if row.status != "failed" or analyses.get(row.url, row).status == "failed":
            analyses[row.url] = row
    session.execute(delete(PaperRepo).where(PaperRepo.detector_version == DETECTOR_VERSION))
    rows: dict[tuple[int, str], PaperRepo] = {}
    reasons: Counter[str] = Counter()
    for pid, url, own in code_links(session):
        a = analyses.get(url)
        if a is None:
            reason = "pending"
        elif not own:
            reason = "third_party"
        elif a.status != "ok":
            reason = a.status
        elif a.fork:
            reason = "fork"
        elif a.reimplementation:
            reason = "reimplementation"
        else:
            reason = "decides"
        key = (pid, url)
        if key in rows and rows[key].decides:
            continue
        rows[key] = PaperRepo(
            paper_id=pid,
            url=url,
            detector_version=DETECTOR_VERSION,
            role="own" if own else "third_party",
            analysis_id=a.id if a else None,
            decides=reason == "decides",
            reason=reason,
        )
    session.add_all(rows.values())
    reasons.update(r.reason for r in rows.values())
    return reasons


def repo_signals(session: Session) -> dict[int, RepoSignal]:
    """Per paper, the merged signal of the repositories that may decide its framework."""
    rows = session.execute(
        select(PaperRepo.paper_id, RepoAnalysisRow)
        .join(RepoAnalysisRow, RepoAnalysisRow.id == PaperRepo.analysis_id)
        .where(PaperRepo.detector_version == DETECTOR_VERSION, PaperRepo.decides.is_(True))
        .order_by(PaperRepo.paper_id, PaperRepo.url)
    ).all()
    grouped: dict[int, list[RepoAnalysisRow]] = defaultdict(list)
    for pid, analysis in rows:
        grouped[pid].append(analysis)
    out = {}
    for pid, analyses in grouped.items():
        evidence = tuple(
            Evidence(
                page=0,
                section="repo",
                snippet=f"{a.url}@{a.commit[:12]} score {f['score']}: "
                + ", ".join(str(p) for p in list(f["files"])[:5]),  # type: ignore[call-overload]
                rule=f"repo:{f['label']}",
                term=str(f["framework"]),
            )
            for a in analyses
            for f in a.frameworks
        )
        out[pid] = RepoSignal(
            primary=frozenset(fw for a in analyses for fw in a.primary.split(";") if fw),
            seen=frozenset(str(f["framework"]) for a in analyses for f in a.frameworks),
            code_files=sum(sum(a.languages.values()) for a in analyses),
            urls=tuple(a.url for a in analyses),
            evidence=evidence,
        )
    return out


def run_combine(engine: Engine, *, text_classifier: str = DEFAULT_CLASSIFIER) -> StageReport:
    """Write `combined` and `repo` predictions and `signal_verdicts` for every text-classified paper.

    Every paper the text classifier labelled gets rows, so all three signals share denominators.
    """
    clf = get_classifier(text_classifier)
    version = combined_version(clf.VERSION, DETECTOR_VERSION)
    report = StageReport()
    with Session(engine) as session:
        signals = repo_signals(session)
        text: dict[int, list[Prediction]] = defaultdict(list)
        for p in session.scalars(
            select(Prediction).where(
                Prediction.classifier == clf.NAME, Prediction.classifier_version == clf.VERSION
            )
        ):
            text[p.paper_id].append(p)
        evidence: dict[tuple[int, str], list[Evidence]] = defaultdict(list)
        for m in session.scalars(
            select(Mention)
            .where(Mention.classifier == clf.NAME, Mention.classifier_version == clf.VERSION)
            .order_by(Mention.paper_id, Mention.framework, Mention.seq)
        ):
            evidence[(m.paper_id, m.framework)].append(
                Evidence(m.page, m.section, m.snippet, m.kind, m.term)
            )
        for pid, preds in sorted(text.items()):
            records = [
                PredictionRecord(
                    p.framework, p.label, p.confidence, tuple(evidence[(pid, p.framework)])
                )
                for p in preds
            ]
            signal = signals.get(pid)
            verdicts = combine(records, signal)
            extractor_version = preds[0].extractor_version
            store.save_predictions(
                session,
                pid,
                COMBINED,
                version,
                extractor_version,
                [v.prediction() for v in verdicts],
            )
            store.save_predictions(
                session,
                pid,
                REPO_NAME,
                repo_only_version(DETECTOR_VERSION),
                extractor_version,
                [v.repo_prediction() for v in verdicts],
            )
            rows = [
                {
                    "paper_id": pid,
                    "classifier_version": version,
                    "framework": v.framework,
                    "text_label": v.text_label,
                    "repo_label": v.repo_label,
                    "label": v.label,
                    "decided_by": v.decided_by,
                    "agree": v.agree,
                    "repo_urls": ";".join(signal.urls) if signal else "",
                }
                for v in verdicts
            ]
            store.upsert(
                session, SignalVerdict, rows, ["paper_id", "classifier_version", "framework"]
            )
            used = [v for v in verdicts if v.label == "uses"]
            report.counts["combined:repo_decides" if signal else "combined:text_only"] += 1
            if any(v.agree is False for v in verdicts):
                report.counts["combined:disagree"] += 1
            if used:
                report.counts["combined:with_framework"] += 1
        session.commit()
    return report
