"""Registry of crawlable sources by name (no IO at import)."""

from __future__ import annotations

from miner.errors import UsageError
from miner.sources.acl import AclSource
from miner.sources.arxiv import ArxivSource
from miner.sources.cvf import CvfSource
from miner.sources.neurips import NeuripsSource
from miner.sources.openreview import OpenReviewSource
from miner.sources.pmlr import PmlrSource
from miner.sources.source import CrawlSpec, Page, Source

PARSER_VERSION = "3"
"""Bump when a parser changes what it extracts; `miner reparse` re-runs stored payloads.
3: `code_urls`, the paper's own code links each source gives (issue 20)."""

SOURCES: dict[str, Source] = {
    s.name: s
    for s in (
        AclSource(),
        ArxivSource(),
        CvfSource(),
        NeuripsSource(),
        OpenReviewSource(),
        PmlrSource(),
    )
}


def get_source(name: str) -> Source:
    """The source called name, or a UsageError listing the known ones."""
    try:
        return SOURCES[name]
    except KeyError:
        raise UsageError(
            f"unknown source {name!r}; choose one of {', '.join(sorted(SOURCES))}"
        ) from None


__all__ = ["PARSER_VERSION", "SOURCES", "CrawlSpec", "Page", "Source", "get_source"]
