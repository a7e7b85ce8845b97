"""Read one paper's extraction, links and verdicts, and every paper's code links (DB reads only)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from db import Engine
from db.detail import links_by_paper, stored_paper
from miner.extract.links import is_repo
from miner.extract.own import official_code
from miner.linkeval import PaperLinks
from miner.records import Block
from miner.repos.summary import candidate_listing


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
    stored = stored_paper(engine, ident)
    paper, doc = stored.paper, stored.doc
    out: dict[str, Any] = {
        "id": paper["id"],
        "file": paper["file_name"],
        "sha256": paper["pdf_sha256"],
        "source": paper["source"],
        "venue": paper["venue"],
        "year": paper["year"],
        "title": paper["title"] or (doc.title if doc else None),
        "status": stored.status,
        "error": doc.error if doc else None,
        "pages": doc.page_count if doc else None,
        "extractor_version": stored.extractor_version,
        "sections": [],
        "footnotes": [],
        "links": [],
        "official_code": None,
        "verdicts": [],
        "code_candidates": candidate_listing(engine, paper["id"]),
    }
    if doc is None:
        return out
    out["sections"] = section_ranges(doc.blocks)
    out["footnotes"] = [{"page": b.page, "text": b.text} for b in doc.blocks if b.footnote]
    keys = ("url", "kind", "own", "page", "section", "origin", "footnote", "context")
    out["links"] = [{k: getattr(lk, k) for k in keys} for lk in doc.links]
    official = official_code(doc.links, doc.title or "")
    out["official_code"] = official.url if official else None
    out["verdicts"] = stored.verdicts
    return out


def found_links(engine: Engine) -> dict[str, PaperLinks]:
    """Per PDF sha256: code-host repo links and official code of its current extraction."""
    out: dict[str, PaperLinks] = {}
    for paper_id, sha, name, title, links in links_by_paper(engine):
        official = official_code(links, title or "")
        out[sha or str(paper_id)] = PaperLinks(
            sha256=sha or "",
            name=Path(name or "").stem,
            code_links=frozenset(lk.url.lower() for lk in links if is_repo(lk.url)),
            official=official.url.lower() if official else "",
        )
    return out
