"""Shape and type checks for parsed source payloads (pure).

A response of the wrong shape (a list where a string belongs, a string where a list belongs, a
NUL byte in an id, a year in superscript digits) raises ParseError naming the source and the
offending field, so a crawl records one line instead of a traceback or a silently wrong row.
"""

from __future__ import annotations

import re
from typing import Any

from miner.errors import ParseError
from miner.sources.source import CONTROL_RE, clean

MAX_ID = 200
YEAR_RE = re.compile(r"[0-9]{4}")
"""ASCII digits only: str.isdigit() also accepts superscripts such as `²⁰²²`."""


def ident(source: str, field: str, value: Any) -> str:
    """A non-empty id (string or int) without control characters, at most MAX_ID long."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise ParseError(source, field, f"expected an id, got {type(value).__name__}")
    text = str(value).strip()
    if not text or len(text) > MAX_ID or CONTROL_RE.search(text):
        raise ParseError(source, field, f"not a usable id: {text[:40]!r}")
    return text


def text(source: str, field: str, value: Any) -> str | None:
    """A string field (whitespace collapsed) or None; a list, number or object is an error."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise ParseError(source, field, f"expected a string, got {type(value).__name__}")
    return clean(value)


def strings(source: str, field: str, value: Any) -> tuple[str, ...]:
    """A list of strings (authors); a bare string is an error, never split into characters."""
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ParseError(source, field, f"expected a list of strings, got {type(value).__name__}")
    out = (text(source, f"{field}[{i}]", item) for i, item in enumerate(value))
    return tuple(t for t in out if t)


def year(source: str, field: str, value: str | None) -> int | None:
    """A four-digit ASCII year between 1900 and 2100, or None when absent."""
    if value is None:
        return None
    value = value.strip()
    if not YEAR_RE.fullmatch(value) or not 1900 <= int(value) <= 2100:
        raise ParseError(source, field, f"not a year: {value[:40]!r}")
    return int(value)
