"""Read a PDF's bytes with PyMuPDF into an ExtractedDoc (pure: no DB, no network)."""

from __future__ import annotations

import gc
import logging
import re
import time
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from typing import Any

import pymupdf
from pymupdf import mupdf

from miner.extract.layout import (
    RawBlock,
    body_size,
    dict_lines,
    mark_footnotes,
    page_blocks,
    reading_order,
)
from miner.extract.native import anchor_texts, page_lines, wanted
from miner.extract.own import WEB_SCHEMES, Annotation, collect_links
from miner.extract.sections import assign_sections
from miner.extract.text import dehyphenate, join_lines
from miner.records import Block, ExtractedDoc

logger = logging.getLogger(__name__)

pymupdf.TOOLS.mupdf_display_errors(False)

TEXT_FLAGS = pymupdf.TEXTFLAGS_DICT & ~pymupdf.TEXT_PRESERVE_IMAGES
"""Text page flags: what get_text("dict") reads, without decoding images."""
MIN_CHARS_PER_PAGE = 50
MAX_PAGES = 300
TIME_BUDGET = 120.0
MAX_CHARS = 5_000_000
"""Text beyond which a document is `too_large` (a 300-page book holds about 1.5 million)."""
_MEMORY = re.compile(r"\b(?:malloc|calloc|realloc)\b.*failed|out of memory", re.I)

__all__ = ["MAX_CHARS", "MAX_PAGES", "TIME_BUDGET", "check_magic", "dehyphenate", "extract_pdf"]


def check_magic(data: bytes) -> ExtractedDoc | None:
    """A terminal ExtractedDoc for bytes that are not a PDF at all, else None."""
    if not data:
        return ExtractedDoc(status="empty", error="file is empty (0 bytes)")
    if b"%PDF" not in data[:1024]:
        html = data[:512].lstrip().lower().startswith((b"<!doctype", b"<html"))
        kind = " (looks like an HTML page)" if html else ""
        return ExtractedDoc(status="not_pdf", error=f"no %PDF header: not a PDF file{kind}")
    return None


def extract_pdf(
    data: bytes,
    *,
    max_pages: int = MAX_PAGES,
    time_budget: float = TIME_BUDGET,
    native: bool | None = None,
) -> ExtractedDoc:
    """Extract blocks (text in reading order, with page and section) and links from a PDF.

    Never raises for bad input: corrupt, encrypted, empty, image-only and non-PDF bytes come
    back as an ExtractedDoc with the matching status and a message. Reading stops at
    `max_pages` pages (`ok`, `truncated`), after `time_budget` seconds (`timeout`, checked
    inside a page too) or past MAX_CHARS characters or out of memory (`too_large`).
    Pages are read by the compiled walker when it is available (`native=None`: unless
    MINER_NATIVE=0), else through PyMuPDF's text dictionary; both give the same output.
    """
    bad = check_magic(data)
    if bad is not None:
        return bad
    # The span dicts are trees freed by reference counting: CPython's collector, triggered by
    # their allocations, found nothing to free and cost ~5% of the CPU (#17). Off per document.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _extract(data, max_pages, time_budget, wanted(native))
    finally:
        if collecting:
            gc.enable()


def _extract(data: bytes, max_pages: int, time_budget: float, native: bool) -> ExtractedDoc:
    try:
        doc = pymupdf.open(stream=data, filetype="pdf")
    except (pymupdf.FileDataError, RuntimeError, ValueError) as exc:
        return ExtractedDoc(status="corrupt", error=f"cannot open PDF: {exc}")
    except MemoryError:
        return ExtractedDoc(status="too_large", error="out of memory opening the PDF")
    pages = 0
    try:
        with doc:
            # every call may walk a page tree MuPDF rejects (RuntimeError) or run out of memory
            if doc.needs_pass and not doc.authenticate(""):
                return ExtractedDoc(
                    status="encrypted",
                    error="PDF is password-protected (no empty user password)",
                    page_count=doc.page_count,
                )
            pages = doc.page_count
            if pages == 0:
                return ExtractedDoc(status="corrupt", error="PDF has no pages (damaged?)")
            return _read(doc, max_pages=max_pages, time_budget=time_budget, native=native)
    except MemoryError:
        return ExtractedDoc(status="too_large", error="out of memory", page_count=pages)
    except (RuntimeError, ValueError) as exc:
        if _MEMORY.search(str(exc)):  # MuPDF's allocation failures (under the worker's cap)
            return ExtractedDoc(status="too_large", error=f"out of memory: {exc}", page_count=pages)
        return ExtractedDoc(
            status="corrupt", error=f"error while reading PDF: {exc}", page_count=pages
        )


