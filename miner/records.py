"""Typed records passed between stages (no IO): sources, extract, classifiers and db speak these."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, TypeVar

T = TypeVar("T")


def picklable(cls: type[T]) -> type[T]:
    """Pickle a frozen slotted dataclass as its class and field values, rebuilt through its
    constructor: the default pickling (dataclasses' __getstate__ and __setstate__) calls fields()
    on every object, and records cross the worker pipes by the thousand (2.5x faster, #17)."""
    names = [f.name for f in fields(cls)]  # type: ignore[arg-type]
    get = attrgetter(*names)

    def __reduce__(self: T) -> tuple[type[T], tuple[Any, ...]]:
        values = get(self)
        return cls, values if len(names) > 1 else (values,)

    cls.__reduce__ = __reduce__  # type: ignore[assignment,method-assign]
    return cls


# Section names every span and mention carries.
SECTIONS = ("front", "body", "acknowledgements", "references", "appendix")


@picklable
@dataclass(frozen=True, slots=True)
class PaperRecord:
    """One paper as listed by a source or found on disk."""

    source: str
    """Where the paper was listed: `local`, `neurips`, `arxiv`, ..."""
    source_id: str
    """Identifier unique within the source (sha256 of the PDF for `local`)."""
    venue: str | None = None
    year: int | None = None
    title: str | None = None
    authors: tuple[str, ...] = ()
    abstract: str | None = None
    pdf_url: str | None = None
    """Where the PDF can be downloaded (http/https), if known."""
    file_path: str | None = None
    """Local path of the PDF, for ingested files."""
    file_name: str | None = None
    arxiv_id: str | None = None
    openreview_id: str | None = None
    urls: tuple[str, ...] = ()
    """Other URLs the listing gives (abstract page, supplementary, code)."""
    track: str | None = None
    code_urls: tuple[str, ...] = ()
    """Links the source itself gives to the paper's own code, as given: a listing's Code/Software
    link, ACL `<pwccode>`, an OpenReview code field, a code URL in an arXiv comment or journal-ref."""


@picklable
@dataclass(frozen=True, slots=True)
class Block:
    """A run of text in reading order with its page (1-based) and section."""

    page: int
    section: str
    text: str
    footnote: bool = False
    """The block is a footnote (small type at the foot of its page)."""


@picklable
@dataclass(frozen=True, slots=True)
class Link:
    """A URL found in a paper, normalized, with where it was found."""

    url: str
    """Normalized URL (`https://github.com/owner/repo` for code hosts)."""
    kind: str
    """code | model | project | dataset | paper | framework | other"""
    host: str
    page: int
    origin: str
    """`annotation` (a PDF link) or `text`."""
    own: bool = False
    """The paper presents it as its own release."""
    section: str = "body"
    raw: str = ""
    """The URL as written (or the annotation's URI)."""
    context: str = ""
    """The sentence or passage around the URL."""
    footnote: bool = False
    """Found in a footnote."""


@picklable
@dataclass(frozen=True, slots=True)
class ExtractedDoc:
    """Everything the extractor read from one PDF."""

    status: str
    """ok | no_text | encrypted | corrupt | empty | not_pdf | too_large | timeout | failed"""
    error: str | None = None
    page_count: int = 0
    blocks: tuple[Block, ...] = ()
    links: tuple[Link, ...] = ()
    title: str | None = None
    truncated: bool = False
    """True when the page cap or time budget stopped extraction early."""

    def page_texts(self) -> list[str]:
        """Text per page (index 0 is page 1)."""
        pages: list[list[str]] = [[] for _ in range(self.page_count)]
        for b in self.blocks:
            if 1 <= b.page <= self.page_count:
                pages[b.page - 1].append(b.text)
        return ["\n".join(p) for p in pages]


@picklable
@dataclass(frozen=True, slots=True)
class Evidence:
    """A passage supporting a verdict."""

    page: int
    section: str
    snippet: str
    rule: str
    """The rule or feature that fired, e.g. `cue:implemented-in`, `references`."""
    term: str = ""


@picklable
@dataclass(frozen=True, slots=True)
class Prediction:
    """A classifier's verdict for one paper and one framework."""

    framework: str
    label: str
    """uses | mentions | absent"""
    confidence: float
    evidence: tuple[Evidence, ...] = field(default=())
