"""Pure detection: dependency formats, imports, weighting, reimplementation wording, combining."""

from __future__ import annotations

import pytest

from classifiers.combined import RepoSignal, combine
from miner.records import Prediction
from miner.repos.detect import (
    dependency_names,
    file_kind,
    find_reimplementation,
    module_framework,
    package_framework,
    python_imports,
    score_frameworks,
)
from miner.repos.protocol import RepoFile, parse_repo_url


def test_python_imports_handle_aliases_lists_and_python2() -> None:
    text = (
        "import os, torch.nn as nn,  numpy as np\nfrom tensorflow.keras import layers\n"
        "    import jax  # nested\nprint 'py2'\nfrom . import local\nx = 'import mxnet'\n"
    )
    assert python_imports(text) == {"os", "torch.nn", "numpy", "tensorflow.keras", "jax"}


@pytest.mark.parametrize(
    ("module", "framework"),
    [
        ("torch.nn.functional", "pytorch"),
        ("tensorflow.keras.layers", "tensorflow"),  # tf.keras is TensorFlow (issue 14)
        ("tf_keras", "tensorflow"),
        ("keras.layers", "keras"),
        ("tensorflow.compat.v1", "tensorflow"),
        ("tensorflow_probability.substrates.jax", "jax"),
        ("tensorflow_probability", "tensorflow"),
        ("paddle.fluid", "paddlepaddle"),
        ("torchtext", "pytorch"),
        ("torchy", None),
        ("numpy", None),
    ],
)
def test_module_framework_longest_prefix(module: str, framework: str | None) -> None:
    assert module_framework(module) == framework


def test_dependency_formats() -> None:
    req = "# deps\n-r base.txt\ntorch==1.9 ; python_version>'3'\nTensorflow_GPU>=2\n\nkeras[tune]\n"
    assert dependency_names("requirements-dev.txt", req) == ["torch", "Tensorflow_GPU", "keras"]
    pyproject = (
        '[project]\ndependencies = ["jax>=0.4", "numpy"]\n'
        '[project.optional-dependencies]\ngpu = ["torch"]\n'
        "[tool.poetry.dependencies]\nmxnet = '*'\n"
    )
    assert dependency_names("pyproject.toml", pyproject) == ["jax", "numpy", "torch", "mxnet"]
    pipfile = '[packages]\ntheano = "*"\n[dev-packages]\npytest = "*"\n'
    assert dependency_names("Pipfile", pipfile) == ["theano", "pytest"]
    setup_py = "setup(install_requires=['chainer>=7', \"cupy\"], name='x')"
    assert {package_framework(n) for n in dependency_names("setup.py", setup_py)} >= {"chainer"}
    assert package_framework("mxnet-cu101") == "mxnet"
    assert package_framework("paddlepaddle-gpu") == "paddlepaddle"
    assert dependency_names("pyproject.toml", "not [toml") == []


def test_file_kinds() -> None:
    assert file_kind("requirements.txt") == "dependency"
    assert file_kind("env/conda-gpu.yaml") == "dependency"
    assert file_kind("README.rst") == "readme"
    assert file_kind("docs/README.md") is None  # only the root README describes the repository
    assert file_kind("nets/deploy.prototxt") == "prototxt"
    assert file_kind("a/b.ipynb") == "notebook"
    assert file_kind("x.M") is None and file_kind("x.m") == "matlab"
    assert file_kind("x.R") == "r" and file_kind("a/x.jl") == "julia"
    # Vendored files are read but weigh less (tests/test_repos_semantics.py); hidden ones never.
    assert file_kind("third_party/caffe/python/caffe/net.py") == "python"
    assert file_kind("nbs/.ipynb_checkpoints/demo-checkpoint.ipynb") is None
    assert file_kind("src/external/requirements.txt") == "dependency"


def test_imports_in_many_files_outweigh_one_requirements_line() -> None:
    files = [RepoFile(f"m{i}.py", text="import torch\n") for i in range(5)]
    files.append(RepoFile("requirements.txt", text="tensorflow\nkeras\n"))
    result = {f.framework: f for f in score_frameworks(files)}
    assert result["pytorch"].label == "primary" and result["pytorch"].score == 15.0
    assert result["tensorflow"].label == "declared" and result["keras"].label == "declared"


def test_lua_needs_a_torch_require() -> None:
    files = [RepoFile("a.lua", text="local x = require 'json'\n"), RepoFile("b.lua", text="")]
    assert score_frameworks(files) == []
    torch = score_frameworks([RepoFile("t.lua", text='require("nngraph")\n')])
    assert [(f.framework, f.label) for f in torch] == [("torch-lua", "primary")]


@pytest.mark.parametrize(
    ("readme", "flagged"),
    [
        ("# X\nOfficial PyTorch implementation of our CVPR paper.", False),
        ("# X\nThis is the code for our paper.", False),
        ("# X\nAn unofficial PyTorch implementation of X.", True),
        ("# X\nThis is not the official implementation.", True),
        ("# X\nA PyTorch reimplementation of Attention Is All You Need.", True),
        ("# X\nThe official code is at https://github.com/a/b.", True),
        ("# X\nThis repository is a mirror of the original SVN.", True),
        ("# X\n" + "Intro. " * 400 + "We include a reimplementation of the baseline.", False),
    ],
)
def test_reimplementation_wording(readme: str, flagged: bool) -> None:
    assert bool(find_reimplementation(readme)) is flagged


def test_parse_repo_url() -> None:
    ref = parse_repo_url("https://gitlab.com/group/proj.git")
    assert ref is not None and (ref.host, ref.full_name) == ("gitlab.com", "group/proj")
    assert ref.url == "https://gitlab.com/group/proj"
    assert parse_repo_url("https://github.com/onlyowner") is None


def _text(**labels: str) -> list[Prediction]:
    return [Prediction(fw, label, 0.8) for fw, label in labels.items()]


def test_combine_says_which_signal_decided() -> None:
    text = _text(pytorch="absent", tensorflow="uses", keras="mentions", jax="uses")
    repo = RepoSignal(frozenset({"pytorch"}), frozenset({"pytorch", "jax"}), code_files=12)
    got = {v.framework: (v.label, v.decided_by, v.agree, v.repo_label) for v in combine(text, repo)}
    assert got == {
        "pytorch": ("uses", "repo", False, "uses"),
        "tensorflow": ("mentions", "repo", False, "absent"),  # vetoed: substantial torch repo
        "keras": ("mentions", "both", True, "absent"),
        "jax": ("uses", "text", False, "mentions"),  # the repo shows it too, text keeps it
    }
    small = RepoSignal(frozenset({"pytorch"}), frozenset({"pytorch"}), code_files=1)
    assert {v.framework: v.label for v in combine(text, small)}["tensorflow"] == "uses"
    no_dl = RepoSignal(frozenset(), frozenset(), code_files=40)
    assert {v.framework: v.label for v in combine(text, no_dl)}["tensorflow"] == "uses"
    alone = {v.framework: (v.label, v.decided_by, v.agree) for v in combine(text, None)}
    assert alone["tensorflow"] == ("uses", "text", None)
