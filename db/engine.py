"""Build the SQLAlchemy engine for a path or URL and bring its schema up to date (DB IO)."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.exc import ArgumentError, DatabaseError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import StaticPool

from db import migrations
from miner.errors import SchemaError, UsageError

DEFAULT_DB = "miner.db"


def to_url(db: str) -> str:
    """A SQLAlchemy URL for a file path, `:memory:` or an URL (returned unchanged)."""
    if "://" in db:
        return db
    if db == ":memory:":
        return "sqlite://"
    return f"sqlite:///{os.path.abspath(db)}"


def display_url(db: str) -> str:
    """The database as a reader may be shown it: a file path as given, a URL without password."""
    if "://" not in db:
        return db
    from sqlalchemy.engine import make_url

    try:
        return make_url(db).render_as_string(hide_password=True)
    except ArgumentError:
        return db.split("@")[-1]


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _sqlite_read_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(db: str, *, read_only: bool = False) -> Engine:
    """An engine with SQLite pragmas (WAL, foreign keys, busy timeout) and the schema applied.

    `read_only` (an existing database): opened read-only, journal mode and schema untouched; a
    schema older or newer than this code is a SchemaError saying what to run.
    """
    url = to_url(db)
    if read_only and url.startswith("sqlite:///"):  # SQLite's read-only mode: no WAL, no journal
        url = f"sqlite:///file:{quote(url[len('sqlite:///') :])}?mode=ro&uri=true"
    elif url.startswith("sqlite:///"):
        parent = os.path.dirname(url[len("sqlite:///") :])
        if parent and not os.path.isdir(parent):
            raise UsageError(f"cannot create database {db!r}: folder {parent!r} does not exist")
    try:
        if url == "sqlite://":  # one in-memory database shared by every session and thread
            engine = create_engine(
                url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        elif read_only and url.startswith("postgresql"):  # every transaction READ ONLY
            engine = create_engine(url, execution_options={"postgresql_readonly": True})
        else:
            engine = create_engine(url)
    except (ArgumentError, ImportError, ValueError) as exc:
        raise UsageError(
            f"cannot open database {db!r}: {exc}; pass a file path or a SQLAlchemy URL"
        ) from exc
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_read_pragmas if read_only else _sqlite_pragmas)
    try:
        if read_only:
            with engine.connect() as conn:
                migrations.check_current(conn)
        else:
            with engine.begin() as conn:
                migrations.apply(conn)
    except DatabaseError as exc:  # unreadable, read-only, not a database, server down...
        engine.dispose()
        raise UsageError(
            f"cannot open database {db!r}: {exc.orig}; pass another --db (a new path makes a new one)"
        ) from exc
    except SchemaError:
        engine.dispose()
        raise
    return engine


STORAGE_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS, errno.EIO}
_STORAGE_WORDS = ("disk is full", "disk i/o error", "readonly database", "read-only file system")


def storage_failure(exc: BaseException) -> str | None:
    """A one-line message when exc is the storage failing (disk full, read-only, I/O error),
    else None. What was committed before it is intact (SQLite rolls the transaction back)."""
    if isinstance(exc, OSError) and exc.errno in STORAGE_ERRNOS:
        where = f" ({exc.filename})" if exc.filename else ""
        return f"cannot write{where}: {exc.strerror}; free space and run the command again"
    if isinstance(exc, DBAPIError):
        text = str(exc.orig).strip().splitlines()[0] if str(exc.orig).strip() else ""
        if any(w in text.lower() for w in _STORAGE_WORDS):
            return (
                f"database write failed: {text}; what was committed before is kept; "
                "free space and run the command again"
            )
    return None


def make_session(engine: Engine) -> sessionmaker[Session]:
    """A session factory bound to engine."""
    return sessionmaker(engine, expire_on_commit=False)


def on_commit(session: Session, fn: Callable[[], None]) -> Callable[[], None]:
    """Call fn after every commit of this session; returns the function that stops it."""

    def listener(_session: Session) -> None:
        fn()

    event.listen(session, "after_commit", listener)
    return lambda: event.remove(session, "after_commit", listener)
