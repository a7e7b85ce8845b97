"""Framework classifiers by name; each has NAME and VERSION stored on its output rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from classifiers.interface import FrameworkClassifier
from classifiers.keywords import KeywordBaselineClassifier
from classifiers.rules import RulesFrameworkClassifier


def _model() -> FrameworkClassifier:
    # scikit-learn (~190 MB, ~2 s to import) loads only where the model is used: extract
    # workers and the rules classifier never pay for it.
    from classifiers.model import ModelFrameworkClassifier

    return ModelFrameworkClassifier()


CLASSIFIERS: dict[str, Callable[[], FrameworkClassifier]] = {
    KeywordBaselineClassifier.NAME: KeywordBaselineClassifier,
    RulesFrameworkClassifier.NAME: RulesFrameworkClassifier,
    "model": _model,  # classifiers.model.ModelFrameworkClassifier.NAME (checked by a test)
}
DEFAULT_CLASSIFIER = RulesFrameworkClassifier.NAME
DEFAULT_MODEL = Path(__file__).parent / "data" / "model.joblib"
"""The shipped model of the `model` classifier (see classifiers/model.py)."""


def get_classifier(name: str) -> FrameworkClassifier:
    """The classifier registered under name; KeyError names the known ones."""
    try:
        return CLASSIFIERS[name]()
    except KeyError:
        raise KeyError(
            f"unknown classifier {name!r}; known: {', '.join(sorted(CLASSIFIERS))}"
        ) from None


__all__ = [
    "CLASSIFIERS",
    "DEFAULT_CLASSIFIER",
    "DEFAULT_MODEL",
    "FrameworkClassifier",
    "get_classifier",
]
