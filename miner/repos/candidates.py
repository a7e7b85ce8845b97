"""A paper's own-code candidates from every trustworthy source, and which of them decides (pure).

Sources, in precedence order (`FOUND_BY`): the PDF's own-code links (judged in context by
miner.extract.own, and measured against gold), the venue listing's code link (PMLR Code/Software,
ACL `<pwccode>`, CVF code), an OpenReview note's code field, a code URL in arXiv's comment or
journal-ref, and repository search (`miner repos --discover`). A repository named by several
sources is one candidate whose `found_by` lists them all. When sources name different
repositories, all are kept and analysed; the best-ranked source with a repository able to decide
decides, and the others are `outranked` (so a disagreement never merges two codebases).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from miner.extract.codeurls import listed_repo_url
from miner.extract.links import normalize_url

FOUND_BY = ("pdf", "listing", "openreview", "arxiv-metadata", "search")
"""Where a candidate came from, best first."""
SOURCE_FOUND_BY = {"openreview": "openreview", "arxiv": "arxiv-metadata"}
"""The found_by of a source's `code_urls`; every other source is a venue `listing`."""


@dataclass(frozen=True, slots=True)
class Candidate:
    """One repository (or unusable link) a source gives as a paper's code."""

    paper_id: int
    url: str
    """Normalized repository URL; for a link that is no repository, the normalized link."""
    own: bool
    """Presented as the paper's own code (every non-PDF source is; the PDF's links are judged)."""
    found_by: tuple[str, ...]
    """Sources that gave it, in FOUND_BY order."""
    repository: bool = True
    """False for listed code links that are no repository (project pages, short links, zips)."""

    @property
    def rank(self) -> int:
        """Precedence of its best source (0 = pdf)."""
        return min(FOUND_BY.index(f) for f in self.found_by)

    @property
    def found_by_text(self) -> str:
        """`pdf+listing`."""
        return "+".join(self.found_by)


def found_by_source(source: str) -> str:
    """found_by of the code links a paper's source lists."""
    return SOURCE_FOUND_BY.get(source, "listing")


def merge_candidates(
    pdf_links: Iterable[tuple[int, str, bool]],
    listed: Iterable[tuple[int, str, Sequence[str]]],
    found: Iterable[tuple[int, str, str]] = (),
) -> list[Candidate]:
    """Candidates by paper and first appearance, from (paper, url, own) PDF code links,
    (paper, source, code_urls) listings, and (paper, url, found_by) other finds (search)."""
    seen: dict[tuple[int, str], tuple[str, bool, set[str], bool]] = {}

    def add(pid: int, url: str, own: bool, by: str, repository: bool = True) -> None:
        key = (pid, url.lower())
        first_url, was_own, sources, repo = seen.get(key, (url, False, set(), repository))
        sources.add(by)
        seen[key] = (first_url, was_own or own, sources, repo)

    for pid, url, own in pdf_links:
        add(pid, url, own, "pdf")
    for pid, source, urls in listed:
        for raw in urls:
            repo = listed_repo_url(raw)
            add(pid, repo or normalize_url(raw)[0], True, found_by_source(source), repo is not None)
    for pid, url, by in found:
        add(pid, url, True, by)
    out = [
        Candidate(pid, url, own, tuple(f for f in FOUND_BY if f in sources), repo)
        for (pid, _), (url, own, sources, repo) in seen.items()
    ]
    return sorted(out, key=lambda c: c.paper_id)


def outrank(reasons: dict[Candidate, str]) -> dict[Candidate, str]:
    """Per paper, keep `decides` only on candidates of the best-ranked source that has one;
    other deciding candidates become `outranked`."""
    best: dict[int, int] = {}
    for c, reason in reasons.items():
        if reason == "decides":
            best[c.paper_id] = min(best.get(c.paper_id, c.rank), c.rank)
    return {
        c: "outranked" if reason == "decides" and c.rank > best[c.paper_id] else reason
        for c, reason in reasons.items()
    }
