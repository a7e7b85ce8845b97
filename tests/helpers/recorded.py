"""Paths and readers for recorded HTTP responses: trimmed copies here, full ones in ../shared."""

from __future__ import annotations

import gzip

import pytest

from tests.helpers.paths import FIXTURES, LOCAL_FIXTURES

LOCAL = LOCAL_FIXTURES
"""tests/fixtures/http: trimmed recorded responses (always present)."""
SHARED = FIXTURES
"""../shared/fixtures/http, found by tests.helpers.paths.find_shared ($MINER_SHARED first)."""


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
