"""The compiled text walker (`_stext`, see native_build) and when to use it (pure: no IO).

`page_lines(textpage)` gives the same `PageLines` as `layout.dict_lines(page.get_text("dict"))`
on that text page, about ten times cheaper: PyMuPDF's span dictionary cost more CPU than
the rest of the extraction (#17). Off when the module was not built, was built for another
MuPDF, PyMuPDF's glyph settings differ from the defaults the walker copies, or MINER_NATIVE=0.
"""

from __future__ import annotations

import logging
import os
from functools import cache
from types import ModuleType
from typing import Any

import pymupdf
from pymupdf import mupdf

from miner.extract.layout import MARGIN_NUMBER_PT, PageLines
from miner.extract.sections import HEADING_WORD_LIST
from miner.extract.text import _LIGATURES

logger = logging.getLogger(__name__)

ENV = "MINER_NATIVE"
"""Set to 0 to read every page through PyMuPDF's text dictionary (the pure-Python path)."""

__all__ = ["ENV", "anchor_texts", "available", "page_lines", "wanted", "word_list"]


@cache
def _module() -> ModuleType | None:
    try:
        from miner.extract import _stext  # type: ignore[attr-defined]
    except ImportError as exc:
        logger.info("native text walker not available (%s): using the text dictionary", exc)
        return None
    if pymupdf.mupdf_version != _stext.MUPDF_VERSION:
        logger.warning(
            "native text walker built for MuPDF %s, PyMuPDF has %s: using the text dictionary"
            " (run `python -m miner.extract.native_build`)",
            _stext.MUPDF_VERSION,
            pymupdf.mupdf_version,
        )
        return None
    _stext.configure(_LIGATURES, HEADING_WORD_LIST, MARGIN_NUMBER_PT)
    return _stext


def available() -> bool:
    """The compiled walker is built for this PyMuPDF and loads."""
    return _module() is not None


def _defaults() -> bool:
    """PyMuPDF's glyph-box and font-name settings are the defaults the walker reproduces."""
    tools = pymupdf.TOOLS
    return not (
        tools.set_small_glyph_heights()
        or tools.unset_quad_corrections()
        or tools.set_subset_fontnames()
    )


def wanted(native: bool | None = None) -> bool:
    """Whether to read this document with the walker: `native`, else MINER_NATIVE (default on),
    and only when it is available and PyMuPDF's settings are the defaults."""
    if native is None:
        native = os.environ.get(ENV, "1") != "0"
    return native and available() and _defaults()


def page_lines(textpage: pymupdf.TextPage) -> PageLines | None:
    """The text page's blocks and line summaries; None if the page holds block types the
    walker does not read (structure, vectors), or when the walker is not available."""
    module = _module()
    if module is None:
        return None
    ctx = mupdf.internal_context_get()
    lines: PageLines | None = module.page_lines(textpage.this.m_internal_value(), int(ctx.this))
    return lines


def anchor_texts(
    textpage: pymupdf.TextPage, rects: list[tuple[float, float, float, float]]
) -> list[str] | None:
    """`PageWords(page.get_text("words")).anchor_text(rect)` for each rect, in one pass over
    the text page's words; None when the walker is not available."""
    module = _module()
    if module is None:
        return None
    ctx = int(mupdf.internal_context_get().this)
    texts: list[str] = module.anchor_texts(textpage.this.m_internal_value(), ctx, rects)
    return texts


def word_list(textpage: pymupdf.TextPage) -> list[tuple[Any, ...]] | None:
    """The walker's words as `page.get_text("words")` tuples (for the tests' comparison)."""
    module = _module()
    if module is None:
        return None
    ctx = int(mupdf.internal_context_get().this)
    words: list[tuple[Any, ...]] = module.word_list(textpage.this.m_internal_value(), ctx)
    return words
