"""Checks of user input against the database, raising one-line UsageErrors (DB reads via db.store)."""

from __future__ import annotations

from db import Engine, Session, store
from miner.errors import UsageError


def check_filters(engine: Engine, *, venue: str | None = None, year: int | None = None) -> None:
    """Raise UsageError when --venue or --year matches no paper, naming the values that exist.

    An empty database is not an error (there is nothing to mistype against yet).
    """
    with Session(engine) as session:
        if venue is not None:
            venues = store.paper_venues(session)
            if venues and venue.lower() not in {v.lower() for v in venues}:
                raise UsageError(
                    f"unknown venue {venue!r}; venues in this database: {', '.join(venues)}"
                )
        if year is not None:
            years = store.paper_years(session)
            if store.count_papers(session) and year not in years:
                known = ", ".join(map(str, years)) or "none (use --year on ingest)"
                raise UsageError(f"no papers of year {year}; years in this database: {known}")
