"""Names and versions of the three signals a tally can count: text, repo, combined (no IO)."""

from __future__ import annotations

from dataclasses import dataclass

from classifiers import DEFAULT_CLASSIFIER, get_classifier
from classifiers.combined import NAME as COMBINED
from classifiers.combined import REPO_NAME, combined_version, repo_only_version
from miner.repos.detect import DETECTOR_VERSION

SIGNALS = ("text", "repo", "combined")
REPO_SIGNALS = (COMBINED, REPO_NAME)
"""Prediction names written by `miner repos` rather than by a registered classifier."""


@dataclass(frozen=True, slots=True)
class ClassifierId:
    """NAME and VERSION of predictions that no registered classifier writes itself."""

    NAME: str
    VERSION: str


def resolve_classifier(name: str, text_classifier: str = DEFAULT_CLASSIFIER) -> ClassifierId:
    """NAME/VERSION for a registered classifier or for `combined` / `repo` (by `miner repos`)."""
    text = get_classifier(text_classifier)
    if name == COMBINED:
        return ClassifierId(COMBINED, combined_version(text.VERSION, DETECTOR_VERSION))
    if name == REPO_NAME:
        return ClassifierId(REPO_NAME, repo_only_version(DETECTOR_VERSION))
    clf = get_classifier(name)
    return ClassifierId(clf.NAME, clf.VERSION)


def signal_classifier(signal: str, text_classifier: str = DEFAULT_CLASSIFIER) -> str:
    """The prediction name a tally counts for a signal: the text classifier, `repo` or `combined`."""
    if signal not in SIGNALS:
        raise ValueError(f"signal must be one of {SIGNALS}, not {signal!r}")
    return {"text": text_classifier, "repo": REPO_NAME, "combined": COMBINED}[signal]
