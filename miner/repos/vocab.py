"""What imported modules and declared packages mean: the framework vocabulary (pure, no IO).

Module names map by their longest known dotted prefix, so `tensorflow.keras` (tf.keras) is
TensorFlow while standalone `keras` is Keras; libraries built on one framework imply it.
"""

from __future__ import annotations

import re

# Imported module (dotted prefix) -> framework; longest prefix wins. Libraries imply their base.
MODULES: dict[str, str] = {
    "torch": "pytorch",
    "torchvision": "pytorch",
    "torchaudio": "pytorch",
    "torchtext": "pytorch",
    "pytorch_lightning": "pytorch",
    "lightning": "pytorch",
    "fairseq": "pytorch",
    "detectron2": "pytorch",
    "mmcv": "pytorch",
    "mmdet": "pytorch",
    "timm": "pytorch",
    "torch_geometric": "pytorch",
    "tensorflow": "tensorflow",
    "tf_keras": "tensorflow",
    "tf_slim": "tensorflow",
    "tensorflow_probability": "tensorflow",
    "tensorflow_probability.substrates.jax": "jax",
    "tensor2tensor": "tensorflow",
    "sonnet": "tensorflow",
    "keras": "keras",
    "jax": "jax",
    "jaxlib": "jax",
    "flax": "jax",
    "haiku": "jax",
    "optax": "jax",
    "equinox": "jax",
    "trax": "jax",
    "mxnet": "mxnet",
    "gluoncv": "mxnet",
    "gluonnlp": "mxnet",
    "caffe": "caffe",
    "caffe2": "caffe2",
    "theano": "theano",
    "lasagne": "theano",
    "pylearn2": "theano",
    "chainer": "chainer",
    "paddle": "paddlepaddle",
    "paddlehub": "paddlepaddle",
    "paddlenlp": "paddlepaddle",
    "pgl": "paddlepaddle",
    "pahelix": "paddlepaddle",
    "mindspore": "mindspore",
    "cntk": "cntk",
    "dynet": "dynet",
}

# Distribution names in dependency files (lower case, `_` as `-`) -> framework.
PACKAGES: dict[str, str] = {
    "torch": "pytorch",
    "pytorch": "pytorch",
    "torchvision": "pytorch",
    "torchaudio": "pytorch",
    "pytorch-lightning": "pytorch",
    "lightning": "pytorch",
    "fairseq": "pytorch",
    "timm": "pytorch",
    "tensorflow": "tensorflow",
    "tensorflow-gpu": "tensorflow",
    "tensorflow-cpu": "tensorflow",
    "tf-nightly": "tensorflow",
    "tensorflow-macos": "tensorflow",
    "tf-keras": "tensorflow",
    "keras": "keras",
    "jax": "jax",
    "jaxlib": "jax",
    "flax": "jax",
    "dm-haiku": "jax",
    "optax": "jax",
    "mxnet": "mxnet",
    "gluoncv": "mxnet",
    "theano": "theano",
    "lasagne": "theano",
    "chainer": "chainer",
    "paddlepaddle": "paddlepaddle",
    "paddlepaddle-gpu": "paddlepaddle",
    "mindspore": "mindspore",
    "cntk": "cntk",
    "dynet": "dynet",
    "caffe": "caffe",
}
_MXNET_CUDA = re.compile(r"^mxnet-(?:cu\d+\w*|mkl)$")


def module_framework(module: str) -> str | None:
    """Framework of an imported dotted module name (longest known prefix), or None."""
    parts = module.split(".")
    for n in range(len(parts), 0, -1):
        fw = MODULES.get(".".join(parts[:n]))
        if fw:
            return fw
    return None


def package_framework(name: str) -> str | None:
    """Framework of a distribution name as written in a dependency file, or None."""
    key = name.strip().lower().replace("_", "-")
    if _MXNET_CUDA.match(key):
        return "mxnet"
    return PACKAGES.get(key)
