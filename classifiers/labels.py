"""The framework vocabulary: one versioned table of frameworks and the terms that name them (data).

Also the pure text helpers that find those terms: `normalize_text` (ligatures, line-break hyphens)
and `find_terms`, with a cheap prefilter so that text without any candidate is skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

VOCABULARY_VERSION = "2"

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


# Word start: not inside another word, path or URL host ("ajax", "cajax", "www.keras.io" is ok).
_B = r"(?<![\w-])"
# Word end; a trailing footnote number is allowed ("TensorFlow4", "Keras6") but no letters.
_E = r"(?:\d{1,2}(?!\w))?(?![\w-])"
# Ordinary words (Blocks, Sonnet, Haiku, Jax) only count right before a library-ish word.
_LIB = r"(?=\s+(?:library|libraries|framework|toolkit|package|\(|\[))"

# One row per term. Libraries imply their base framework (data, versioned by VOCABULARY_VERSION).
TERMS: tuple[Term, ...] = (
    Term("pytorch", rf"{_B}pytorch[- ]lightning{_E}", "pytorch-lightning"),
    Term("pytorch", rf"{_B}lightning{_E}(?=\s*\(\s*[A-Z]|\s+\[\d)", "pytorch-lightning"),
    Term("pytorch", rf"{_B}py-?torch{_E}"),
    Term("pytorch", rf"{_B}torch(?:vision|audio|text){_E}", "torchvision"),
    Term("pytorch", rf"{_B}fairseq(?:-py)?{_E}", "fairseq"),
    Term("pytorch", rf"{_B}allennlp{_E}", "allennlp"),
    Term("pytorch", rf"{_B}detectron2{_E}", "detectron2"),
    Term("pytorch", rf"{_B}mmdetection{_E}", "mmdetection"),
    Term("pytorch", rf"{_B}megatron(?:-lm|-deepspeed)?{_E}", "megatron"),
    Term("pytorch", rf"{_B}deepspeed{_E}", "deepspeed"),
    Term("pytorch", rf"{_B}FSDP2?{_E}", "fsdp", case=True),
    Term("pytorch", rf"{_B}torch\.(?:nn|optim|distributed|compile|utils)\b", "torch.nn"),
    Term("tensorflow", rf"{_B}mesh[- ]tensorflow{_E}", "mesh-tensorflow"),
    Term("tensorflow", rf"{_B}(?:TFLite|TensorFlow\s?Lite|TensorBoard){_E}", "tflite", case=True),
    Term("tensorflow", rf"{_B}tensor-?flow{_E}"),
    Term("tensorflow", rf"{_B}tf\.(?:keras|data|function|estimator|contrib){_E}", "tf.keras"),
    Term("tensorflow", rf"{_B}tensor2tensor{_E}", "tensor2tensor"),
    Term("tensorflow", rf"{_B}Sonnet{_E}{_LIB}", "sonnet", case=True),
    Term("keras", rf"{_B}keras{_E}"),
    Term("jax", rf"{_B}jax{_E}"),
    Term("jax", rf"{_B}jax\.numpy\b", "jax.numpy"),
    Term("jax", rf"{_B}flax{_E}", "flax"),
    Term("jax", rf"{_B}dm-haiku{_E}|{_B}Haiku{_E}{_LIB}", "haiku", case=True),
    Term("jax", rf"{_B}optax{_E}", "optax"),
    Term("jax", rf"{_B}trax{_E}", "trax"),
    Term("mxnet", rf"{_B}mx-?net{_E}"),
    Term("mxnet", rf"{_B}gluon(?:cv|nlp|ts)?{_E}", "gluon"),
    Term("caffe2", rf"{_B}caffe2(?![\w-])"),
    Term("caffe", rf"{_B}caffe(?!2)(?:\d(?!\w))?(?![\w-])"),
    Term("theano", rf"{_B}theano{_E}"),
    Term("theano", rf"{_B}lasagne{_E}", "lasagne"),
    Term("theano", rf"{_B}pylearn2?{_E}", "pylearn2"),
    Term("theano", rf"{_B}Blocks{_E}(?=\s+(?:library|framework|and\s+Fuel|\(|\[))", "blocks", True),
    Term("chainer", rf"{_B}chainer(?:cv|mn|rl)?{_E}"),
    Term("paddlepaddle", rf"{_B}paddle-?paddle{_E}"),
    Term(
        "paddlepaddle",
        rf"{_B}Paddle(?:Helix|Hub|Detection|NLP|Slim|OCR|Seg|Clas){_E}",
        "paddle-suite",
        True,
    ),
    Term("mindspore", rf"{_B}mind-?spore{_E}"),
    Term(
        "cntk",
        rf"{_B}cntk{_E}|{_B}computational network toolkit{_E}|{_B}microsoft cognitive toolkit{_E}",
    ),
    # Lua Torch: "Torch7", "Lua Torch", "Torch [12]" / "Torch (Collobert...)"; never "torch" the
    # lowercase word, and never the "Torch" of "Py-Torch" (see normalize_text).
    Term("torch-lua", rf"{_B}torch\s?7{_E}|{_B}lua\s?torch{_E}"),
    Term("torch-lua", r"(?<![\w.-])(?<!Py )Torch(?=\s*(?:\[\d|\(\s*[A-Z][a-z]+))", case=True),
    Term("dynet", rf"{_B}dynet{_E}"),
)

# Cheap lowercase anchors: text without any of them cannot hold a term. Plain substring tests
# (`in`) are an order of magnitude faster than one case-insensitive alternation regex.
ANCHORS: tuple[str, ...] = (
    "torch", "tensorf", "tensor-", "tensor2", "tensor\ufb02", "keras", "jax", "flax", "haiku", "optax", "trax", "mxnet", "mx-net",
    "gluon", "caffe", "theano", "lasagne", "pylearn", "blocks", "chainer", "paddle", "mindspore",
    "mind-spore", "cntk", "cognitive toolkit", "computational network", "dynet", "fairseq",
    "allennlp", "detectron", "mmdetection", "megatron", "deepspeed", "sonnet", "fsdp",
    "lightning", "tf.", "tflite",
)  # fmt: skip


def has_anchor(text: str) -> bool:
    """True when text may contain a vocabulary term (a superset test)."""
    low = text.lower()
    return any(a in low for a in ANCHORS)


_HYPHEN_BREAK = re.compile(r"(?<=[A-Za-z])-\s+(?=[A-Za-z])")


def normalize_text(text: str) -> str:
    """NFKC (ligatures such as `ﬂ` become `fl`) and line-break hyphens joined (`Py- Torch`)."""
    return _HYPHEN_BREAK.sub("-", unicodedata.normalize("NFKC", text))


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """The terms compiled into one alternation (one scan per text); group `t<i>` is TERMS[i]."""

    terms: tuple[Term, ...]
    pattern: re.Pattern[str]


def compile_terms(terms: tuple[Term, ...] = TERMS) -> Vocabulary:
    """Compile the vocabulary once; earlier rows win where two match at the same place."""
    parts = [f"(?P<t{i}>{'(?:' if t.case else '(?i:'}{t.pattern}))" for i, t in enumerate(terms)]
    # The shared word-start test up front: most positions fail it at once (a 3x faster scan).
    return Vocabulary(terms, re.compile(rf"{_B}(?:{'|'.join(parts)})"))


def find_terms(text: str, vocab: Vocabulary) -> list[tuple[Term, int, int]]:
    """All (term, start, end) hits in text, left to right, never overlapping."""
    if not has_anchor(text):
        return []
    return [
        (vocab.terms[int((m.lastgroup or "t0")[1:])], m.start(), m.end())
        for m in vocab.pattern.finditer(text)
    ]
