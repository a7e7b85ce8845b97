"""Every command has help text with an example and a section in README.md; the quickstart is true."""

from __future__ import annotations

import pytest

from miner.cli import cli
from tests.helpers.paths import ROOT

README = (ROOT / "README.md").read_text()


@pytest.mark.parametrize("name", sorted(cli.commands))
def test_command_documented(name: str) -> None:
    command = cli.commands[name]
    assert command.help and "Example" in command.help, f"{name} help needs an example"
    assert f"miner {name}" in README or f"miner --db demo.db {name}" in README, (
        f"README lacks `miner {name}`"
    )


def test_quickstart_has_exactly_the_two_setup_commands() -> None:
    quick = README.split("## Quickstart", 1)[1].split("\n## ", 1)[0]
    block = quick.split("```", 2)[1]
    commands = [
        line for line in block.splitlines() if line.strip() and not line.startswith(("#", "sh"))
    ]
    assert commands == ["make demo", "make test"]


def test_readme_code_fences_are_closed() -> None:
    """An unclosed fence swallowed a whole section into a code block (issue 16)."""
    fences = [line for line in README.splitlines() if line.startswith("```")]
    assert len(fences) % 2 == 0
    assert all(f == "```" for f in fences[1::2]), "a closing fence carries a language"
