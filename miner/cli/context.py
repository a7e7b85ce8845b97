"""The options of the `miner` group, handed to every command, and its database (no click)."""

from __future__ import annotations

import os
from typing import Any

from miner.errors import UsageError

CREATES_DB = frozenset({"ingest", "crawl", "run", "demo"})
"""Commands that may start a new database; every other command refuses a missing file."""
READ_ONLY_COMMANDS = frozenset(
    {"tally", "papers", "status", "show", "export", "report", "plot", "serve"}
)
"""Commands that only read: they open an existing database read-only (SQLite's read-only mode,
PostgreSQL read-only transactions; no WAL switch, no migration) and refuse one whose schema is
older, saying to run a writing command (#18)."""


class Ctx:
    """Options of the group, passed to every command."""

    def __init__(
        self, db: str, data_dir: str, quiet: bool, verbose: int, command: str | None = None
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.quiet = quiet
        self.verbose = verbose
        self.command = command
        """The subcommand being run (decides whether a missing database may be created)."""
        self.read_only = command in READ_ONLY_COMMANDS
        self._engine: Any = None
        self._new_file: str | None = None

    @property
    def engine(self) -> Any:
        """The database engine, created (and migrated) on first use. Only the commands in
        CREATES_DB start a new SQLite file; the others refuse a missing one (a mistyped --db).
        READ_ONLY_COMMANDS open an existing SQLite file read-only."""
        if self._engine is None:
            from db import make_engine

            path = self.db.removeprefix("sqlite:///")
            if "://" not in path and path != ":memory:" and not os.path.exists(path):
                if self.command not in CREATES_DB:
                    folder = os.path.dirname(os.path.abspath(path))
                    where = "" if os.path.isdir(folder) else f" (folder {folder} does not exist)"
                    raise UsageError(
                        f"no database at {path}{where}: check --db (or MINER_DB), or create one "
                        f"with `miner --db {path} ingest PDFS` or `miner --db {path} crawl SOURCE`"
                    )
                self._new_file = path
            server = "://" in path and not path.startswith("sqlite:")  # PostgreSQL...
            exists = server or "://" not in path and os.path.isfile(path)
            self._engine = make_engine(self.db, read_only=self.read_only and exists)
        return self._engine

    def close(self) -> None:
        """Close the database connections (PostgreSQL servers see a clean disconnect)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def discard_new_db(self) -> None:
        """After a user mistake, remove the database file this invocation created (nothing written)."""
        self.close()
        if self._new_file:
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(self._new_file + suffix):
                    os.remove(self._new_file + suffix)
