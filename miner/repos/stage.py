"""Repository stage: analyse linked repositories, tie them to papers, combine signals (DB IO via db.repositories).

`run_repos` reads each candidate repository once per commit (own code first): the PDF's code
links and the code links the paper's source lists (miner.repos.candidates), so papers without a
PDF are read too. It stores the analysis in `repo_analyses`, rebuilds `paper_repos` (own vs
third-party, found_by, and whether the repository decides), then writes `combined` predictions
and `signal_verdicts` for the text-classified papers.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import Any

from classifiers import DEFAULT_CLASSIFIER, identify
from classifiers.combined import NAME as COMBINED
from classifiers.combined import REPO_NAME, RepoSignal, combine, combined_version, repo_only_version
from db import Engine, Session, store
from db import discovery as discovery_store
from db import repositories as repo_store
from miner import __version__
from miner.extract import EXTRACTOR_VERSION
from miner.http import RateLimiter
from miner.records import Evidence
from miner.records import Prediction as PredictionRecord
from miner.repos.candidates import Candidate, merge_candidates, outrank
from miner.repos.detect import DETECTOR_VERSION, analyse_snapshot
from miner.repos.evidence import DISCOVERY_VERSION
from miner.repos.protocol import (
    RateLimited,
    RepoAnalysis,
    RepoBackend,
    RepoError,
    RepoNotFound,
    RepoRef,
    parse_repo_url,
)
from miner.stages import Progress, StageReport
from miner.stages.recorded import recorded_run

logger = logging.getLogger(__name__)

BackendFor = Callable[[RepoRef], RepoBackend]
"""Chooses the backend for a repository (GitHub API for github.com, clone otherwise)."""


def candidates(session: Session, paper_id: int | None = None) -> list[Candidate]:
    """Every paper's (or one paper's) code candidates: PDF code links of the current extraction,
    listed ones and the repositories discovery accepted (found_by `search`)."""
    return merge_candidates(
        repo_store.code_links(session, EXTRACTOR_VERSION, paper_id),
        repo_store.listed_code_urls(session, paper_id),
        discovery_store.accepted_urls(session, DISCOVERY_VERSION, paper_id),
    )


def pending_urls(session: Session, found: list[Candidate], force: bool) -> list[str]:
    """Repository URLs to analyse (new or failed before): own code first, then third-party."""
    repos = [c for c in found if c.repository]
    own = {c.url for c in repos if c.own}
    ordered = sorted(dict.fromkeys(c.url for c in repos), key=lambda u: u not in own)
    if force:
        return ordered
    done = repo_store.analysed_urls(session, DETECTOR_VERSION)  # `failed` is retried
    return [u for u in ordered if u not in done]


def count_pending(engine: Engine, force: bool = False) -> int:
    """How many repositories the next run would read."""
    with Session(engine) as session:
        return len(pending_urls(session, candidates(session), force))


def read_repository(
    backend: RepoBackend,
    ref: RepoRef,
    analysed: frozenset[str] = frozenset(),
    limiter: RateLimiter | None = None,
) -> RepoAnalysis | None:
    """The network half (no database, safe in a thread): the analysis of the repository's head,
    or None when that commit is in `analysed` already. RateLimited propagates."""
    try:
        if limiter is not None:
            limiter.wait(ref.url)
        commit = backend.resolve(ref)
        if commit and commit in analysed:
            return None
        return analyse_snapshot(backend.snapshot(ref, commit))
    except RateLimited:
        raise
    except RepoNotFound as exc:
        return RepoAnalysis(ref.url, "", backend.name, "not_found", str(exc))
    except RepoError as exc:
        return RepoAnalysis(ref.url, "", backend.name, "failed", str(exc))


def _read_all(
    session: Session,
    backend_for: BackendFor,
    refs: list[RepoRef],
    workers: int,
    limiter: RateLimiter | None,
) -> Iterator[tuple[RepoRef, RepoAnalysis | None]]:
    """(ref, analysis) of refs, read by `workers` threads (clone hosts paced by limiter), in the
    order they finish; only this thread touches the session. RateLimited stops the rest."""
    seen = repo_store.analysed_commits(session, [r.url for r in refs], DETECTOR_VERSION)

    def read(ref: RepoRef) -> tuple[RepoRef, RepoAnalysis | None]:
        backend = backend_for(ref)
        pace = limiter if backend.name == "git" else None  # the API backend paces itself
        return ref, read_repository(backend, ref, seen.get(ref.url, frozenset()), pace)

    if workers <= 1:
        yield from map(read, refs)
        return
    with ThreadPoolExecutor(workers, thread_name_prefix="repos") as pool:
        futures = [pool.submit(read, ref) for ref in refs]
        try:
            for future in as_completed(futures):
                yield future.result()
        finally:
            for future in futures:
                future.cancel()


def run_repos(
    engine: Engine,
    backend_for: BackendFor,
    *,
    limit: int | None = None,
    force: bool = False,
    text_classifier: str = DEFAULT_CLASSIFIER,
    progress: Progress | None = None,
    workers: int = 1,
    limiter: RateLimiter | None = None,
) -> StageReport:
    """Analyse pending repositories, relink papers and write combined verdicts.

    `workers` threads read repositories at once; clones from one host are paced by `limiter`
    (which can be shared with every miner process of the machine, see miner.http.RateLimiter);
    this thread alone writes. A rate limit stops the run early (counted as `rate_limited`);
    what was analysed is kept and the rest stays pending for the next run.
    """
    args = {"limit": limit, "force": force, "text_classifier": text_classifier, "workers": workers}
    versions = {"miner": __version__, "detector": DETECTOR_VERSION}
    with Session(engine) as session, recorded_run(session, "repos", args, versions) as report:
        urls = pending_urls(session, candidates(session), force)[:limit]
        refs = [r for r in map(parse_repo_url, urls) if r is not None]
        if len(refs) < len(urls):
            report.counts["bad_url"] += len(urls) - len(refs)
        done = 0
        try:
            for ref, analysis in _read_all(session, backend_for, refs, workers, limiter):
                done += 1
                if analysis is None:
                    report.counts["cached"] += 1
                else:
                    repo_store.save_analysis(session, analysis, ref.host, DETECTOR_VERSION)
                    report.counts[analysis.status] += 1
                session.commit()
                if progress:
                    progress(1)
        except RateLimited as exc:
            logger.warning("%s; %d repositories left pending", exc, len(refs) - done)
            report.counts["rate_limited"] += len(refs) - done
        report.counts.update({f"paper:{k}": v for k, v in link_papers(session).items()})
        session.commit()
        report.counts.update(combine_all(session, text_classifier).counts)
        session.commit()
    return report


def link_reason(analysis: Any, own: bool, repository: bool = True) -> str:
    """Why a code link may decide its paper's framework (`decides`) or not."""
    if not repository:
        return "not_repository"
    if analysis is None:
        return "pending"
    if not own:
        return "third_party"
    if analysis.status != "ok":
        return str(analysis.status)
    if analysis.fork:
        return "fork"
    if analysis.reimplementation:
        return "reimplementation"
    return "decides"


