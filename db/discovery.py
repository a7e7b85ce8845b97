"""Repository discovery storage: searches per paper and the candidates they found (DB IO)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from db.schema import Paper, RepoDiscovery, RepoSearch
from db.store import now, upsert


def search_targets(session: Session) -> list[tuple[int, str, list[str], str | None, list[str]]]:
    """(paper_id, title, authors, arxiv_id, urls) of every paper with a title, by id."""
    q = (
        select(Paper.id, Paper.title, Paper.authors, Paper.arxiv_id, Paper.urls)
        .where(Paper.title.is_not(None), Paper.title != "")
        .order_by(Paper.id)
    )
    return [
        (pid, str(title), list(authors or []), arxiv_id, list(urls or []))
        for pid, title, authors, arxiv_id, urls in session.execute(q)
    ]


def searched_papers(session: Session, discovery_version: str) -> set[int]:
    """Papers searched with this discovery version without failing (failures are retried)."""
    return set(
        session.scalars(
            select(RepoSearch.paper_id).where(
                RepoSearch.discovery_version == discovery_version, RepoSearch.status == "ok"
            )
        )
    )


def save_search(
    session: Session,
    paper_id: int,
    discovery_version: str,
    search: dict[str, Any],
    found: Sequence[dict[str, Any]],
) -> None:
    """Upsert the paper's search row; on success replace its discoveries of this version."""
    row = {"paper_id": paper_id, "discovery_version": discovery_version, **search}
    upsert(session, RepoSearch, [row | {"searched_at": now()}], ["paper_id", "discovery_version"])
    if search["status"] != "ok":
        return
    session.execute(
        delete(RepoDiscovery).where(
            RepoDiscovery.paper_id == paper_id,
            RepoDiscovery.discovery_version == discovery_version,
        )
    )
    stamp = now()
    rows = [
        {"paper_id": paper_id, "discovery_version": discovery_version, "found_at": stamp, **f}
        for f in found
    ]
    if rows:
        session.execute(insert(RepoDiscovery), rows)


def _of_status(stmt: Any, discovery_version: str, status: str, paper_id: int | None) -> Any:
    """stmt (a select over RepoDiscovery) narrowed to one status of this version (and one
    paper), in paper and search order."""
    stmt = stmt.where(
        RepoDiscovery.discovery_version == discovery_version, RepoDiscovery.status == status
    ).order_by(RepoDiscovery.paper_id, RepoDiscovery.id)
    return stmt if paper_id is None else stmt.where(RepoDiscovery.paper_id == paper_id)


def accepted_urls(
    session: Session, discovery_version: str, paper_id: int | None = None
) -> list[tuple[int, str, str]]:
    """(paper_id, url, "search") of the accepted discoveries of this version (or one paper's)."""
    q = _of_status(
        select(RepoDiscovery.paper_id, RepoDiscovery.url), discovery_version, "accepted", paper_id
    )
    return [(pid, url, "search") for pid, url in session.execute(q)]


def rejected_rows(
    session: Session, discovery_version: str, paper_id: int | None = None
) -> list[tuple[RepoDiscovery, str | None, str | None]]:
    """(discovery, file name, title) of the rejected discoveries of this version."""
    q = _of_status(
        select(RepoDiscovery, Paper.file_name, Paper.title).join(
            Paper, Paper.id == RepoDiscovery.paper_id
        ),
        discovery_version,
        "rejected",
        paper_id,
    )
    return [tuple(r) for r in session.execute(q)]  # type: ignore[misc]
