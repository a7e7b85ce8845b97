"""Paths and readers for recorded HTTP responses: trimmed copies here, full ones in ../shared."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

LOCAL = Path(__file__).resolve().parent / "fixtures" / "http"
SHARED = next(
    (
        p / "shared" / "fixtures" / "http"
        for p in Path(__file__).resolve().parents
        if (p / "shared" / "fixtures").is_dir()
    ),
    Path("/nonexistent"),
)
"""../shared/fixtures/http of the checkout, or of any parent folder (worktrees sit one level deeper)."""


def local(relpath: str) -> bytes:
    """A trimmed recorded response kept in tests/fixtures/http (always present)."""
    return (LOCAL / relpath).read_bytes()


def shared(relpath: str) -> bytes:
    """A full recorded response from ../shared/fixtures/http (gunzipped), or skip when absent."""
    path = SHARED / relpath
    if not path.is_file():
        pytest.skip(f"recorded response not found: {path}")
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data
