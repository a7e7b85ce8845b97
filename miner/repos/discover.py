"""Discovery stage (`miner repos --discover`): search GitHub for the papers no source gives own
code for, and store every repository found, accepted or rejected with its reason (DB IO).

Resumable: a paper searched with the current DISCOVERY_VERSION is not searched again (failed
searches are); a rate limit stops the run and leaves the rest pending. Accepted repositories
become own-code candidates with found_by `search` (miner.repos.stage.candidates), so the
analysis that follows reads them like any other.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from db import Engine, Session
from db import discovery as discovery_store
from miner import __version__
from miner.repos.evidence import (
    DISCOVERY_VERSION,
    Judgement,
    Paper,
    choose,
    judge,
    needs_owner_name,
    needs_readme,
)
from miner.repos.protocol import RateLimited, RepoError
from miner.repos.search import GitHubSearch, search_queries
from miner.repos.stage import candidates
from miner.stages import Progress, StageReport
from miner.stages.recorded import recorded_run

logger = logging.getLogger(__name__)

MAX_HITS = 10
"""Repositories judged per paper (each costs a README request), in search order."""


def _dois(urls: Iterable[str]) -> tuple[str, ...]:
    return tuple(u.split("doi.org/", 1)[1] for u in urls if "doi.org/" in u)


def pending_papers(session: Session, force: bool = False) -> list[tuple[int, Paper]]:
    """Titled papers without an own repository from pdf, listing or metadata, not searched
    with this discovery version yet (all of them with `force`)."""
    covered = {
        c.paper_id
        for c in candidates(session)
        if c.own and c.repository and c.found_by != ("search",)
    }
    done = set() if force else discovery_store.searched_papers(session, DISCOVERY_VERSION)
    return [
        (pid, Paper(title, tuple(authors), arxiv_id, _dois(urls)))
        for pid, title, authors, arxiv_id, urls in discovery_store.search_targets(session)
        if pid not in covered and pid not in done
    ]


def count_pending(engine: Engine, force: bool = False) -> int:
    """How many papers the next discovery run would search."""
    with Session(engine) as session:
        return len(pending_papers(session, force))


def discover_paper(searcher: GitHubSearch, paper: Paper) -> tuple[list[str], bool, list[Judgement]]:
    """(queries, incomplete, judgements) for one paper: every query, then each distinct hit
    judged (README and owner profile fetched only when the rules need them). Raises RepoError,
    RateLimited."""
    queries = search_queries(paper)
    hits, incomplete, seen = [], False, set()
    for q in queries:
        found, partial = searcher.search(q)
        incomplete |= partial
        for hit in found:
            if hit.full_name.lower() not in seen:
                seen.add(hit.full_name.lower())
                hits.append(hit)
    judged = []
    for hit in hits[:MAX_HITS]:
        readme = searcher.readme(hit.full_name) if needs_readme(hit) else None
        name = searcher.owner_name(hit.owner) if needs_owner_name(paper, hit, readme) else None
        judged.append(judge(paper, hit, readme, name))
    return queries, incomplete, choose(judged)


def _row(j: Judgement) -> dict[str, object]:
    return {
        "url": j.hit.url,
        "query": j.hit.query,
        "status": j.status,
        "reason": j.reason[:128],
        "evidence": list(j.evidence),
        "owner_type": j.hit.owner_type,
        "fork": j.hit.fork,
        "stars": j.hit.stars,
        "description": j.hit.description[:1000],
    }


def run_discover(
    engine: Engine,
    searcher: GitHubSearch,
    *,
    limit: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
) -> StageReport:
    """Search the pending papers and store what was found; counts `searched`, `accepted`,
    `rejected:<reason>`, `failed` and `rate_limited` (papers left for the next run)."""
    args = {"limit": limit, "force": force}
    versions = {"miner": __version__, "discovery": DISCOVERY_VERSION}
    with Session(engine) as session, recorded_run(session, "discover", args, versions) as report:
        pending = pending_papers(session, force)[:limit]
        for done, (pid, paper) in enumerate(pending):
            try:
                queries, incomplete, judged = discover_paper(searcher, paper)
            except RateLimited as exc:
                logger.warning("%s; %d papers left to search", exc, len(pending) - done)
                report.counts["rate_limited"] += len(pending) - done
                break
            except RepoError as exc:
                search = {
                    "status": "failed",
                    "queries": search_queries(paper),
                    "hits": 0,
                    "incomplete": False,
                    "error": str(exc),
                }
                discovery_store.save_search(session, pid, DISCOVERY_VERSION, search, [])
                report.counts["failed"] += 1
            else:
                search = {
                    "status": "ok",
                    "queries": queries,
                    "hits": len(judged),
                    "incomplete": incomplete,
                    "error": None,
                }
                rows = [_row(j) for j in judged]
                discovery_store.save_search(session, pid, DISCOVERY_VERSION, search, rows)
                report.counts["searched"] += 1
                for j in judged:
                    report.counts["accepted" if j.status == "accepted" else "rejected"] += 1
            session.commit()
            if progress:
                progress(1)
    return report
