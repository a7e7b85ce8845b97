"""Storage: SQLAlchemy models, engine, migrations, upserts and the read model (the only package
that touches the database; `Engine` is re-exported so callers need not import SQLAlchemy)."""

from sqlalchemy import Engine

from db.engine import DEFAULT_DB, make_engine, make_session

__all__ = ["DEFAULT_DB", "Engine", "make_engine", "make_session"]