class _Stop(Exception):
    """Reading stops early: `status` (timeout or too_large) and why."""

    def __init__(self, status: str, why: str) -> None:
        super().__init__(why)
        self.status, self.why = status, why


def _read(
    doc: pymupdf.Document, *, max_pages: int, time_budget: float, native: bool
) -> ExtractedDoc:
    started = time.monotonic()
    raw: list[RawBlock] = []
    annots: list[Annotation] = []
    page_count = doc.page_count
    heights: dict[int, float] = {}
    done, chars = 0, 0
    stop: _Stop | None = None

    def check(index: int, always: bool = False) -> None:
        """Stop past the budgets; page 1's text is always read, its links only within budget."""
        if (index or always) and time.monotonic() - started > time_budget:
            raise _Stop("timeout", f"time budget {time_budget:g}s")
        if chars > MAX_CHARS:
            raise _Stop("too_large", f"more than {MAX_CHARS} characters of text")

    try:
        for index in range(min(page_count, max_pages)):
            check(index)
            page = doc.load_page(index)
            rect = page.rect
            textpage = page.get_textpage(flags=TEXT_FLAGS)
            lines = page_lines(textpage) if native else None
            if lines is None:
                lines = dict_lines(page.get_text("dict", textpage=textpage))
            check(index)  # a page that took the whole budget is not read on (#18)
            blocks = reading_order(page_blocks(index + 1, lines), rect.width)
            chars += sum(len(line) for b in blocks for line in b.lines)
            check(index)
            words: PageWords | None = None
            page_annots = []
            web = uri_links(page)
            anchors = anchor_texts(textpage, [box for _, box in web]) if native and web else None
            for n, (uri, box) in enumerate(web):
                if n % 256 == 255:
                    check(index, always=True)
                if anchors is not None:
                    page_annots.append(Annotation(index + 1, uri, box, anchors[n]))
                    continue
                if words is None:  # once per page: get_textbox per link cost ~0.1 s each
                    words = PageWords(page.get_text("words", textpage=textpage))
                page_annots.append(Annotation(index + 1, uri, box, words.anchor_text(box)))
            heights[index + 1] = rect.height
            raw.extend(blocks)
            annots.extend(page_annots)
            done += 1
    except _Stop as exc:
        stop = exc
    return _assemble(doc, raw, annots, heights, done, max_pages, stop)


def _assemble(
    doc: pymupdf.Document,
    raw: list[RawBlock],
    annots: list[Annotation],
    heights: dict[int, float],
    done: int,
    max_pages: int,
    stop: _Stop | None,
) -> ExtractedDoc:
    """The ExtractedDoc of the pages read: sections, footnotes, title, links and the status."""
    page_count = doc.page_count
    body = body_size(raw)
    by_page: dict[int, list[RawBlock]] = {}
    for b in raw:
        by_page.setdefault(b.page, []).append(b)
    ordered: list[RawBlock] = []
    for page_no in sorted(heights):
        ordered.extend(mark_footnotes(by_page.get(page_no, []), heights[page_no], body))
    sections = assign_sections([(b.page, b.text) for b in ordered])
    sections = footnote_sections(ordered, sections)
    blocks = tuple(
        Block(page=b.page, section=s, text=join_lines(b.lines), footnote=b.footnote)
        for b, s in zip(ordered, sections, strict=True)
    )
    title = guess_title(ordered)
    links = collect_links(ordered, sections, annots, title or "", [b.text for b in blocks])
    chars = sum(len(b.text) for b in blocks)
    meta_title = title or (doc.metadata or {}).get("title") or None
    truncated = done < page_count
    status, note = "ok", None
    if stop is None and chars < MIN_CHARS_PER_PAGE * max(done, 1):
        status = "no_text"
        note = f"no text layer: {chars} characters on {done} pages (scanned? OCR not done)"
    if truncated:
        why = stop.why if stop else "page cap"
        stop_note = f"stopped after {done} of {page_count} pages ({why})"
        note = f"{note}; {stop_note}" if note else stop_note
    if stop is not None:  # partial text is kept but never passes for a whole `ok` document
        status = stop.status
    return ExtractedDoc(
        status=status,
        error=note,
        page_count=page_count,
        blocks=blocks,
        links=links,
        title=meta_title,
        truncated=truncated,
    )


