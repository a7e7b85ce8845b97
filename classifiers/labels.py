"""The framework vocabulary: one versioned table of frameworks and the terms that name them (data)."""

from __future__ import annotations

import re
from dataclasses import dataclass

VOCABULARY_VERSION = "1"

FRAMEWORKS: tuple[str, ...] = (
    "pytorch",
    "tensorflow",
    "keras",
    "jax",
    "mxnet",
    "caffe",
    "caffe2",
    "theano",
    "chainer",
    "paddlepaddle",
    "mindspore",
    "cntk",
    "torch-lua",
    "dynet",
)


@dataclass(frozen=True, slots=True)
class Term:
    """A way a framework is named in text."""

    framework: str
    pattern: str
    """Regular expression, matched case-insensitively unless `case` is set."""
    library: str = ""
    """Name of an implying library (e.g. `fairseq`), empty for the framework itself."""
    case: bool = False
    """Match case-sensitively (for words that are also ordinary English)."""


_B = r"(?<![\w.-])"
_E = r"(?![\w-])"

# One row per term. Libraries imply their base framework. Ordinary-word names (Blocks, Sonnet,
# Lightning, Torch) are matched case-sensitively and only in forms that are unlikely as prose.
TERMS: tuple[Term, ...] = (
    Term("pytorch", rf"{_B}py-?torch{_E}"),
    Term("pytorch", rf"{_B}torchvision{_E}", "torchvision"),
    Term("pytorch", rf"{_B}pytorch[- ]lightning{_E}", "pytorch-lightning"),
    Term("pytorch", rf"{_B}fairseq{_E}", "fairseq"),
    Term("pytorch", rf"{_B}allennlp{_E}", "allennlp"),
    Term("pytorch", rf"{_B}detectron2{_E}", "detectron2"),
    Term("pytorch", rf"{_B}mmdetection{_E}", "mmdetection"),
    Term("pytorch", rf"{_B}megatron(?:-lm)?{_E}", "megatron"),
    Term("pytorch", rf"{_B}deepspeed{_E}", "deepspeed"),
    Term("tensorflow", rf"{_B}tensor-?flow{_E}"),
    Term("tensorflow", rf"{_B}tf\.keras{_E}", "tf.keras"),
    Term("tensorflow", rf"{_B}tensor2tensor{_E}", "tensor2tensor"),
    Term("tensorflow", rf"{_B}mesh[- ]tensorflow{_E}", "mesh-tensorflow"),
    Term(
        "tensorflow",
        rf"{_B}Sonnet{_E}(?=\s+(?:library|framework|\(|\[|module))",
        "sonnet",
        case=True,
    ),
    Term("keras", rf"{_B}keras{_E}"),
    Term("jax", rf"{_B}JAX{_E}", case=True),
    Term("jax", rf"{_B}Jax{_E}(?=\s+(?:library|framework|\(|\[))", case=True),
    Term("jax", rf"{_B}flax{_E}", "flax"),
    Term(
        "jax",
        rf"{_B}dm-haiku{_E}|{_B}Haiku{_E}(?=\s+(?:library|framework|\(|\[))",
        "haiku",
        case=True,
    ),
    Term("jax", rf"{_B}optax{_E}", "optax"),
    Term("jax", rf"{_B}trax{_E}", "trax"),
    Term("mxnet", rf"{_B}mx-?net{_E}"),
    Term("mxnet", rf"{_B}gluon(?:cv|nlp|ts)?{_E}", "gluon"),
    Term("caffe", rf"{_B}caffe{_E}(?!\s*2)"),
    Term("caffe2", rf"{_B}caffe\s?2{_E}"),
    Term("theano", rf"{_B}theano{_E}"),
    Term("theano", rf"{_B}lasagne{_E}", "lasagne"),
    Term("theano", rf"{_B}pylearn2?{_E}", "pylearn2"),
    Term(
        "theano",
        rf"{_B}Blocks{_E}(?=\s+(?:library|framework|and\s+Fuel|\(|\[))",
        "blocks",
        case=True,
    ),
    Term("chainer", rf"{_B}chainer(?:cv|mn|rl)?{_E}"),
    Term(
        "paddlepaddle",
        rf"{_B}paddle-?paddle{_E}|{_B}Paddle(?:Helix|Hub|Detection|NLP|Slim){_E}",
        case=True,
    ),
    Term("paddlepaddle", rf"{_B}paddle\s?paddle{_E}"),
    Term("mindspore", rf"{_B}mind-?spore{_E}"),
    Term(
        "cntk",
        rf"{_B}cntk{_E}|{_B}computational network toolkit{_E}|{_B}microsoft cognitive toolkit{_E}",
    ),
    Term(
        "torch-lua",
        rf"{_B}Torch\s?7{_E}|{_B}Lua\s?Torch{_E}|{_B}Torch{_E}(?=\s*\(?\s*(?:lua|\[?\d))",
        case=True,
    ),
    Term("torch-lua", rf"{_B}torch7{_E}"),
    Term("dynet", rf"{_B}dynet{_E}"),
)


def compile_terms(terms: tuple[Term, ...] = TERMS) -> list[tuple[Term, re.Pattern[str]]]:
    """Compile the vocabulary once."""
    return [(t, re.compile(t.pattern, 0 if t.case else re.IGNORECASE)) for t in terms]


def find_terms(
    text: str, compiled: list[tuple[Term, re.Pattern[str]]]
) -> list[tuple[Term, int, int]]:
    """All (term, start, end) hits in text, without overlapping hits of the same framework."""
    hits: list[tuple[Term, int, int]] = []
    for term, pattern in compiled:
        for m in pattern.finditer(text):
            hits.append((term, m.start(), m.end()))
    hits.sort(key=lambda h: (h[1], -(h[2] - h[1])))
    kept: list[tuple[Term, int, int]] = []
    last_end = -1
    for h in hits:
        if h[1] >= last_end:
            kept.append(h)
            last_end = h[2]
    return kept
