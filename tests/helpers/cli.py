"""`Miner`: runs the `miner` CLI in-process against one database file."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner, Result


class Miner:
    """Runs `miner` in-process against one database file."""

    def __init__(self, db: Path, data_dir: Path) -> None:
        self.db = db
        self.data_dir = data_dir
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Result:
        from miner.cli import cli

        result = self.runner.invoke(
            cli, ["--db", str(self.db), "--data-dir", str(self.data_dir), *args]
        )
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"miner {' '.join(args)} exited {result.exit_code}:\n{result.output}\n"
                f"{result.stderr if result.stderr_bytes is not None else ''}"
            )
        return result

    def create(self) -> Miner:
        """Make the (empty, migrated) database, as a first `ingest` or `crawl` would."""
        from db import make_engine

        make_engine(str(self.db)).dispose()
        return self

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)

    def lines(self, *args: str) -> list[dict[str, object]]:
        return [json.loads(line) for line in self(*args).stdout.splitlines() if line.strip()]
