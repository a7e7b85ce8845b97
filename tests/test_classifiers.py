"""The keyword baseline and the rules classifier on small documents."""

from __future__ import annotations

from classifiers import get_classifier
from miner.records import Block, ExtractedDoc


def doc(*blocks: tuple[int, str, str]) -> ExtractedDoc:
    return ExtractedDoc(
        status="ok", page_count=3, blocks=tuple(Block(p, s, t) for p, s, t in blocks)
    )


def labels(name: str, d: ExtractedDoc) -> dict[str, str]:
    return {
        p.framework: p.label for p in get_classifier(name).predict_doc(d) if p.label != "absent"
    }


def test_rules_separate_use_from_mention() -> None:
    d = doc(
        (1, "body", "We implemented our model in PyTorch 1.4 and trained it on one GPU."),
        (2, "body", "Unlike TensorFlow, dynamic graphs make debugging easy."),
        (3, "references", "M. Abadi et al. TensorFlow: a system for large-scale machine learning."),
    )
    assert labels("rules", d) == {"pytorch": "uses", "tensorflow": "mentions"}


def test_rules_evidence_has_page_section_snippet() -> None:
    d = doc((2, "appendix", "All experiments were run with JAX on TPUs."))
    pred = next(p for p in get_classifier("rules").predict_doc(d) if p.framework == "jax")
    assert pred.label == "uses" and 0 <= pred.confidence <= 1
    ev = pred.evidence[0]
    assert (ev.page, ev.section) == (2, "appendix") and "JAX" in ev.snippet


def test_rules_guard_false_positives() -> None:
    d = doc((1, "body", "We use Ajax requests and a torch light; Blocks of the image are cached."))
    assert labels("rules", d) == {}


def test_caffe2_is_not_caffe() -> None:
    d = doc((1, "body", "We implemented the detector in Caffe2."))
    assert labels("rules", d) == {"caffe2": "uses"}


def test_baseline_counts_substrings_and_drops_both() -> None:
    d = doc((1, "body", "Our Ajax front end. We used PyTorch; TensorFlow was slower."))
    got = labels("keyword-baseline", d)
    assert got == {"jax": "uses"}  # the 2019 method's false positive and dropped pair, on purpose


def test_no_framework_text_is_absent_everywhere() -> None:
    d = doc((1, "body", "We prove a bound on the regret of Thompson sampling."))
    preds = get_classifier("rules").predict_doc(d)
    assert {p.label for p in preds} == {"absent"} and len(preds) == 14
