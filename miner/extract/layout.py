"""Page layout: a page's lines -> blocks in reading order, with footnotes marked (pure).

Takes the `page.get_text("dict")` structure (plain dicts) or the compiled walker's line
summaries of the same text page (`PageLines`), never a file or the network.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from miner.extract.sections import HEADING_WORDS, heading_section
from miner.extract.text import _LIGATURES

SUPERSCRIPT = 1
BOLD = 16


@dataclass(slots=True)
class RawBlock:
    """A text block of one page before sections are assigned."""

    page: int
    bbox: tuple[float, float, float, float]
    lines: list[str]
    size: float
    """Dominant font size (character-weighted)."""
    bold: bool = False
    """The first line is set in bold."""
    footnote: bool = False
    rotated: bool = False
    """Text not set horizontally (margin stamps such as arXiv's); read after the page."""
    chars: int = field(default=0)
    markers: list[tuple[str, str]] = field(default_factory=list)
    """Footnote markers in the text: (marker, the text before it)."""
    line_sizes: list[float] = field(default_factory=list)
    """Dominant font size of each line (as `size`, for one line)."""

    @property
    def text(self) -> str:
        """Lines joined by newlines (raw, not de-hyphenated)."""
        return "\n".join(self.lines)


_MARKS = frozenset("0123456789*†‡§¶∗")


def _line_text(line: dict[str, Any]) -> tuple[str, dict[float, int], bool, list[tuple[str, int]]]:
    """Text of one line with footnote markers set apart by spaces, and where the markers are.

    Also the line's characters by font size (rounded to 0.5) and whether it is all bold.
    A footnote marker is a short superscript, or a small raised digit/symbol (not a subscript).
    """
    spans = [s for s in line["spans"] if s["text"]]
    if not spans:
        return "", {}, False, []
    main = spans[0]  # the first of the largest spans: its baseline is the line's
    for s in spans:
        if s["size"] > main["size"]:
            main = s
    line_size = float(main["size"])
    small = 0.85 * line_size
    raised = float(main["origin"][1]) - 0.5
    parts: list[str] = []
    end = 0  # len("".join(parts))
    last = ""  # its last character
    sizes: dict[float, int] = {}
    markers: list[tuple[str, int]] = []
    bold = True
    prev_sup = False
    for span in spans:
        t = span["text"]
        if not t.isascii():  # every ligature and odd space is outside ASCII
            t = t.translate(_LIGATURES)
        short = t.strip()
        flags = span["flags"]
        sup = False
        if 0 < len(short) <= 3:
            sup = (
                bool(flags & SUPERSCRIPT)
                or not (span["size"] >= small or span["origin"][1] >= raised)
                and all(c in _MARKS or c.isdigit() for c in short)
            )
        if sup and last.isalnum() or prev_sup and t[:1].isalnum():
            t = " " + t
        if sup:
            markers.append((short, end))
        prev_sup = sup
        parts.append(t)
        end += len(t)
        if t:
            last = t[-1]
        if short:
            key = round(float(span["size"]) * 2) / 2
            sizes[key] = sizes.get(key, 0) + len(t)
            bold = bold and bool(flags & BOLD)
    text = "".join(parts)
    return text, sizes, bold and bool(text.strip()), markers


MARGIN_NUMBER_PT = 6.5
"""Largest font size of a review draft's margin line numbers (JOSS, conference drafts)."""


def _margin_number(text: str, sizes: dict[float, int], block_size: float) -> bool:
    """A line that is only a margin line number: 1-4 digits set far smaller than the text
    around it (or tiny), which would otherwise be read into titles and sentences."""
    digits = text.strip()
    if not (digits.isdigit() and len(digits) <= 4) or not sizes:
        return False
    size = max(sizes)
    return size <= MARGIN_NUMBER_PT or size < 0.6 * block_size


Line = tuple[
    str, dict[float, int], bool, list[tuple[str, int]], tuple[float, ...], bool, float, bool
]
"""One line of a page that is read (not blank, not a margin number): `_line_text`'s (text,
sizes, bold, markers), its bbox, whether it is set rotated, its dominant size (the first of
the most used in `sizes`) and `maybe_heading` (see `may_be_heading`)."""
PageLines = list[list[Line]]
"""A page's text blocks as their lines: what `page_blocks` reads, made by `dict_lines` from
PyMuPDF's text dictionary or by the compiled walker (miner.extract.native) from the text page."""


def _skipped(text: str, sizes: dict[float, int], top: float) -> bool:
    """A blank line, or a margin line number (by the block's largest type, `top`)."""
    digits = text.strip()
    if not digits.isdigit():
        return not digits
    return _margin_number(text, sizes, top)


def may_be_heading(text: str) -> bool:
    """False when `heading_section(text)` is surely None: ASCII text whose lower case holds
    none of HEADING_WORD_LIST (the walker computes the same in C)."""
    return not text.isascii() or HEADING_WORDS.search(text.lower()) is not None


def dict_lines(info: dict[str, Any]) -> PageLines:
    """The lines of `page.get_text("dict")`'s text blocks (the pure-Python path)."""
    out: PageLines = []
    for block in info["blocks"]:
        if block["type"] != 0:
            continue
        top = max((s["size"] for ln in block["lines"] for s in ln["spans"]), default=0.0)
        lines: list[Line] = []
        for line in block["lines"]:
            text, sizes, bold, markers = _line_text(line)
            if _skipped(text, sizes, top):
                continue
            rotated = abs(line["dir"][1]) > 0.5
            size = max(sizes, key=sizes.__getitem__)
            bbox = tuple(line["bbox"])
            lines.append((text, sizes, bold, markers, bbox, rotated, size, may_be_heading(text)))
        out.append(lines)
    return out


def page_blocks(page_no: int, page: PageLines) -> list[RawBlock]:
    """Text blocks of one page, split at headings, unordered."""
    out: list[RawBlock] = []
    for lines in page:
        current: RawBlock | None = None
        sizes: dict[float, int] = {}
        for text, line_sizes, bold, markers, bbox, rotated, line_size, maybe in lines:
            # A heading inside a block starts a new block so that sections switch there.
            # (`maybe` and HEADING_WORDS first: heading_section's own pre-checks, cheaper.)
            if (
                current is None
                or rotated != current.rotated
                or maybe
                and HEADING_WORDS.search(text.casefold()) is not None
                and heading_section(text) is not None
            ):
                if current is not None:
                    _finish(current, sizes)
                    out.append(current)
                current = RawBlock(page_no, bbox, [], 0.0, bold=bold, rotated=rotated)  # type: ignore[arg-type]
                sizes = {}
            else:
                x0, y0, x1, y1 = current.bbox
                # min() and max() as written out: min(a, b) is b only if b < a (NaN, -0.0)
                current.bbox = (
                    bbox[0] if bbox[0] < x0 else x0,
                    bbox[1] if bbox[1] < y0 else y0,
                    bbox[2] if bbox[2] > x1 else x1,
                    bbox[3] if bbox[3] > y1 else y1,
                )
            for marker, pos in markers:
                if pos > 0:
                    before = " ".join(current.lines[-3:] + [text[:pos]])
                    current.markers.append((marker, before[-300:]))
            current.lines.append(text)
            current.line_sizes.append(line_size)
            for size, n in line_sizes.items():
                sizes[size] = sizes.get(size, 0) + n
        if current is not None:
            _finish(current, sizes)
            out.append(current)
    return out


def _finish(block: RawBlock, sizes: dict[float, int]) -> None:
    """Set the block's dominant size (the first of the most used) and its character count."""
    block.size = max(sizes.items(), key=lambda kv: kv[1])[0] if sizes else 0.0
    block.chars = sum(sizes.values())


def reading_order(blocks: list[RawBlock], width: float) -> list[RawBlock]:
    """Blocks in reading order: one column top to bottom, or two columns left then right.

    Blocks spanning both columns (title, wide figures) cut the page into bands; within a band
    the left column is read before the right one.
    """
    rotated = [b for b in blocks if b.rotated]
    blocks = [b for b in blocks if not b.rotated]
    mid = width / 2

    def side(b: RawBlock) -> str:
        x0, _, x1, _ = b.bbox
        if x1 <= mid + width * 0.04:
            return "L"
        if x0 >= mid - width * 0.04:
            return "R"
        return "F"

    sides = [side(b) for b in blocks]
    right_chars = sum(b.chars for b, s in zip(blocks, sides, strict=True) if s == "R")
    total = sum(b.chars for b in blocks) or 1
    if right_chars < 0.15 * total:
        return sorted(blocks, key=lambda b: (round(b.bbox[1]), b.bbox[0])) + rotated
    ordered: list[RawBlock] = []
    pending: list[tuple[str, RawBlock]] = []
    for s, b in sorted(zip(sides, blocks, strict=True), key=lambda p: p[1].bbox[1]):
        if s == "F":
            ordered.extend(_columns(pending))
            pending = []
            ordered.append(b)
        else:
            pending.append((s, b))
    ordered.extend(_columns(pending))
    return ordered + rotated


def _columns(pending: list[tuple[str, RawBlock]]) -> list[RawBlock]:
    left = [b for s, b in pending if s == "L"]
    right = [b for s, b in pending if s == "R"]
    return sorted(left, key=lambda b: b.bbox[1]) + sorted(right, key=lambda b: b.bbox[1])


def body_size(blocks: list[RawBlock]) -> float:
    """The font size most text of the document is set in."""
    sizes: Counter[float] = Counter()
    for b in blocks:
        sizes[b.size] += b.chars
    return sizes.most_common(1)[0][0] if sizes else 0.0


_TWO_LETTERS = re.compile(r"[A-Za-z]{2}")


def mark_footnotes(blocks: list[RawBlock], height: float, body: float) -> list[RawBlock]:
    """Flag footnotes (small type in the lower part of the page) and move them to the page end."""
    main: list[RawBlock] = []
    notes: list[RawBlock] = []
    for b in blocks:
        low = b.bbox[1] > height * 0.6
        small = 0 < b.size <= body - 0.9
        first = b.lines[0].lstrip()[:1] if b.lines else ""
        marker = first.isdigit() or first in "*†‡§¶∗"
        if not (low and small):  # the only case below that reads the text
            main.append(b)
            continue
        text = b.text
        if not _TWO_LETTERS.search(text):
            marker = False  # margin line numbers, page numbers
        if marker or "http" in text or "github" in text.lower():
            b.footnote = True
            notes.append(b)
        else:
            main.append(b)
    return main + notes
