"""Detector semantics a user can predict (issue 14, item 2; README, `miner repos`)."""

from __future__ import annotations

from classifiers.combined import RepoSignal, combine, repo_label
from miner.records import Prediction
from miner.repos.detect import (
    analyse_snapshot,
    find_reimplementation,
    reading_order,
    score_frameworks,
)
from miner.repos.protocol import RepoFile, RepoRef, RepoSnapshot
from tests.test_repos_data import notebook


def labels(files: dict[str, str]) -> dict[str, tuple[str, float]]:
    """framework -> (label, score) of a repository holding these files."""
    found = score_frameworks(RepoFile(p, len(t), t) for p, t in files.items())
    return {f.framework: (f.label, f.score) for f in found}


def analyse(files: dict[str, str]) -> object:
    ref = RepoRef("https://github.com/a/b", "github.com", "a", "b")
    snap = RepoSnapshot(
        ref, "c" * 40, "git", tuple(RepoFile(p, len(t), t) for p, t in files.items())
    )
    return analyse_snapshot(snap)


def test_tf_keras_is_tensorflow_and_standalone_keras_is_keras() -> None:
    tf = labels(
        {
            "model.py": "from tensorflow import keras\nfrom tensorflow.keras import layers\n",
            "train.py": "import tensorflow.keras.backend as K\n",
        }
    )
    assert tf == {"tensorflow": ("primary", 6.0)}
    assert labels({"model.py": "import keras\nfrom keras.layers import Dense\n"}) == {
        "keras": ("primary", 3.0)
    }


def test_a_shim_importing_two_frameworks_makes_only_its_main_one_primary() -> None:
    """golsun/StyleFusion: one `tf_lib.py` imports seven keras modules and tensorflow; the rest
    import the shim. A file's weight is shared by module-name counts (7/8 vs 1/8)."""
    shim = "import keras\n" + "".join(
        f"import keras.{m}\n"
        for m in ("layers", "models", "optimizers", "utils", "callbacks", "activations")
    )
    files = {"src/tf_lib.py": shim + "import tensorflow as tf\n"}
    files |= {f"src/{n}.py": "from tf_lib import *\n" for n in ("main", "model", "vis")}
    assert labels(files) == {"keras": ("primary", 2.625), "tensorflow": ("secondary", 0.375)}
    # A file that really uses two frameworks alike gives both the same share.
    assert labels({"convert.py": "import torch\nimport jax\n"}) == {
        "jax": ("primary", 1.5),
        "pytorch": ("primary", 1.5),
    }


def test_vendored_folders_and_copied_libraries_count_a_third() -> None:
    own = {f"net/m{i}.py": "import torch\n" for i in range(4)}  # 4 files x 3 = 12
    vendored = {f"third_party/tf/t{i}.py": "import tensorflow\n" for i in range(5)}
    copied = {"libs/seg/setup.py": "", **{f"libs/seg/x{i}.py": "import jax\n" for i in range(5)}}
    got = labels(own | vendored | copied)
    assert got["pytorch"] == ("primary", 12.0)
    assert got["tensorflow"] == ("secondary", 5.0) and got["jax"] == ("secondary", 5.0)
    # Counted as own code, five files each would have outweighed nothing less than PyTorch.
    assert labels(own | {f"tf/t{i}.py": "import tensorflow\n" for i in range(5)})["tensorflow"][
        0
    ] == ("primary")
    # Less is not nothing: a repository whose only framework code is a copied library (FAHU-Mamba's
    # modified nnU-Net) still shows it as primary.
    assert labels(copied)["jax"][0] == "primary"


def test_notebooks_count_like_python_files() -> None:
    files = {
        "demo.ipynb": notebook(("markdown", "# Demo"), ("code", "import mxnet as mx\n")),
        "explore.ipynb": notebook(("code", "%matplotlib inline\nfrom mxnet import gluon\n")),
        "util.py": "import numpy\n",
    }
    assert labels(files) == {"mxnet": ("primary", 6.0)}


def test_dependency_only_frameworks_are_declared_never_uses() -> None:
    files = {"train.py": "import torch\n", "requirements.txt": "torch\ntensorflow\n"}
    assert labels(files) == {"pytorch": ("primary", 4.0), "tensorflow": ("declared", 1.0)}
    signal = RepoSignal(frozenset({"pytorch"}), frozenset({"pytorch", "tensorflow"}), code_files=5)
    assert repo_label("tensorflow", signal) == "mentions"
    text = [Prediction("tensorflow", "absent", 0.9), Prediction("pytorch", "absent", 0.9)]
    got = {v.framework: v.label for v in combine(text, signal)}
    assert got == {"tensorflow": "absent", "pytorch": "uses"}
    # Declared only, no code: nothing is primary, so the repository decides nothing.
    assert labels({"requirements.txt": "keras\n"}) == {"keras": ("declared", 1.0)}


def test_caffe_lua_julia_matlab_and_r_are_reported_as_such() -> None:
    caffe = analyse({"models/deploy.prototxt": "name: 'x'\n", "tools/run.m": "x = 1;\n"})
    assert caffe.primary == ("caffe",) and caffe.languages == {"matlab": 1}  # type: ignore[attr-defined]
    lua = analyse({"train.lua": "require 'nn'\n", "util.lua": "require 'json'\n"})
    assert lua.primary == ("torch-lua",) and lua.languages == {"lua": 2}  # type: ignore[attr-defined]
    other = analyse({"a.jl": "using Flux\n", "b.m": "x=1;\n", "c.R": "library(x)\n", "d.Rmd": ""})
    assert other.status == "ok" and other.primary == ()  # type: ignore[attr-defined]
    assert other.languages == {"julia": 1, "matlab": 1, "r": 2}  # type: ignore[attr-defined]


def test_a_repository_in_no_listed_framework_says_so_with_its_languages() -> None:
    """`repos --show` said nothing for an analysed repository in Julia, MATLAB or R."""
    from miner.repos.summary import no_framework

    other = analyse({"a.jl": "using Flux\n", "b.m": "x=1;\n", "c.R": "library(x)\n", "d.Rmd": ""})
    assert other.frameworks == ()  # type: ignore[attr-defined]
    shown = no_framework(other.status, other.languages)  # type: ignore[attr-defined]
    assert shown == "no listed framework (code files: r 2, julia 1, matlab 1)"
    assert no_framework("ok", {}) == "no listed framework"
    assert no_framework("no_code", {}) == "" and no_framework("failed", {"python": 1}) == ""


def test_a_file_budget_samples_every_folder_own_code_first() -> None:
    paths = [
        "a.py",
        "pkg/__init__.py",
        "pkg/core.py",
        "pkg/sub/deep.py",
        "pkg/sub/more.py",
        "third_party/x.py",
        "tools/run.py",
    ]
    assert reading_order(paths) == [
        "a.py",
        "pkg/core.py",
        "tools/run.py",
        "pkg/sub/deep.py",
        "pkg/__init__.py",
        "pkg/sub/more.py",
        "third_party/x.py",
    ]


def test_a_deprecated_repository_pointing_to_its_rewrite_is_still_the_authors() -> None:
    """oarriaga/face_classification: its heading says it is deprecated for a TF 2.0 rewrite (by the
    same author) elsewhere; that is not a third-party reimplementation. "Unofficial" still is."""
    head = "# This repository is deprecated for at TF-2.0 rewrite visit\n\n"
    assert (
        find_reimplementation(head + "The official code can be found at another repository.") == ""
    )
    assert find_reimplementation(head + "This is an unofficial implementation.") != ""
    assert find_reimplementation("# X\n\nThe official code can be found at another repository.")
