"""Names of the three signals a tally can count: text, repo, combined (no IO); their versions
come from classifiers.identify."""

from __future__ import annotations

from classifiers import DEFAULT_CLASSIFIER, SIGNAL_NAMES
from classifiers.combined import NAME as COMBINED
from classifiers.combined import REPO_NAME

SIGNALS = ("text", "repo", "combined")
REPO_SIGNALS = SIGNAL_NAMES
"""Prediction names written by `miner repos` rather than by a registered classifier."""


def signal_classifier(signal: str, text_classifier: str = DEFAULT_CLASSIFIER) -> str:
    """The prediction name a tally counts for a signal: the text classifier, `repo` or `combined`."""
    if signal not in SIGNALS:
        raise ValueError(f"signal must be one of {SIGNALS}, not {signal!r}")
    return {"text": text_classifier, "repo": REPO_NAME, "combined": COMBINED}[signal]


__all__ = ["COMBINED", "REPO_NAME", "REPO_SIGNALS", "SIGNALS", "signal_classifier"]
