"""Framework classifiers by name; each has NAME and VERSION stored on its output rows."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from classifiers.interface import FrameworkClassifier
from classifiers.keywords import KeywordBaselineClassifier
from classifiers.rules import RulesFrameworkClassifier


def _model() -> FrameworkClassifier:
    # Prediction needs no scikit-learn (~190 MB, ~2 s to import): only training loads it.
    from classifiers.learned import ModelFrameworkClassifier

    return ModelFrameworkClassifier()


CLASSIFIERS: dict[str, Callable[[], FrameworkClassifier]] = {
    KeywordBaselineClassifier.NAME: KeywordBaselineClassifier,
    RulesFrameworkClassifier.NAME: RulesFrameworkClassifier,
    "model": _model,  # classifiers.learned.ModelFrameworkClassifier.NAME (checked by a test)
}
DEFAULT_CLASSIFIER = RulesFrameworkClassifier.NAME
DEFAULT_MODEL = Path(__file__).parent / "data" / "model.joblib"
"""The shipped model of the `model` classifier (see classifiers/model.py)."""
MODEL_VERSION = "2"
"""Version of the `model` classifier's code; its full VERSION adds the trained model's id."""
MODEL_ENV = "MINER_MODEL"
"""Environment variable naming the model file the `model` classifier loads."""
SIGNAL_NAMES = ("combined", "repo")
"""Prediction names written by `miner repos` rather than by a registered classifier."""


@dataclass(frozen=True, slots=True)
class ClassifierId:
    """Name and version under which a classifier's predictions are stored."""

    NAME: str
    VERSION: str

    def __str__(self) -> str:
        return f"{self.NAME} {self.VERSION}"


def model_path() -> Path:
    """The model the `model` classifier uses: $MINER_MODEL if set, else the shipped default."""
    return Path(os.environ.get(MODEL_ENV) or DEFAULT_MODEL)


def model_version(path: Path | None = None) -> str:
    """VERSION of the `model` classifier for a model file, read from its JSON card only."""
    path = path or model_path()
    card = path.with_suffix(".json")
    if path.is_file() and card.is_file():
        return f"{MODEL_VERSION}+{json.loads(card.read_text())['model_id']}"
    return f"{MODEL_VERSION}+rules{RulesFrameworkClassifier.VERSION}"


def identify(name: str, text_classifier: str = "rules") -> ClassifierId:
    """Name and version of a registered classifier or of a `miner repos` signal (`combined`,
    `repo`), without building it or loading a model; KeyError names the known ones."""
    if name in SIGNAL_NAMES:
        from classifiers.combined import combined_version, repo_only_version
        from miner.repos.detect import DETECTOR_VERSION

        if name == "repo":
            return ClassifierId(name, repo_only_version(DETECTOR_VERSION))
        text = identify(text_classifier).VERSION
        return ClassifierId(name, combined_version(text, DETECTOR_VERSION))
    if name == "model":
        return ClassifierId(name, model_version())
    if name not in CLASSIFIERS:
        raise KeyError(
            f"unknown classifier {name!r}; known: {', '.join(sorted(CLASSIFIERS))}"
            f" (and {', '.join(SIGNAL_NAMES)} after `miner repos`)"
        )
    cls = CLASSIFIERS[name]
    return ClassifierId(name, str(cls.VERSION))  # type: ignore[attr-defined]


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
    "ClassifierId",
    "identify",
    "DEFAULT_CLASSIFIER",
    "DEFAULT_MODEL",
    "FrameworkClassifier",
    "get_classifier",
]
