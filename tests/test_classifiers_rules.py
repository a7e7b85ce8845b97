"""Each rule and guard of the rules classifier on small documents (sentences, sections, headings)."""

from __future__ import annotations

import pytest

from classifiers import get_classifier
from classifiers.labels import compile_terms, find_terms, normalize_text
from miner.records import Block, ExtractedDoc


def doc(*blocks: tuple[int, str, str], title: str | None = None) -> ExtractedDoc:
    return ExtractedDoc(
        status="ok",
        page_count=max(p for p, _, _ in blocks),
        blocks=tuple(Block(p, s, t) for p, s, t in blocks),
        title=title,
    )


def labels(*sentences: str, section: str = "body") -> dict[str, str]:
    d = doc(*((1, section, s) for s in sentences), title="A study")
    return {
        p.framework: p.label for p in get_classifier("rules").predict_doc(d) if p.label != "absent"
    }


def rule_of(d: ExtractedDoc, framework: str) -> str:
    pred = next(p for p in get_classifier("rules").predict_doc(d) if p.framework == framework)
    return pred.evidence[0].rule


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("We implemented our model in PyTorch and trained it on one GPU.", {"pytorch": "uses"}),
        ("Our code is written with TensorFlow 1.4.", {"tensorflow": "uses"}),
        ("All experiments used TensorFlow [23] on four GPUs.", {"tensorflow": "uses"}),
        ("We conduct experiments by using Jittor [31] and Pytorch [61].", {"pytorch": "uses"}),
        ("The system is built on top of fairseq-py with 8 GPUs.", {"pytorch": "uses"}),
        ("We implemented our proposed methods based on Keras6.To tune it, we", {"keras": "uses"}),
        (
            "Hydra is used for configs and FSDP2 (Zhao et al., 2023) for distributed training.",
            {"pytorch": "uses"},
        ),
        ("The Adam optimizer is employed within the PyTorch DL framework.", {"pytorch": "uses"}),
        ("We build the model with Flax and Optax.", {"jax": "uses"}),
        (
            "As a wrapper to TensorFlow Keras, ktrain makes models easy.",
            {"tensorflow": "uses", "keras": "uses"},
        ),
    ],
)
def test_implementation_cues_make_uses(sentence: str, expected: dict[str, str]) -> None:
    assert labels(sentence) == expected


@pytest.mark.parametrize(
    ("sentence", "framework"),
    [
        ("Unlike TensorFlow, dynamic graphs make debugging easy.", "tensorflow"),
        ("TensorFlow achieves slightly better throughput than MXNet for training.", "mxnet"),
        ("Other layers are widely implemented in ML toolkits like TensorFlow and Keras.", "keras"),
        ("It can be easily implemented using common libraries (e.g., Caffe [19]).", "caffe"),
        ("We start from the official PyTorch implementation of the baseline [12].", "pytorch"),
        (
            "Code for the baseline is at https://github.com/tensorflow/models for reference.",
            "tensorflow",
        ),
        (
            "M. Abadi et al. TensorFlow: a system for large-scale machine learning. In Proceedings of OSDI, 2016.",
            "tensorflow",
        ),
        ("We follow the setting as suggested in tensor2tensor for the baseline.", "tensorflow"),
        ("Both methods are built with pytorch, rather than jax.", "pytorch"),
    ],
)
def test_contrast_others_and_citations_make_mentions(sentence: str, framework: str) -> None:
    assert labels(sentence).get(framework) == "mentions"


def test_references_section_is_citation_only() -> None:
    d = doc(
        (1, "body", "We report results on ImageNet."),
        (9, "references", "[3] A. Paszke et al. PyTorch: an imperative style library. 2019."),
    )
    assert rule_of(d, "pytorch") == "references"
    assert labels("[3] A. Paszke et al. PyTorch: a library. 2019.", section="references") == {
        "pytorch": "mentions"
    }


