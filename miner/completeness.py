"""The completeness check of a crawl: what it got against what the source itself says and against
the published accepted-paper counts shipped in miner/data/published_counts.csv (pure; reads the
packaged CSV once).

Two comparisons, each a warning when the numbers differ by more than TOLERANCE:
* the entries the listing pages held (as parsed, before filters) against the source's own count
  (arXiv totalResults, OpenReview count, a printed count, or the entries marked up in the page);
* the papers of a venue and year in the database against the published count.
"""

from __future__ import annotations

import csv
import functools
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from importlib import resources
from typing import Any

from miner.sources.source import Listed

TOLERANCE = 0.01
"""Relative difference above which two counts are reported as differing (1%)."""
VenueKey = tuple[str, int, str | None]
"""(venue, year, track or None for every track)."""


@dataclass(frozen=True, slots=True)
class Published:
    """One row of the shipped table: a venue's accepted papers in a year, with its source."""

    venue: str
    year: int
    track: str | None
    """A volume or track (ACL `long`), or None: every paper of the venue and year."""
    accepted: int
    source: str


@functools.cache
def published_counts() -> tuple[Published, ...]:
    """Every row of miner/data/published_counts.csv."""
    with (resources.files("miner") / "data" / "published_counts.csv").open(encoding="utf-8") as fh:
        return tuple(
            Published(
                row["venue"],
                int(row["year"]),
                row["track"] or None,
                int(row["accepted"]),
                row["source"],
            )
            for row in csv.DictReader(fh)
        )


def published_for(venue: str | None, year: int | None) -> list[Published]:
    """The table's rows for a venue (case-insensitive) and year."""
    if not venue or year is None:
        return []
    return [p for p in published_counts() if p.venue.lower() == venue.lower() and p.year == year]


def differs(got: int, expected: int) -> bool:
    """Whether got is more than TOLERANCE away from expected."""
    return abs(got - expected) > TOLERANCE * expected


@dataclass(frozen=True, slots=True)
class Check:
    """The outcome of the completeness check for one crawl scope and venue/year."""

    source: str
    scope: str
    venue: str | None
    year: int | None
    track: str | None
    crawled: int
    """Papers in the database for (source, venue, year[, track]), or the crawl's own papers
    when the row covers the whole crawl (venue None)."""
    listed: int | None = None
    """Entries the crawl's listing pages held, as parsed, before any filter."""
    stated: int | None = None
    """What the source itself says (arXiv totalResults, OpenReview count, a printed count...)."""
    stated_label: str = ""
    published: int | None = None
    published_source: str | None = None
    limited: bool = False
    """The crawl had --limit: a short count against the published one is expected."""
    stated_is_total: bool = False
    """stated counts the whole query (not compared when limited: --limit stops paging early)."""

    def _source_differs(self) -> bool:
        if self.listed is None or self.stated is None or (self.limited and self.stated_is_total):
            return False
        return differs(self.listed, self.stated)

    @property
    def outcome(self) -> str:
        """ok, differs, limited (short only because of --limit) or unchecked (nothing to compare)."""
        source_differs = self._source_differs()
        published_differs = self.published is not None and differs(self.crawled, self.published)
        if source_differs or (published_differs and not self.limited):
            return "differs"
        if published_differs:
            return "limited"
        if self.stated is None and self.published is None:
            return "unchecked"
        return "ok"

    @property
    def label(self) -> str:
        """`NeurIPS 2019`, `ACL 2022 long`, or the scope for a whole-crawl row."""
        if self.venue is None:
            return self.scope
        return " ".join(str(x) for x in (self.venue, self.year, self.track) if x is not None)

    def warnings(self) -> list[str]:
        """One line per comparison that differs by more than TOLERANCE, with both numbers."""
        out = []
        if self._source_differs():
            out.append(
                f"{self.scope}: the listing pages held {self.listed} entries, "
                f"the source says {self.stated} ({self.stated_label})"
            )
        if (
            self.published is not None
            and not self.limited
            and differs(self.crawled, self.published)
        ):
            out.append(
                f"{self.label}: {self.crawled} papers crawled, {self.published} published "
                f"({self.published_source})"
            )
        return out

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able row (runs.counts, `miner status --json`), with the outcome."""
        return {**asdict(self), "outcome": self.outcome}


def check_from_dict(data: Mapping[str, Any]) -> Check:
    """Inverse of Check.as_dict (the outcome is recomputed)."""
    fields = set(Check.__dataclass_fields__)
    return Check(**{k: v for k, v in data.items() if k in fields})


def sum_listed(pages: Iterable[Listed]) -> tuple[int, int | None, str, bool]:
    """(entries, stated, label, stated is a query total) over a crawl's pages: entries add up;
    a page's own count adds up too, a query's total is the largest any page gave."""
    entries: int = 0
    per_page: int | None = None
    total: int | None = None
    label = ""
    for page in pages:
        entries += page.entries
        label = page.label or label
        if page.stated is None:
            continue
        if page.per_page:
            per_page = (per_page or 0) + page.stated
        else:
            total = max(total or 0, page.stated)
    if total is not None:
        return entries, total, label, True
    return entries, per_page, label, False


def check_crawl(
    source: str,
    scope: str,
    *,
    pages: Iterable[Listed],
    crawled: int,
    counts: Mapping[VenueKey, int],
    limit: int | None = None,
) -> list[Check]:
    """The checks of one crawl: `crawled` papers it got, its pages' Listed, and the database
    counts of the venues and years its papers have, by track and (track None) in all.

    A published row for a track (NeurIPS `main`, ACL `long`) is compared with that track's
    papers where the source labels tracks that way, else with all of them (OpenReview records
    oral/spotlight/poster, and its NeurIPS venue id is the main track).
    """
    listed, stated, label, is_total = sum_listed(pages)
    source_part: dict[str, Any] = {
        "listed": listed,
        "stated": stated,
        "stated_label": label,
        "stated_is_total": is_total,
    }
    venue_years = sorted({(v, y) for v, y, _ in counts}, key=str)
    one = len(venue_years) == 1 and bool(published_for(*venue_years[0]))
    rows: list[Check] = []
    for venue, year in venue_years:
        published: list[Published | None] = [*published_for(venue, year)] or [None]
        for row in published:
            track = row.track if row else None
            rows.append(
                Check(
                    source,
                    scope,
                    venue,
                    year,
                    track,
                    counts.get((venue, year, track), counts.get((venue, year, None), 0)),
                    published=row.accepted if row else None,
                    published_source=row.source if row else None,
                    limited=bool(limit),
                    **(source_part if one else {}),
                )
            )
    if (
        not one
    ):  # a whole-crawl row carries the source's count (arXiv; a venue/year not in the table)
        rows = [r for r in rows if r.published is not None]
        rows.insert(
            0, Check(source, scope, None, None, None, crawled, limited=bool(limit), **source_part)
        )
    return rows
