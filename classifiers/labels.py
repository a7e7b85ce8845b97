"""The framework vocabulary: one versioned table of frameworks and the terms that name them (data).

Also the pure text helpers that find those terms: `normalize_text` (ligatures, line-break hyphens)
and `find_terms`, with a cheap prefilter so that text without any candidate is skipped.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

VOCABULARY_VERSION = "3"

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


@dataclass(frozen=True, slots=True)
class Library:
    """A library that implies its base framework, as its own documentation describes it."""

    name: str
    """Distribution / project name; `-`, `_` and space are interchangeable in text."""
    framework: str
    source: str
    """Where the library says it is built on the framework (its documentation)."""
    import_name: str = ""
    """The Python import name when it differs from name (also matched)."""


# The implying-library table (data, versioned by VOCABULARY_VERSION): each project's own
# documentation states the framework it is built on.
LIBRARIES: tuple[Library, ...] = (
    Library("pytorch-lightning", "pytorch", "lightning.ai/docs: 'the deep learning framework ... for PyTorch'", "pytorch_lightning"),
    Library("torchvision", "pytorch", "pytorch.org/vision: 'part of the PyTorch project'"),
    Library("torchaudio", "pytorch", "pytorch.org/audio: 'audio library for PyTorch'"),
    Library("torchtext", "pytorch", "pytorch.org/text: 'part of the PyTorch project'"),
    Library("fairseq", "pytorch", "fairseq.readthedocs.io: 'sequence modeling toolkit written in PyTorch'"),
    Library("allennlp", "pytorch", "allennlp.org: 'NLP research library, built on PyTorch'"),
    Library("detectron2", "pytorch", "detectron2.readthedocs.io: 'implemented in PyTorch'"),
    Library("mmdetection", "pytorch", "mmdetection.readthedocs.io: 'toolbox based on PyTorch'", "mmdet"),
    Library("megatron-lm", "pytorch", "github.com/NVIDIA/Megatron-LM: 'GPU optimized techniques ... PyTorch'"),
    Library("deepspeed", "pytorch", "deepspeed.ai: 'deep learning optimization library ... for PyTorch'"),
    Library("timm", "pytorch", "huggingface.co/docs/timm: 'PyTorch Image Models'"),
    Library("fastai", "pytorch", "docs.fast.ai: 'built on top of PyTorch'"),
    Library("pytorch-geometric", "pytorch", "pyg.org: 'library built upon PyTorch'", "torch_geometric"),
    Library("tensor2tensor", "tensorflow", "github.com/tensorflow/tensor2tensor: 'library of deep learning models ... TensorFlow'"),
    Library("mesh-tensorflow", "tensorflow", "github.com/tensorflow/mesh: 'language for distributed deep learning' in TensorFlow"),
    Library("tensorflow-probability", "tensorflow", "tensorflow.org/probability: 'library for probabilistic reasoning ... in TensorFlow'"),
    Library("tf-agents", "tensorflow", "tensorflow.org/agents: 'reinforcement learning in TensorFlow'"),
    Library("lingvo", "tensorflow", "github.com/tensorflow/lingvo: 'framework for building neural networks in Tensorflow'"),
    Library("flax", "jax", "flax.readthedocs.io: 'neural network library for JAX'"),
    Library("dm-haiku", "jax", "dm-haiku.readthedocs.io: 'neural network library for JAX'"),
    Library("optax", "jax", "optax.readthedocs.io: 'gradient processing and optimization library for JAX'"),
    Library("trax", "jax", "trax-ml.readthedocs.io: 'runs on ... JAX' (TensorFlow NumPy optional)"),
    Library("objax", "jax", "objax.readthedocs.io: 'object oriented JAX framework'"),
    Library("gluon", "mxnet", "mxnet.apache.org/api/python/docs/api/gluon: MXNet's imperative API"),
    Library("gluoncv", "mxnet", "cv.gluon.ai: 'deep learning toolkit ... on Apache MXNet'"),
    Library("gluonnlp", "mxnet", "nlp.gluon.ai: 'deep learning toolkit ... on Apache MXNet'"),
    Library("gluonts", "mxnet", "ts.gluon.ai: probabilistic time series, MXNet models"),
    Library("lasagne", "theano", "lasagne.readthedocs.io: 'library to build and train neural networks in Theano'"),
    Library("pylearn2", "theano", "deeplearning.net/software/pylearn2: 'library ... built on top of Theano'"),
    Library("chainercv", "chainer", "chainercv.readthedocs.io: 'library for deep learning in computer vision' on Chainer"),
    Library("chainermn", "chainer", "chainermn.readthedocs.io: 'multi-node distributed ... for Chainer'"),
    Library("chainerrl", "chainer", "github.com/chainer/chainerrl: 'deep reinforcement learning library ... using Chainer'"),
)  # fmt: skip


def library_pattern(lib: Library) -> str:
    """The forms a library name is printed in: any case, its parts joined by `-`, `_`, a space
    or nothing (`PyTorch Lightning`, `pytorch_lightning`), or its import name."""
    names = {lib.name, lib.import_name} - {""}
    alts = ["[-_ ]?".join(re.escape(p) for p in re.split(r"[-_ ]", n)) for n in sorted(names)]
    return rf"{_B}(?:{'|'.join(alts)}){_E}"


# One row per term. Library rows come from LIBRARIES; the rest are the frameworks' own names
# and guarded forms of library names that are also ordinary words.
TERMS: tuple[Term, ...] = (
    *(Term(lib.framework, library_pattern(lib), lib.name) for lib in LIBRARIES),
    Term("pytorch", rf"{_B}lightning{_E}(?=\s*\(\s*[A-Z]|\s+\[\d)", "pytorch-lightning"),
    Term("pytorch", rf"{_B}py-?torch{_E}"),
    Term("pytorch", rf"{_B}fairseq-py{_E}", "fairseq"),
    Term("pytorch", rf"{_B}megatron(?:-deepspeed)?{_E}", "megatron-lm"),
    Term("pytorch", rf"{_B}FSDP2?{_E}", "fsdp", case=True),
    Term("pytorch", rf"{_B}torch\.(?:nn|optim|distributed|compile|utils)\b", "torch.nn"),
    Term("tensorflow", rf"{_B}(?:TFLite|TensorFlow\s?Lite|TensorBoard){_E}", "tflite", case=True),
    Term("tensorflow", rf"{_B}tensor-?flow{_E}"),
    Term("tensorflow", rf"{_B}tf\.(?:keras|data|function|estimator|contrib){_E}", "tf.keras"),
    Term("tensorflow", rf"{_B}Sonnet{_E}{_LIB}", "sonnet", case=True),
    Term("keras", rf"{_B}keras{_E}"),
    Term("jax", rf"{_B}jax{_E}"),
    Term("jax", rf"{_B}jax\.numpy\b", "jax.numpy"),
    Term("jax", rf"{_B}Haiku{_E}{_LIB}", "dm-haiku", case=True),
    Term("mxnet", rf"{_B}mx-?net{_E}"),
    Term("caffe2", rf"{_B}caffe2(?![\w-])"),
    Term("caffe", rf"{_B}caffe(?!2)(?:\d(?!\w))?(?![\w-])"),
    Term("theano", rf"{_B}theano{_E}"),
    Term("theano", rf"{_B}pylearn{_E}", "pylearn2"),
    Term("theano", rf"{_B}Blocks{_E}(?=\s+(?:library|framework|and\s+Fuel|\(|\[))", "blocks", True),
    Term("chainer", rf"{_B}chainer{_E}"),
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
    "lightning", "tf.", "tflite", "timm", "fastai", "lingvo", "mmdet", "tf-agents", "tf_agents",
    "tf agents", "tfagents",
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
