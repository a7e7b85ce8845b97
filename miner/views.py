"""Read-model records: what the tool knows about one paper, as every command prints it (no IO).

Built only by `db.queries`; `papers`, `show`, `export`, `report`, the notebook helpers and
`tally`'s denominators all read these, so one definition of status and "classified" holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

FAILED_FETCH = "missing_pdf"
"""Status of a paper whose PDF download failed."""
NO_PDF = "no_pdf"
"""Status of a listed paper with no PDF yet (never fetched)."""
PENDING = "pending"
"""Status of a paper with a PDF that was not extracted by the current extractor."""
NONE = "(none)"
"""Pseudo-framework: papers read and classified where no framework use was found."""
UNDETERMINED = "(undetermined)"
"""Pseudo-framework: papers listed but not classified (PDF missing, unreadable or pending)."""


@dataclass(frozen=True, slots=True)
class EvidenceView:
    """One quoted passage behind a verdict."""

    page: int
    section: str
    rule: str
    """The rule that fired, e.g. `cue:implemented`."""
    term: str
    snippet: str

    def as_dict(self) -> dict[str, Any]:
        """Plain dict (JSON export shape)."""
        return {
            "page": self.page,
            "section": self.section,
            "rule": self.rule,
            "term": self.term,
            "snippet": self.snippet,
        }


@dataclass(frozen=True, slots=True)
class VerdictView:
    """A non-absent verdict of one classifier version on one framework."""

    framework: str
    label: str
    """uses | mentions"""
    confidence: float
    evidence: tuple[EvidenceView, ...] = ()

    def as_dict(self, max_evidence: int | None = None) -> dict[str, Any]:
        """Plain dict with at most max_evidence snippets."""
        return {
            "framework": self.framework,
            "label": self.label,
            "confidence": self.confidence,
            "evidence": [e.as_dict() for e in self.evidence[:max_evidence]],
        }


@dataclass(frozen=True, slots=True)
class PaperView:
    """One paper: ids, metadata, where it stands, and one classifier version's verdicts."""

    id: int
    source: str
    source_id: str
    venue: str | None
    year: int | None
    title: str | None
    """The listing's title, else the one read from the PDF."""
    file: str | None
    pdf_url: str | None
    sha256: str | None
    fetch_status: str
    status: str
    """The current extraction's status (ok, no_text, corrupt...), else missing_pdf (download
    failed), no_pdf (not fetched) or pending (not extracted yet)."""
    error: str | None
    pages: int | None
    classified: bool
    """Extraction `ok` and labelled by the classifier version: the papers shares count."""
    classifier: str
    classifier_version: str
    verdicts: tuple[VerdictView, ...] = ()
    """uses / mentions verdicts (absent ones left out); empty unless classified."""
    code_links: tuple[str, ...] = ()
    """Code-host URLs found in the PDF by the current extractor."""

    @property
    def uses(self) -> list[str]:
        """Frameworks the paper uses."""
        return [v.framework for v in self.verdicts if v.label == "uses"]

    @property
    def mentions(self) -> list[str]:
        """Frameworks the paper mentions only."""
        return [v.framework for v in self.verdicts if v.label == "mentions"]

    def as_dict(self, max_evidence: int | None = None) -> dict[str, Any]:
        """The `miner export --format json` shape of this paper."""
        return {
            "paper_id": self.id,
            "source": self.source,
            "source_id": self.source_id,
            "venue": self.venue,
            "year": self.year,
            "title": self.title,
            "file": self.file,
            "pdf_url": self.pdf_url,
            "sha256": self.sha256,
            "status": self.status,
            "error": self.error,
            "classifier": self.classifier,
            "classifier_version": self.classifier_version,
            "classified": self.classified,
            "verdicts": [v.as_dict(max_evidence) for v in self.verdicts],
        }

    def listing(self) -> dict[str, Any]:
        """The `miner papers` row of this paper."""
        return {
            "id": self.id,
            "source": self.source,
            "source_id": self.source_id,
            "sha256": self.sha256,
            "file": self.file,
            "title": self.title,
            "venue": self.venue,
            "year": self.year,
            "status": self.status,
            "error": self.error,
            "pages": self.pages,
            "classified": self.classified,
            "uses": self.uses,
            "mentions": self.mentions,
            "code_links": list(self.code_links),
            "classifier": f"{self.classifier} {self.classifier_version}",
        }
