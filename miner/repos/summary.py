"""Read-only listing of the repository evidence per paper (DB reads only)."""

from __future__ import annotations

from typing import Any

from db import Engine, Session
from db import discovery as discovery_store
from db import repositories as repo_store
from miner.repos.detect import DETECTOR_VERSION
from miner.repos.evidence import DISCOVERY_VERSION
from miner.repos.stage import candidates


def describe(frameworks: list[dict[str, Any]]) -> str:
    """`pytorch primary 3i+1d; tensorflow declared 1d`: label, import/dependency/other files."""
    parts = []
    for f in frameworks:
        counts = "+".join(
            f"{f[key]}{tag}"
            for key, tag in (("import_files", "i"), ("dependency_files", "d"), ("other_files", "o"))
            if f.get(key)
        )
        parts.append(f"{f['framework']} {f['label']} {counts}")
    return "; ".join(parts)


def no_framework(status: str, languages: dict[str, int]) -> str:
    """What a repository analysed `ok` with no listed framework shows instead: `no listed
    framework (code files: r 2, julia 1)`, its code's languages by file count (empty otherwise)."""
    if status != "ok":
        return ""
    files = ", ".join(
        f"{k} {n}" for k, n in sorted(languages.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    return "no listed framework" + (f" (code files: {files})" if files else "")


def rejected_listing(engine: Engine, paper_id: int | None = None) -> list[dict[str, Any]]:
    """Repositories discovery rejected (role `rejected`, found_by `search`, the reason)."""
    with Session(engine) as session:
        rows = discovery_store.rejected_rows(session, DISCOVERY_VERSION, paper_id)
    return [
        {
            "paper_id": d.paper_id,
            "file": file_name or title,
            "url": d.url,
            "role": "rejected",
            "found_by": "search",
            "decides": False,
            "reason": d.reason,
            "commit": None,
            "status": "rejected",
            "primary": [],
            "frameworks": "",
            "languages": {},
            "fork": d.fork,
            "reimplementation": "",
            "truncated": None,
            "error": None,
            "detail": [],
            "evidence": d.evidence,
            "query": d.query,
        }
        for d, file_name, title in rows
    ]


def repo_listing(
    engine: Engine, *, paper_id: int | None = None, rejected: bool = True
) -> list[dict[str, Any]]:
    """One row per paper and code link: role, whether it decides and why, the repo's frameworks;
    then (unless `rejected` is False) the repositories discovery rejected."""
    with Session(engine) as session:
        rows = repo_store.paper_repo_rows(session, DETECTOR_VERSION, paper_id)
    out: list[dict[str, Any]] = []
    for link, analysis, file_name, title in rows:
        out.append(
            {
                "paper_id": link.paper_id,
                "file": file_name or title,
                "url": link.url,
                "role": link.role,
                "found_by": link.found_by,
                "decides": link.decides,
                "reason": link.reason,
                "commit": analysis.commit[:12] if analysis else None,
                "status": analysis.status if analysis else "pending",
                "primary": analysis.primary.split(";") if analysis and analysis.primary else [],
                "frameworks": (
                    describe(analysis.frameworks)
                    or no_framework(analysis.status, analysis.languages)
                )
                if analysis
                else "",
                "languages": analysis.languages if analysis else {},
                "fork": analysis.fork if analysis else None,
                "reimplementation": analysis.reimplementation if analysis else "",
                "truncated": analysis.truncated if analysis else None,
                "error": analysis.error if analysis else None,
                "detail": analysis.frameworks if analysis else [],
            }
        )
    return out + (rejected_listing(engine, paper_id) if rejected else [])


def candidate_listing(engine: Engine, paper_id: int) -> list[dict[str, Any]]:
    """One paper's own-code candidates with found_by, and what the last `miner repos` made of
    each (`not run` before it ran)."""
    with Session(engine) as session:
        found = candidates(session, paper_id)
    stored = {r["url"].lower(): r for r in repo_listing(engine, paper_id=paper_id, rejected=False)}
    out = []
    for c in found:
        row = stored.get(c.url.lower(), {})
        out.append(
            {
                "url": c.url,
                "found_by": c.found_by_text,
                "role": "own" if c.own else "third_party",
                "reason": row.get("reason")
                or ("not_repository" if not c.repository else "not run"),
                "primary": row.get("primary", []),
                "commit": row.get("commit"),
            }
        )
    return out + [
        {k: r[k] for k in ("url", "found_by", "role", "reason", "primary", "commit")}
        for r in rejected_listing(engine, paper_id)
    ]


def verdict_listing(engine: Engine) -> list[dict[str, Any]]:
    """Combined verdicts where either signal sees use: text label, repo label, who decided."""
    with Session(engine) as session:
        rows = repo_store.verdict_rows(session, DETECTOR_VERSION)
    return [
        {
            "paper_id": v.paper_id,
            "file": file_name,
            "framework": v.framework,
            "text": v.text_label,
            "repo": v.repo_label or "-",
            "combined": v.label,
            "decided_by": v.decided_by,
            "agree": v.agree,
            "repo_urls": v.repo_urls,
            "found_by": v.repo_found_by,
            "version": v.classifier_version,
        }
        for v, file_name in rows
    ]
