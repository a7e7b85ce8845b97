"""Framework classifiers by name; each has NAME and VERSION stored on its output rows."""

from __future__ import annotations

from collections.abc import Callable

from classifiers.base import FrameworkClassifier
from classifiers.keywords import KeywordBaselineClassifier
from classifiers.model import ModelFrameworkClassifier
from classifiers.rules import RulesFrameworkClassifier

CLASSIFIERS: dict[str, Callable[[], FrameworkClassifier]] = {
    KeywordBaselineClassifier.NAME: KeywordBaselineClassifier,
    RulesFrameworkClassifier.NAME: RulesFrameworkClassifier,
    ModelFrameworkClassifier.NAME: ModelFrameworkClassifier,
}
DEFAULT_CLASSIFIER = RulesFrameworkClassifier.NAME


def get_classifier(name: str) -> FrameworkClassifier:
    """The classifier registered under name; KeyError names the known ones."""
    try:
        return CLASSIFIERS[name]()
    except KeyError:
        raise KeyError(
            f"unknown classifier {name!r}; known: {', '.join(sorted(CLASSIFIERS))}"
        ) from None


__all__ = ["CLASSIFIERS", "DEFAULT_CLASSIFIER", "FrameworkClassifier", "get_classifier"]
