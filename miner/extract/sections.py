"""Label blocks with their section from heading cues (pure)."""

from __future__ import annotations

import re

_NUM = r"(?:[A-Z]?\d{0,2}(?:\.\d+)*\.?\s+|[IVX]+\.\s+)?"
_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "references",
        re.compile(rf"^{_NUM}(references|bibliography|literature cited|works cited)\s*$", re.I),
    ),
    ("acknowledgements", re.compile(rf"^{_NUM}acknowledge?ments?\s*$", re.I)),
    (
        "appendix",
        re.compile(
            rf"^{_NUM}(appendix|appendices|supplementary material|supplemental material)\b.{{0,80}}$",
            re.I,
        ),
    ),
    ("body", re.compile(rf"^{_NUM}introduction\s*$", re.I)),
]


def heading_section(text: str) -> str | None:
    """The section a block starts if it is a heading, else None."""
    first = text.strip().split("\n", 1)[0].strip()
    if not first or len(first) > 90:
        return None
    for name, pattern in _HEADINGS:
        if pattern.match(first):
            return name
    return None


def assign_sections(blocks: list[tuple[int, str]]) -> list[str]:
    """Section per (page, text) block in reading order.

    Page 1 up to the Introduction heading is `front`; headings switch section afterwards.
    A heading of `body` after references (e.g. a numbered appendix section) keeps `appendix`
    semantics only when an appendix heading was seen.
    """
    current = "front"
    out: list[str] = []
    for page, text in blocks:
        if current == "front" and page > 1:
            current = "body"
        found = heading_section(text)
        if found is not None and not (found == "body" and current in ("references", "appendix")):
            current = found
        out.append(current)
    return out
