"""The classifier contract: a name, a version, and per-framework predictions with evidence."""

from __future__ import annotations

from typing import Protocol

from miner.records import ExtractedDoc, Prediction


class FrameworkClassifier(Protocol):
    """Anything that labels a paper's frameworks from its extracted text."""

    NAME: str
    VERSION: str

    def predict_doc(self, doc: ExtractedDoc) -> list[Prediction]:
        """One Prediction per framework in the vocabulary (absent ones included)."""
        ...
