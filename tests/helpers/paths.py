"""Where things are: the checkout and the shared material beside it (the one lookup of ../shared)."""

from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The checkout (the folder holding miner/, tests/, pyproject.toml)."""


def find_shared() -> Path:
    """The shared material: $MINER_SHARED, else the nearest `shared/` in a parent folder of the checkout.

    Worktrees sit one level deeper than the main checkout, hence "nearest" rather than "beside".
    When none exists, `../shared` (absent): tests needing it skip.
    """
    if os.environ.get("MINER_SHARED"):
        return Path(os.environ["MINER_SHARED"])
    for parent in ROOT.parents:
        if (parent / "shared").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = find_shared()
CORPUS = SHARED / "corpus"
"""Real papers: `pdfs/` (the corpus) and `awkward/` (scanned, odd files)."""
GOLD = SHARED / "gold"
"""Hand labels: `dev.csv`."""
FIXTURES = SHARED / "fixtures" / "http"
"""Full recorded HTTP responses (trimmed copies are in tests/fixtures/http)."""
LOCAL_FIXTURES = ROOT / "tests" / "fixtures" / "http"
"""Trimmed recorded HTTP responses kept in the repository (always present)."""
REPO_FACTS = SHARED / "fixtures" / "repos"
"""Facts about the corpus papers' code repositories: one JSON per repository, `index.csv`."""
