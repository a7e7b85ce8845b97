"""Label blocks with their section (front, body, acknowledgements, references, appendix) (pure)."""

from __future__ import annotations

import re

_NUM = r"(?:(?:[A-Z]|\d{1,2})(?:\.\d+)*\.?\s+|[IVX]+\.?\s+|#+\s*)?"
_HEADINGS: list[tuple[str, re.Pattern[str]]] = [
    (
        "references",
        re.compile(
            rf"^{_NUM}(references?|bibliography|literature cited|works cited|"
            r"references and notes|cited literature)\s*:?$",
            re.I,
        ),
    ),
    ("acknowledgements", re.compile(rf"^{_NUM}acknowledge?ments?\s*[.:]?$", re.I)),
    (
        "appendix",
        re.compile(
            rf"^{_NUM}(appendix|appendices|supplementary materials?|supplemental materials?|"
            r"supplementary information|online appendix)\b[^,]{0,80}$",
            re.I,
        ),
    ),
    (
        "body",
        re.compile(
            rf"^{_NUM}(introduction|background|summary|overview|motivation|statement of need|"
            r"related work|preliminaries|problem statement)\s*$",
            re.I,
        ),
    ),
]
# Every heading above names one of these words: a line without any is no heading (fast path).
HEADING_WORD_LIST = (
    "referen",
    "bibliograph",
    "literature",
    "works cited",
    "acknowled",
    "appendi",
    "supplement",
    "introduction",
    "background",
    "summary",
    "overview",
    "motivation",
    "statement of need",
    "related work",
    "preliminaries",
    "problem statement",
)
HEADING_WORDS = re.compile(
    "|".join(HEADING_WORD_LIST)  # plain lower-case letters and spaces: no escaping needed
)  # matched against casefolded text: 6x faster than re.I on every line of a page
# Run-in heading: "Acknowledgements. We thank ..." on the first line of a paragraph.
_RUN_IN_ACK = re.compile(r"^\s*acknowledge?ments?\s*[.:\u2014-]\s+\S", re.I)
# "A  Proofs", "B.2 Hyper-parameters": lettered headings of an appendix.
_LETTER_HEADING = re.compile(r"^[A-H](?:\.\d+)*\.?\s+[A-Z][\w\- ]{2,60}$")


def _maybe_heading(line: str) -> bool:
    """Cheap test: False means `heading_section(line)` is None (most lines of a page)."""
    return HEADING_WORDS.search(line.casefold()) is not None


def heading_section(text: str) -> str | None:
    """The section a block starts if its first line is a section heading, else None."""
    first = text.strip().split("\n", 1)[0].strip()
    if not first or len(first) > 90 or not _maybe_heading(first):
        return None
    for name, pattern in _HEADINGS:
        if pattern.match(first):
            return name
    if _RUN_IN_ACK.match(first):
        return "acknowledgements"
    return None


def assign_sections(blocks: list[tuple[int, str]]) -> list[str]:
    """Section of each (page, text) block, given in reading order.

    Page 1 up to the Introduction (or a like heading) is `front`; headings switch
    section afterwards. After the references, lettered headings ("A Proofs") open the appendix;
    a body heading there (a numbered appendix section) does not bring the body back.
    """
    current = "front"
    out: list[str] = []
    for page, text in blocks:
        first = text.strip().split("\n", 1)[0].strip()
        if current == "front" and page > 1:
            current = "body"
        found = heading_section(text)
        if found == "body" and current in ("references", "appendix"):
            found = None
        if found is None and current == "references" and _LETTER_HEADING.match(first):
            found = "appendix"
        if found is not None:
            current = found
        out.append(current)
    return out
