"""Storage: SQLAlchemy models, engine, migrations, upserts and the read model (the only package
that touches the database). `Engine` and `Session` are re-exported so callers never import
SQLAlchemy."""

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from db.engine import DEFAULT_DB, make_engine, make_session, on_commit, storage_failure

__all__ = [
    "DEFAULT_DB",
    "Engine",
    "Session",
    "make_engine",
    "make_session",
    "on_commit",
    "storage_failure",
]
