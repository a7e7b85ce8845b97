"""Checks of user input against the database, raising one-line UsageErrors (DB reads only)."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from db.schema import Paper
from miner.errors import UsageError


def check_filters(engine: Engine, *, venue: str | None = None, year: int | None = None) -> None:
    """Raise UsageError when --venue or --year matches no paper, naming the values that exist.

    An empty database is not an error (there is nothing to mistype against yet).
    """
    with Session(engine) as session:
        if venue is not None:
            venues = sorted(
                v for v in session.scalars(select(Paper.venue).distinct()) if v is not None
            )
            if venues and venue.lower() not in {v.lower() for v in venues}:
                raise UsageError(
                    f"unknown venue {venue!r}; venues in this database: {', '.join(venues)}"
                )
        if year is not None:
            years = sorted(y for y in session.scalars(select(Paper.year).distinct()) if y)
            has_papers = session.scalar(select(func.count()).select_from(Paper)) or 0
            if has_papers and year not in years:
                known = ", ".join(map(str, years)) or "none (use --year on ingest)"
                raise UsageError(f"no papers of year {year}; years in this database: {known}")
