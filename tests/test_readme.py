"""Every README example marked ```console runs against the demo database and prints what README
shows (issue 16). Regenerate after an intended change: python -m tests.helpers.readme --update."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.paths import ROOT
from tests.helpers.readme import check, console_blocks


def test_readme_examples_print_what_readme_shows(demo_db: Path) -> None:
    readme = ROOT / "README.md"
    assert len(console_blocks(readme.read_text())) >= 5
    diffs = check(readme, demo_db)
    report = "\n".join(f"$ {c}\n--- README\n{e}--- now\n{g}" for c, e, g in diffs)
    assert not diffs, "README examples differ (python -m tests.helpers.readme --update):\n" + report
