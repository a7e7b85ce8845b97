"""Read a PDF's bytes with PyMuPDF into an ExtractedDoc (pure: no DB, no network)."""

from __future__ import annotations

import logging
import re
import time

import pymupdf

from miner.extract.links import find_urls, normalize_url
from miner.extract.sections import assign_sections
from miner.records import Block, ExtractedDoc, Link

logger = logging.getLogger(__name__)

pymupdf.TOOLS.mupdf_display_errors(False)

MIN_CHARS_PER_PAGE = 50


def dehyphenate(text: str) -> str:
    """Join a block's lines into running text, re-joining words hyphenated at a line end."""
    text = re.sub(r"(?<=[a-z])-\n(?=[a-z])", "", text)
    text = re.sub(r"(?<=[/_.])\n(?=\S)", "", text)
    return re.sub(r"[ \t]*\n[ \t]*", " ", text).strip()


def check_magic(data: bytes) -> ExtractedDoc | None:
    """A terminal ExtractedDoc for bytes that are not a PDF at all, else None."""
    if not data:
        return ExtractedDoc(status="empty", error="file is empty (0 bytes)")
    if b"%PDF" not in data[:1024]:
        return ExtractedDoc(status="not_pdf", error="no %PDF header: not a PDF file")
    return None


def extract_pdf(data: bytes, *, max_pages: int = 300, time_budget: float = 120.0) -> ExtractedDoc:
    """Extract blocks (text in reading order, with page and section) and links from a PDF.

    Never raises for bad input: corrupt, encrypted, empty, image-only and non-PDF bytes come
    back as an ExtractedDoc with the matching status and a message.
    """
    bad = check_magic(data)
    if bad is not None:
        return bad
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        return ExtractedDoc(status="corrupt", error=f"cannot open PDF: {exc}")
    with doc:
        if doc.needs_pass and not doc.authenticate(""):
            return ExtractedDoc(status="encrypted", error="PDF is password-protected")
        try:
            return _read(doc, max_pages=max_pages, time_budget=time_budget)
        except (RuntimeError, ValueError) as exc:
            return ExtractedDoc(status="corrupt", error=f"error while reading PDF: {exc}")


def _read(doc: pymupdf.Document, *, max_pages: int, time_budget: float) -> ExtractedDoc:
    started = time.monotonic()
    raw: list[tuple[int, str]] = []
    annots: list[tuple[int, str]] = []
    page_count = doc.page_count
    truncated = False
    for index in range(page_count):
        if index >= max_pages or time.monotonic() - started > time_budget:
            truncated = True
            break
        page = doc.load_page(index)
        for block in page.get_text("blocks", sort=True):
            if block[6] == 0 and block[4].strip():
                raw.append((index + 1, block[4]))
        # Walk the link chain instead of page.get_links(), which also resolves every internal
        # destination (loading target pages): a third of extraction time on papers (#7).
        link = page.first_link
        while link:
            uri = link.uri
            if uri and uri.lower().startswith(("http://", "https://", "www.")):
                annots.append((index + 1, uri))
            link = link.next
    sections = assign_sections(raw)
    blocks = tuple(
        Block(page=p, section=s, text=dehyphenate(t))
        for (p, t), s in zip(raw, sections, strict=True)
    )
    links = collect_links(raw, sections, annots)
    chars = sum(len(b.text) for b in blocks)
    meta_title = (doc.metadata or {}).get("title") or None
    done = min(page_count, max_pages)
    if chars < MIN_CHARS_PER_PAGE * max(done, 1):
        return ExtractedDoc(
            status="no_text",
            error=f"no text layer: {chars} characters on {done} pages (scanned? OCR not done)",
            page_count=page_count,
            blocks=blocks,
            links=links,
            title=meta_title,
            truncated=truncated,
        )
    note = None
    if truncated:
        note = (
            f"stopped after {len(set(p for p, _ in raw))} of {page_count} pages (page cap or time)"
        )
    return ExtractedDoc(
        status="ok",
        error=note,
        page_count=page_count,
        blocks=blocks,
        links=links,
        title=meta_title,
        truncated=truncated,
    )


def collect_links(
    raw: list[tuple[int, str]], sections: list[str], annots: list[tuple[int, str]]
) -> tuple[Link, ...]:
    """Distinct normalized links from annotations first, then from the text."""
    seen: dict[str, Link] = {}
    for page, uri in annots:
        if not uri.lower().startswith(("http://", "https://", "www.")):
            continue
        url, host, kind = normalize_url(uri)
        seen.setdefault(
            url.lower(),
            Link(url=url, kind=kind, host=host, page=page, origin="annotation", raw=uri),
        )
    for (page, text), section in zip(raw, sections, strict=True):
        for found in find_urls(text):
            url, host, kind = normalize_url(found)
            key = url.lower()
            if key not in seen:
                seen[key] = Link(
                    url=url,
                    kind=kind,
                    host=host,
                    page=page,
                    origin="text",
                    section=section,
                    raw=found,
                )
    return tuple(seen.values())