def link_papers(session: Session) -> Counter[str]:
    """Rebuild `paper_repos` for the detector version from candidates and latest analyses."""
    analyses = repo_store.latest_analyses(session, DETECTOR_VERSION)
    found = candidates(session)
    reasons = outrank({c: link_reason(analyses.get(c.url), c.own, c.repository) for c in found})
    rows: list[dict[str, Any]] = [
        {
            "paper_id": c.paper_id,
            "url": c.url,
            "detector_version": DETECTOR_VERSION,
            "role": "own" if c.own else "third_party",
            "analysis_id": a.id if (a := analyses.get(c.url)) and c.repository else None,
            "decides": reasons[c] == "decides",
            "reason": reasons[c],
            "found_by": c.found_by_text,
        }
        for c in found
    ]
    repo_store.replace_paper_repos(session, DETECTOR_VERSION, rows)
    return Counter(reasons.values())


def repo_signals(session: Session) -> dict[int, RepoSignal]:
    """Per paper, the merged signal of the repositories that may decide its framework."""
    out = {}
    for pid, deciding in repo_store.deciding_analyses(session, DETECTOR_VERSION).items():
        analyses = [a for a, _ in deciding]
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
            found_by=tuple(dict.fromkeys(f for _, by in deciding for f in by.split("+"))),
        )
    return out


def combine_all(session: Session, text_classifier: str = DEFAULT_CLASSIFIER) -> StageReport:
    """Write `combined` and `repo` predictions and `signal_verdicts` for every text-classified paper.

    Every paper the text classifier labelled gets rows, so all three signals share denominators.
    The caller commits.
    """
    clf = identify(text_classifier)
    version = combined_version(clf.VERSION, DETECTOR_VERSION)
    report = StageReport()
    signals = repo_signals(session)
    text, evidence = repo_store.text_predictions(session, clf.NAME, clf.VERSION)
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
            session, pid, COMBINED, version, extractor_version, [v.prediction() for v in verdicts]
        )
        store.save_predictions(
            session,
            pid,
            REPO_NAME,
            repo_only_version(DETECTOR_VERSION),
            extractor_version,
            [v.repo_prediction() for v in verdicts],
        )
        repo_store.save_verdicts(
            session,
            [
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
                    "repo_found_by": "+".join(signal.found_by) if signal else "",
                }
                for v in verdicts
            ],
        )
        report.counts["combined:repo_decides" if signal else "combined:text_only"] += 1
        if any(v.agree is False for v in verdicts):
            report.counts["combined:disagree"] += 1
        if any(v.label == "uses" for v in verdicts):
            report.counts["combined:with_framework"] += 1
    return report