def test_implementation_footnote_filed_under_references_still_counts() -> None:
    assert labels(
        "The algorithms were implemented using Keras and trained.", section="references"
    ) == {"keras": "uses"}


def test_related_work_region_from_heading() -> None:
    d = doc(
        (2, "body", "2 Related Work"),
        (2, "body", "Chainer is used to train dynamic networks in many systems."),
        (3, "body", "3 Method"),
        (3, "body", "We describe our approach."),
    )
    assert rule_of(d, "chainer") == "related-work"
    assert {p.framework: p.label for p in get_classifier("rules").predict_doc(d)}[
        "chainer"
    ] == "mentions"


def test_acknowledging_framework_developers_counts_as_use() -> None:
    sentence = "We thank the developers of Theano [7] for their help with this project."
    assert labels(sentence, section="acknowledgements") == {"theano": "uses"}
    assert labels("We thank Theano developers.", section="body").get("theano") != "uses"


def test_framework_in_title_uses_it() -> None:
    d = doc(
        (1, "front", "TensorFlow: A system for large-scale machine learning"),
        (2, "body", "TensorFlow is a dataflow system."),
    )
    preds = {p.framework: p for p in get_classifier("rules").predict_doc(d)}
    assert preds["tensorflow"].label == "uses" and preds["tensorflow"].evidence[0].rule == "title"
    # regression: title evidence quoted nothing, so the evidence browser showed an empty snippet
    assert "large-scale machine learning" in preds["tensorflow"].evidence[0].snippet
    assert labels("TensorFlow is a dataflow system.") == {"tensorflow": "mentions"}


@pytest.mark.parametrize(
    "sentence",
    [
        "We use Ajax requests and a torch light to read the page.",
        "Blocks of the image are cached; a Sonnet is a poem; Lightning fast training.",
        "We use Transformers for all sequence models.",
        "JAXB and ajax-style calls are used in the web front end.",
        "We used the Keras-like API of our own library.",
    ],
)
def test_ordinary_words_are_not_frameworks(sentence: str) -> None:
    assert labels(sentence) == {}


def test_torch_lua_versus_pytorch() -> None:
    assert labels("We implemented the network in Torch [12] on GPUs.") == {"torch-lua": "uses"}
    assert labels("We implemented the network in Torch7.") == {"torch-lua": "uses"}
    # a line-broken "Py- Torch" is PyTorch, never Lua Torch
    assert labels("The networks are implemented with Py- Torch [27] and trained.") == {
        "pytorch": "uses"
    }
    assert labels("We implemented the network in PyTorch [27].") == {"pytorch": "uses"}


def test_caffe2_is_not_caffe_and_blocks_library_is_theano() -> None:
    assert labels("We implemented the detector in Caffe2.") == {"caffe2": "uses"}
    assert labels("Our model is implemented with the Blocks library [4].") == {"theano": "uses"}


def test_ligatures_and_footnote_numbers_are_normalized() -> None:
    assert labels("Our models are implemented in Tensorﬂow [22] and trained.") == {
        "tensorflow": "uses"
    }
    vocab = compile_terms()
    terms = [
        t.framework for t, _, _ in find_terms(normalize_text("in TensorFlow4, Keras6."), vocab)
    ]
    assert terms == ["tensorflow", "keras"]


def test_evidence_snippet_is_bounded_and_names_the_rule() -> None:
    filler = "x " * 200
    d = doc((4, "appendix", f"{filler} All experiments were run with JAX on TPUs. {filler}"))
    pred = next(p for p in get_classifier("rules").predict_doc(d) if p.framework == "jax")
    ev = pred.evidence[0]
    assert pred.label == "uses" and 0.5 < pred.confidence <= 1
    assert (ev.page, ev.section, ev.term) == (4, "appendix", "jax")
    assert "JAX" in ev.snippet and len(ev.snippet) <= 3 + 2 * 150 and ev.rule.startswith("cue:")
