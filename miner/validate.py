"""Checks of user input against the database, raising one-line UsageErrors (DB reads only)."""

from __future__ import annotations

from db import Engine
from db.status import known_filters
from miner.errors import UsageError


def check_filters(engine: Engine, *, venue: str | None = None, year: int | None = None) -> None:
    """Raise UsageError when --venue or --year matches no paper, naming the values that exist.

    An empty database is not an error (there is nothing to mistype against yet).
    """
    if venue is None and year is None:
        return
    n, venues, years = known_filters(engine)
    if not n:
        return
    if venue is not None and venue.lower() not in {v.lower() for v in venues}:
        known = ", ".join(venues) or "none (use --venue on ingest)"
        raise UsageError(f"unknown venue {venue!r}; venues in this database: {known}")
    if year is not None and year not in years:
        known = ", ".join(map(str, years)) or "none (use --year on ingest)"
        raise UsageError(f"no papers of year {year}; years in this database: {known}")
