"""The 2019 study's keyword method, kept as a named, versioned baseline (pure).

Lowercased substring hits of framework words anywhere in the text; a paper counts for PyTorch only
if it has no TensorFlow hit and vice versa (the study dropped papers that name both).
"""

from __future__ import annotations

from classifiers.labels import FRAMEWORKS
from miner.records import Evidence, ExtractedDoc, Prediction

# Substrings as the 2019 method used them: deliberately naive (matches "ajax", "torch", ...).
BASELINE_WORDS: dict[str, tuple[str, ...]] = {
    "pytorch": ("pytorch",),
    "tensorflow": ("tensorflow",),
    "keras": ("keras",),
    "jax": ("jax",),
    "mxnet": ("mxnet",),
    "caffe": ("caffe",),
    "caffe2": ("caffe2",),
    "theano": ("theano",),
    "chainer": ("chainer",),
    "paddlepaddle": ("paddlepaddle",),
    "mindspore": ("mindspore",),
    "cntk": ("cntk",),
    "torch-lua": ("torch7", "lua torch"),
    "dynet": ("dynet",),
}


class KeywordBaselineClassifier:
    """Substring baseline: `uses` on any hit, PyTorch/TensorFlow dropped when both hit."""

    NAME = "keyword-baseline"
    VERSION = "1"

    def predict_doc(self, doc: ExtractedDoc) -> list[Prediction]:
        """Predictions for every framework from lowercased substring hits."""
        hits: dict[str, Evidence] = {}
        for block in doc.blocks:
            low = block.text.lower()
            for fw, words in BASELINE_WORDS.items():
                if fw in hits:
                    continue
                for w in words:
                    i = low.find(w)
                    if i >= 0:
                        snippet = block.text[max(0, i - 150) : i + len(w) + 150]
                        hits[fw] = Evidence(block.page, block.section, snippet, "substring", w)
                        break
        both = "pytorch" in hits and "tensorflow" in hits
        out = []
        for fw in FRAMEWORKS:
            ev = hits.get(fw)
            if ev is None or (both and fw in ("pytorch", "tensorflow")):
                out.append(Prediction(fw, "absent", 1.0 if ev is None else 0.5))
            else:
                out.append(Prediction(fw, "uses", 1.0, (ev,)))
        return out
