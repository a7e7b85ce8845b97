"""Test data for the repository stage (no tests here): five projects and GitHub API shapes.

The projects become local git repositories (`build_repo`) and GitHub API answers (`api_*`).
The API bodies are built from GitHub's documented REST response shapes ("Get a repository",
"Get a commit", "Get a tree", "Get repository content", and the documented 403 rate-limit and
404/409 error bodies); no recorded traffic is used, since this machine never reaches GitHub.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any

Files = dict[str, str]


def notebook(*cells: tuple[str, str]) -> str:
    """An nbformat 4 notebook with (cell_type, source) cells."""
    return json.dumps(
        {
            "cells": [
                {"cell_type": kind, "metadata": {}, "source": src.splitlines(keepends=True)}
                | ({"outputs": [], "execution_count": None} if kind == "code" else {})
                for kind, src in cells
            ],
            "metadata": {},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


TORCH_PROJECT: Files = {
    "README.md": "# SuperNet\n\nOfficial PyTorch implementation of our paper.\n",
    "requirements.txt": "torch>=1.7\ntorchvision  # models\nnumpy\ntensorflow  # tensorboard only\n",
    "train.py": "import argparse\nimport torch\nimport torch.nn as nn\nfrom models.net import Net\n",
    "models/__init__.py": "",
    "models/net.py": "from torch import nn\n\n\nclass Net(nn.Module):\n    pass\n",
    "utils/data.py": "import numpy as np\nfrom torchvision import transforms\n",
    "scripts/plot.py": "import matplotlib.pyplot as plt\n",
}
TORCH_EXPECTED = {
    "pytorch": ("primary", 3, 1, 0, 10.0),
    "tensorflow": ("declared", 0, 1, 0, 1.0),
}

KERAS_PROJECT: Files = {
    "README.md": "# DeepThing\n\nUnofficial Keras re-implementation of the DeepThing paper.\n",
    "setup.py": (
        "from setuptools import setup\n"
        "setup(name='deepthing', install_requires=['tensorflow>=2.4', 'keras', 'numpy'])\n"
    ),
    "deepthing/model.py": "import tensorflow as tf\nfrom tensorflow.keras import layers\n",
    "deepthing/train.py": "from tensorflow import keras\nimport tensorflow as tf\n",
    "deepthing/data.py": "import tensorflow as tf\n",
    "deepthing/layers.py": "import keras\nfrom keras.layers import Dense\n",
    "tools/convert_torch.py": "import torch\n",
}
KERAS_EXPECTED = {
    "tensorflow": ("primary", 3, 1, 0, 10.0),
    "keras": ("secondary", 1, 1, 0, 4.0),  # tf.keras is TensorFlow; one file imports keras
    "pytorch": ("secondary", 1, 0, 0, 3.0),
}

MIXED_PROJECT: Files = {
    "README.md": "# Bench\n\nThe same model in several frameworks.\n",
    "environment.yml": (
        "name: bench\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.9\n"
        "  - pytorch::pytorch=1.12\n  - pip:\n    - jax[cpu]==0.4.1\n    - flax\n"
    ),
    "torch_impl/model.py": "import torch\n",
    "torch_impl/train.py": "import torch.optim as optim\n",
    "jax_impl/model.py": "import jax.numpy as jnp\nimport flax.linen as nn\n",
    "jax_impl/train.py": "from jax import grad, jit\nimport optax\n",
    "legacy/old.py": 'import theano\nimport theano.tensor as T\nprint "python 2 syntax"\n',
    "caffe/deploy.prototxt": 'name: "Net"\nlayer { name: "data" type: "Input" }\n',
    "lua/train.lua": "require 'torch'\nrequire 'nn'\n",
    "analysis/fit.jl": "using Flux\n",
    "analysis/plot_results.m": "function plot_results()\n% MATLAB\nend\n",
}
MIXED_EXPECTED = {
    "pytorch": ("primary", 2, 1, 0, 7.0),
    "jax": ("primary", 2, 1, 0, 7.0),
    "theano": ("secondary", 1, 0, 0, 3.0),
    "torch-lua": ("secondary", 0, 0, 1, 3.0),
    "caffe": ("secondary", 0, 0, 1, 2.0),
}

NOTEBOOK_PROJECT: Files = {
    "README.md": "Notebooks for the paper.\n",
    "demo.ipynb": notebook(
        ("markdown", "We never\nimport torch\nhere."),
        ("code", "!pip install -q keras-tuner\n"),
        ("code", "import keras\nfrom keras import layers\n"),
    ),
    "explore.ipynb": notebook(("code", "import numpy as np\nimport keras\n")),
    "broken.ipynb": "{not json",
}
NOTEBOOK_EXPECTED = {"keras": ("primary", 2, 0, 0, 6.0)}

PROJECTS: dict[str, tuple[Files, dict[str, tuple[str, int, int, int, float]]]] = {
    "torch-proj": (TORCH_PROJECT, TORCH_EXPECTED),
    "keras-proj": (KERAS_PROJECT, KERAS_EXPECTED),
    "mixed-proj": (MIXED_PROJECT, MIXED_EXPECTED),
    "notebook-proj": (NOTEBOOK_PROJECT, NOTEBOOK_EXPECTED),
    "empty-proj": ({}, {}),
}

_GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.org",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.org",
    "GIT_AUTHOR_DATE": "2020-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2020-01-01T00:00:00Z",
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git(*args: str, cwd: Path | None = None) -> str:
    """Run git with a fixed identity and dates; returns stdout."""
    env = {**os.environ, **_GIT_ENV, "HOME": str(cwd or Path.cwd())}
    proc = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True
    )
    return proc.stdout


def build_repo(root: Path, name: str, files: Files) -> Path:
    """A bare repository `root/name.git` holding `files` in one commit (no commit if empty)."""
    bare = root / f"{name}.git"
    if not files:
        git("init", "-q", "--bare", "-b", "main", str(bare), cwd=root)
        return bare
    work = root / "work" / name
    work.mkdir(parents=True)
    for path, text in files.items():
        (work / path).parent.mkdir(parents=True, exist_ok=True)
        (work / path).write_text(text)
    git("init", "-q", "-b", "main", cwd=work)
    git("add", "-A", cwd=work)
    git("commit", "-q", "-m", "initial", cwd=work)
    git("clone", "-q", "--bare", str(work), str(bare), cwd=root)
    git("config", "uploadpack.allowFilter", "true", cwd=bare)
    return bare


# --- GitHub REST API response shapes (built from the documentation) -----------------------


def blob_sha(text: str) -> str:
    """Git's blob id of a text, as GitHub reports it in trees and contents."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def api_repo(base: str, owner: str, name: str, *, fork: bool = False, parent: str = "") -> dict:
    """`GET /repos/{owner}/{repo}` (trimmed to the documented fields the backend reads, and a few more)."""
    body: dict[str, Any] = {
        "id": 1296269,
        "name": name,
        "full_name": f"{owner}/{name}",
        "private": False,
        "owner": {"login": owner, "id": 1, "type": "User"},
        "html_url": f"https://github.com/{owner}/{name}",
        "description": "",
        "fork": fork,
        "url": f"{base}/repos/{owner}/{name}",
        "default_branch": "main",
        "archived": False,
        "language": "Python",
    }
    if parent:
        body["parent"] = {
            "full_name": parent,
            "fork": False,
            "html_url": f"https://github.com/{parent}",
        }
        body["source"] = body["parent"]
    return body


