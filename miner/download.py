"""Download PDFs into a content-addressed cache `data_dir/pdfs/ab/<sha256>.pdf` (HTTP + file IO).

Checks: http(s) only (redirects too), a size cap (Content-Length and decoded bytes, see
miner.bounded), a request deadline, a content type that can hold a PDF, the `%PDF-` magic and,
when the server sent Content-Length, that the whole body arrived.
The file is written to a temporary name in the same folder and renamed into place, so a crash never
leaves a half-written PDF under its final name. Nothing from the response becomes a path: the name
is the sha256 of the bytes.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import httpx

from miner.errors import FetchError
from miner.http import Fetcher

logger = logging.getLogger(__name__)

MAX_PDF_BYTES = 100 * 1024 * 1024
PDF_TYPES = (
    "application/pdf",
    "application/x-pdf",
    "application/octet-stream",
    "binary/octet-stream",
)
"""Content types a PDF is served with; octet-stream is common on mirrors and raw GitHub."""


@dataclass(frozen=True, slots=True)
class Downloaded:
    """A PDF now in the cache."""

    sha256: str
    size: int
    path: str


def cache_path(data_dir: str | Path, sha256: str) -> Path:
    """Where the PDF with this hash lives: data_dir/pdfs/<first two hex>/<sha256>.pdf."""
    if len(sha256) != 64 or any(c not in "0123456789abcdef" for c in sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return Path(data_dir) / "pdfs" / sha256[:2] / f"{sha256}.pdf"


def check_pdf_head(response: httpx.Response, max_bytes: int = MAX_PDF_BYTES) -> None:
    """Refuse a response by its headers before reading the body: wrong type, declared too large."""
    url = str(response.url)
    ctype = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if ctype and ctype not in PDF_TYPES:
        raise FetchError(url, f"not a PDF: Content-Type {ctype}")
    declared = response.headers.get("Content-Length")
    if declared and declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(url, f"too large: {declared} bytes > {max_bytes}")


def check_pdf_body(data: bytes, url: str) -> bytes:
    """data if it looks like a whole PDF (the %PDF- magic, an %%EOF near the end), else FetchError."""
    if not data.startswith(b"%PDF-"):
        raise FetchError(url, "not a PDF: body does not start with %PDF-")
    if b"%%EOF" not in data[-2048:]:
        raise FetchError(url, "truncated: no %%EOF marker at the end", retry=True)
    return data


def store_pdf(data_dir: str | Path, data: bytes) -> Downloaded:
    """Write bytes to the cache atomically (temp file + fsync + rename); idempotent."""
    sha = hashlib.sha256(data).hexdigest()
    path = cache_path(data_dir, sha)
    if path.is_file() and path.stat().st_size == len(data):
        return Downloaded(sha, len(data), str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Downloaded(sha, len(data), str(path))


def fetch_pdf(
    fetcher: Fetcher, url: str, data_dir: str | Path, max_bytes: int = MAX_PDF_BYTES
) -> Downloaded:
    """Download url into the cache and return its hash and path; raises FetchError on any failure.

    A body cut short is retried like a 5xx (same retry budget and backoff); a wrong type is not.
    """
    attempt = 0
    while True:
        response = fetcher.get(
            url, max_bytes=max_bytes, check=lambda r: check_pdf_head(r, max_bytes)
        )
        try:
            data = check_pdf_body(response.content, str(response.url))
        except FetchError as exc:
            if not exc.retry or attempt >= fetcher.retry.max_retries:
                raise
            logger.info("%s, retrying", exc)
            fetcher.limiter.sleep(fetcher.retry.backoff(attempt))
            attempt += 1
            continue
        return store_pdf(data_dir, data)


def clean_partials(data_dir: str | Path) -> int:
    """Remove temp files left by a killed download; returns how many were removed."""
    root = Path(data_dir) / "pdfs"
    removed = 0
    if root.is_dir():
        for tmp in root.glob("*/.part-*.tmp"):
            tmp.unlink(missing_ok=True)
            removed += 1
    return removed
