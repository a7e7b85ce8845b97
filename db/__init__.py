"""Storage: SQLAlchemy models, engine, migrations and upserts (the only package that touches the DB)."""

from db.engine import DEFAULT_DB, make_engine, make_session

__all__ = ["DEFAULT_DB", "make_engine", "make_session"]