def api_commit(base: str, owner: str, name: str, sha: str, tree: str) -> dict:
    """`GET /repos/{owner}/{repo}/commits/{ref}`."""
    return {
        "sha": sha,
        "url": f"{base}/repos/{owner}/{name}/commits/{sha}",
        "html_url": f"https://github.com/{owner}/{name}/commit/{sha}",
        "commit": {
            "message": "initial",
            "tree": {"sha": tree, "url": f"{base}/repos/{owner}/{name}/git/trees/{tree}"},
            "author": {"name": "Test", "email": "test@example.org", "date": "2020-01-01T00:00:00Z"},
        },
        "parents": [],
    }


def api_tree(
    base: str, owner: str, name: str, tree: str, files: Files, truncated: bool = False
) -> dict:
    """`GET /repos/{owner}/{repo}/git/trees/{tree_sha}?recursive=1` (blobs and their folders)."""
    entries = []
    folders = sorted({p.rsplit("/", 1)[0] for p in files if "/" in p})
    for folder in folders:
        entries.append(
            {
                "path": folder,
                "mode": "040000",
                "type": "tree",
                "sha": blob_sha(folder),
                "url": f"{base}/repos/{owner}/{name}/git/trees/{blob_sha(folder)}",
            }
        )
    for path, text in sorted(files.items()):
        sha = blob_sha(text)
        entries.append(
            {
                "path": path,
                "mode": "100644",
                "type": "blob",
                "sha": sha,
                "size": len(text.encode()),
                "url": f"{base}/repos/{owner}/{name}/git/blobs/{sha}",
            }
        )
    return {
        "sha": tree,
        "url": f"{base}/repos/{owner}/{name}/git/trees/{tree}",
        "tree": entries,
        "truncated": truncated,
    }


def api_content(base: str, owner: str, name: str, path: str, text: str) -> dict:
    """`GET /repos/{owner}/{repo}/contents/{path}` for a file (base64 with line breaks, as GitHub sends)."""
    encoded = base64.encodebytes(text.encode()).decode()
    sha = blob_sha(text)
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(text.encode()),
        "name": path.rsplit("/", 1)[-1],
        "path": path,
        "content": encoded,
        "sha": sha,
        "url": f"{base}/repos/{owner}/{name}/contents/{path}?ref=main",
        "git_url": f"{base}/repos/{owner}/{name}/git/blobs/{sha}",
        "html_url": f"https://github.com/{owner}/{name}/blob/main/{path}",
        "download_url": f"https://raw.githubusercontent.com/{owner}/{name}/main/{path}",
        "_links": {"self": f"{base}/repos/{owner}/{name}/contents/{path}?ref=main"},
    }


NOT_FOUND = {
    "message": "Not Found",
    "documentation_url": "https://docs.github.com/rest/repos/repos#get-a-repository",
    "status": "404",
}
EMPTY_REPO = {
    "message": "Git Repository is empty.",
    "documentation_url": "https://docs.github.com/rest/commits/commits#get-a-commit",
    "status": "409",
}
RATE_LIMITED = {
    "message": "API rate limit exceeded for 127.0.0.1. (But here's the good news: Authenticated "
    "requests get a higher rate limit. Check out the documentation for more details.)",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}


def rate_limit_headers(reset: int, remaining: int = 0, limit: int = 60) -> dict[str, str]:
    """The documented x-ratelimit-* headers."""
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-used": str(limit - remaining),
        "x-ratelimit-reset": str(reset),
        "x-ratelimit-resource": "core",
    }
