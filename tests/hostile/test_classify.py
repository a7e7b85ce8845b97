"""Hostile text for classify (#18): linear in the text, and a per-paper timeout in every entry
point (`miner run` and library callers classify inline)."""

from __future__ import annotations

import time

from classifiers.rules import RulesFrameworkClassifier
from miner.executor import iter_outcomes
from miner.records import Block, ExtractedDoc

SENTENCE = "We use PyTorch and TensorFlow and JAX and Keras and MXNet with torch, "


def one_sentence(chars: int) -> ExtractedDoc:
    """chars characters of framework names in one sentence, in one block."""
    text = (SENTENCE * (chars // len(SENTENCE) + 1))[:chars]
    return ExtractedDoc(status="ok", blocks=(Block(page=1, section="body", text=text),))


def test_one_megabyte_sentence_of_framework_names_classifies_in_seconds() -> None:
    """#18: the rules were quadratic in the sentence (64 KB 57 s, 128 KB 221 s)."""
    clf = RulesFrameworkClassifier()
    started = time.monotonic()
    predictions = clf.predict_doc(one_sentence(1 << 20))
    seconds = time.monotonic() - started
    print(f"1 MiB adversarial sentence: {seconds:.1f} s")
    assert seconds < 90  # a hang guard: quadratic rules would take hours here
    assert {p.framework for p in predictions if p.label != "absent"} >= {"pytorch", "tensorflow"}


def _sleepy(seconds: float) -> float:
    end = time.monotonic() + seconds
    while time.monotonic() < end:  # Python code: interruptible between bytecodes
        pass
    return seconds


def test_inline_jobs_have_a_timeout() -> None:
    got = [
        (o.job, o.status)
        for o in iter_outcomes(_sleepy, [30.0, 0.0], executor="inline", timeout=0.5)
    ]
    assert got == [(30.0, "timeout"), (0.0, "ok")]
