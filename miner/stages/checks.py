"""The completeness check after a crawl and in reparse: the database's papers against the
listing's own count and the published one (DB reads; miner.completeness decides)."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from db import Session, crawls
from miner.completeness import Check, check_crawl
from miner.records import PaperRecord
from miner.sources.source import CrawlSpec, Listed

logger = logging.getLogger(__name__)


class Seen:
    """The papers a crawl (or a reparse of one scope) got: distinct ids and venue/years."""

    def __init__(self) -> None:
        self.ids: set[str] = set()
        self.venue_years: set[tuple[str, int]] = set()

    def add(self, records: Iterable[PaperRecord]) -> None:
        """Note these papers."""
        for r in records:
            self.ids.add(r.source_id)
            if r.venue and r.year is not None:
                self.venue_years.add((r.venue, r.year))


def run_checks(
    session: Session, spec: CrawlSpec, pages: Iterable[Listed], seen: Seen
) -> list[Check]:
    """Check one crawl scope (after its papers are committed) and log a warning per difference."""
    counts = crawls.paper_counts(session, spec.source, seen.venue_years)
    checks = check_crawl(
        spec.source,
        spec.scope,
        pages=pages,
        crawled=len(seen.ids),
        counts=counts,
        limit=spec.limit,
    )
    for check in checks:
        for line in check.warnings():
            logger.info("completeness: %s", line)  # the CLI prints it as a warning
    return checks
