"""README examples as tests: every ```console block is run and its output compared.

A block holds `$ miner ...` lines, each followed by the output it prints (stdout and stderr, as a
terminal shows them). Commands run in-process in a fresh folder that holds a copy of the demo
database as `demo.db` (or nothing, for the block that makes it with `miner --db demo.db demo`).

    python -m tests.helpers.readme README.md          # show where README and reality differ
    python -m tests.helpers.readme README.md --update # rewrite the outputs in README.md
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

BLOCK = re.compile(r"^```console\n(.*?)^```$", re.S | re.M)


@dataclass
class Example:
    """One `$ miner ...` line of a console block and the output README shows for it."""

    command: str
    expected: str


def examples(block: str) -> list[Example]:
    """The commands of one console block with their expected output."""
    out: list[Example] = []
    for line in block.splitlines():
        if line.startswith("$ "):
            out.append(Example(line[2:], ""))
        elif out:
            out[-1].expected += line + "\n"
    return out


def console_blocks(text: str) -> list[tuple[int, str]]:
    """(start offset, body) of every console block."""
    return [(m.start(1), m.group(1)) for m in BLOCK.finditer(text)]


@contextmanager
def folder(demo_db: Path | None) -> Iterator[Path]:
    """A fresh working folder, with demo.db copied in when given."""
    with tempfile.TemporaryDirectory() as tmp:
        here = os.getcwd()
        os.chdir(tmp)
        try:
            if demo_db is not None:
                from tests.helpers.databases import copy_db

                copy_db(demo_db, Path(tmp) / "demo.db")
            yield Path(tmp)
        finally:
            os.chdir(here)


def run(command: str) -> str:
    """What `command` (a `miner ...` line) prints, stdout and stderr interleaved."""
    from click.testing import CliRunner

    from miner.cli import cli

    args = shlex.split(command.split("  #")[0])
    if args[0] != "miner":
        raise ValueError(f"not a miner command: {command}")
    env = {"MINER_DATA_DIR": ".miner-data", "COLUMNS": "200"}
    result = CliRunner().invoke(cli, args[1:], env=env, catch_exceptions=False)
    return normalize(result.output)


def normalize(text: str) -> str:
    """Output without trailing spaces, ending in one newline (or empty)."""
    lines = [line.rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return "\n".join(lines) + "\n" if lines else ""


def makes_db(items: list[Example]) -> bool:
    """Whether a block builds the demo database itself (`miner --db demo.db demo`)."""
    return any(re.search(r"--db demo\.db demo\b", e.command) for e in items)


def check(readme: Path, demo_db: Path) -> list[tuple[str, str, str]]:
    """(command, expected, got) for every example whose output differs."""
    diffs = []
    for _, block in console_blocks(readme.read_text()):
        items = examples(block)
        with folder(None if makes_db(items) else demo_db):
            for e in items:
                got = run(e.command)
                if got != normalize(e.expected):
                    diffs.append((e.command, normalize(e.expected), got))
    return diffs


def update(readme: Path, demo_db: Path) -> None:
    """Rewrite every console block with the outputs the commands print now."""
    text = readme.read_text()
    for start, block in reversed(console_blocks(text)):
        items = examples(block)
        with folder(None if makes_db(items) else demo_db):
            body = "".join(f"$ {e.command}\n{run(e.command)}" for e in items)
        text = text[:start] + body + text[start + len(block) :]
    readme.write_text(text)


def main(argv: list[str]) -> int:
    readme = Path(argv[0]) if argv else Path("README.md")
    with folder(None) as tmp:
        run("miner --db demo.db -q demo")
        demo = Path(tempfile.mkdtemp()) / "demo.db"
        shutil.copy(tmp / "demo.db", demo)
    if "--update" in argv:
        update(readme.resolve() if readme.is_absolute() else Path.cwd() / readme, demo)
        return 0
    diffs = check(readme, demo)
    for command, expected, got in diffs:
        print(f"$ {command}\n--- README\n{expected}--- now\n{got}")
    return 1 if diffs else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