def uri_links(page: pymupdf.Page) -> list[tuple[str, tuple[float, float, float, float]]]:
    """(uri, rect) of the page's links to web addresses.

    Reads MuPDF's link list directly: page.get_links() resolves every internal destination
    (loading target pages) and Link.next re-reads the page's annotations each step (#7).
    """
    fz = page.this if isinstance(page.this, mupdf.FzPage) else page.this.super()
    out = []
    link = mupdf.fz_load_links(fz)
    while link.m_internal:
        uri = link.uri()
        if uri.lower().startswith(WEB_SCHEMES):
            r = link.rect()
            out.append((uri, (r.x0, r.y0, r.x1, r.y1)))
        link = link.next()
    return out


class PageWords:
    """A page's words (`get_text("words")` tuples) indexed by the height of their centre."""

    def __init__(self, words: Sequence[Sequence[Any]]) -> None:
        self.words = sorted(((w[1] + w[3]) / 2, i, w) for i, w in enumerate(words))
        self.ys = [cy for cy, _, _ in self.words]

    def anchor_text(self, rect: tuple[float, float, float, float]) -> str:
        """Text of the first line of words whose centre lies in rect (a link's anchor text).

        The rect often grazes the next line, so only the first line under it counts.
        """
        x0, y0, x1, y1 = rect
        lines: dict[tuple[int, int], list[tuple[float, float, str]]] = {}
        near = self.words[bisect_left(self.ys, y0) : bisect_right(self.ys, y1)]
        for _, _, w in sorted(near, key=lambda t: t[1]):  # in the page's word order
            if x0 <= (w[0] + w[2]) / 2 <= x1:
                lines.setdefault((int(w[5]), int(w[6])), []).append((w[1], w[0], str(w[4])))
        if not lines:
            return ""
        top = min(lines.values(), key=lambda ws: min(y for y, _, _ in ws))
        return " ".join(t for _, _, t in sorted(top, key=lambda w: w[1]))[:120]


def footnote_sections(blocks: list[RawBlock], sections: list[str]) -> list[str]:
    """A footnote belongs to the section its page starts in (not to a heading above it)."""
    out = list(sections)
    first: dict[int, str] = {}
    for b, s in zip(blocks, sections, strict=True):
        if not b.footnote:
            first.setdefault(b.page, s)
    for i, b in enumerate(blocks):
        if b.footnote and b.page in first:
            out[i] = first[b.page]
    return out


def guess_title(blocks: list[RawBlock]) -> str | None:
    """The title: the largest type among the upper half of page 1's blocks."""
    first = [b for b in blocks if b.page == 1 and not (b.footnote or b.rotated) and len(b.text) > 3]
    if not first:
        return None
    size = max(b.size for b in first)
    start = next(i for i, b in enumerate(first) if b.size == size)
    lines: list[str] = []
    for b in first[start:]:  # a title set over several blocks: take the run in that size
        # ... and weight: authors set in the title's size (ICASSP style) are not bold like it.
        if b.size != size or b.bold != first[start].bold:
            break
        # Within a block, stop at the first line set smaller (authors sharing the block).
        sizes = b.line_sizes or [size] * len(b.lines)
        cut = next((i for i, s in enumerate(sizes) if s < size - 0.5), len(sizes))
        lines.extend(b.lines[: max(cut, 1)])
        if cut < len(b.lines):
            break
    title = join_lines(lines).rstrip(" *∗†‡")  # footnote marks after the title
    return title[:300] if len(title) >= 4 else None
