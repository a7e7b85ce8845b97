"""Frameworks a repository uses, from its file listing and file contents (pure, no IO).

Evidence per framework: files that import it (.py, .ipynb; weight 3 each), Caffe `.prototxt`
and Lua Torch files (weight 2 and 3), and dependency files naming it (weight 1 each), so imports
in many files outweigh one line in a requirements file.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath

from miner.repos.protocol import FrameworkEvidence, RepoAnalysis, RepoFile, RepoSnapshot

DETECTOR_VERSION = "1"

IMPORT_WEIGHT = 3.0
PROTOTXT_WEIGHT = 2.0
LUA_WEIGHT = 3.0
DEPENDENCY_WEIGHT = 1.0
PRIMARY_SHARE = 0.5
"""A framework is primary when its score is at least this share of the best score."""
MAX_FILES_SHOWN = 20

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
    "tensorflow.keras": "keras",
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

DEPENDENCY_NAMES = re.compile(
    r"^(?:requirements[\w.-]*\.(?:txt|in)|setup\.py|setup\.cfg|pyproject\.toml|Pipfile|"
    r"environment[\w.-]*\.ya?ml|conda[\w.-]*\.ya?ml|meta\.ya?ml)$",
    re.IGNORECASE,
)
VENDORED = frozenset(
    {
        "third_party",
        "third-party",
        "thirdparty",
        "3rdparty",
        "vendor",
        "vendored",
        "external",
        "extern",
        "site-packages",
        "node_modules",
        "deps",
    }
)
README_NAME = re.compile(r"^readme(?:\.\w+)?$", re.IGNORECASE)
LANGUAGES = {".py": "python", ".ipynb": "notebook", ".lua": "lua", ".jl": "julia", ".m": "matlab"}

_IMPORT = re.compile(
    r"^[ \t]*(?:from[ \t]+([\w.]+)[ \t]+import\b|import[ \t]+([\w.][\w., \t]*))", re.M
)
_LUA_REQUIRE = re.compile(
    r"""\brequire\s*\(?\s*['"](torch|nn|cunn|cutorch|nngraph|optim|cudnn|rnn|dpnn)['"]"""
)
_PIP_INSTALL = re.compile(r"^\s*[!%]\s*pip3?\s+install\s+(.+)$", re.M)
_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)")
_QUOTED = re.compile(
    r"""['"]([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*(?:[<>=!~;][^'"]*)?['"]"""
)
_YAML_ITEM = re.compile(r"^\s*-\s*(?:[\w.-]+::)?([A-Za-z0-9][A-Za-z0-9._-]*)", re.M)

REIMPLEMENTATION = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bun-?official\b",
        r"\bnot\s+(?:the\s+|an\s+)?official\b",
        r"\bthird[- ]party\s+(?:re-?)?implementation\b",
        r"\b(?:re-?implementation|reproduction|replication)\s+of\b",
        r"\b(?:port(?:ed)?)\s+(?:of|from)\b",
        r"\b(?:mirror|fork)\s+of\b",
        r"\bofficial\s+(?:code|implementation|repo(?:sitory)?)\s+(?:is|can\s+be\s+found)\s+(?:at|here|in)\b",
    )
)
README_HEAD = 1500
"""Only the README's opening says what a repository is; later text often discusses baselines."""


def file_kind(path: str) -> str | None:
    """dependency | python | notebook | prototxt | lua | julia | matlab | readme, or None.

    Files under vendored folders (third_party, vendor, external, ...) and hidden folders
    (.ipynb_checkpoints, .github) are None: they are not the repository's own code.
    """
    p = PurePosixPath(path)
    if any(part.lower() in VENDORED or part.startswith(".") for part in p.parts[:-1]):
        return None
    if DEPENDENCY_NAMES.match(p.name):
        return "dependency"
    if README_NAME.match(p.name) and len(p.parts) == 1:
        return "readme"
    suffix = p.suffix.lower()
    if suffix == ".prototxt":
        return "prototxt"
    return LANGUAGES.get(p.suffix if suffix == ".m" else suffix)


def wants_text(path: str) -> bool:
    """Whether a backend should read this file's contents (listing alone decides the others)."""
    return file_kind(path) in ("dependency", "python", "notebook", "lua", "readme")


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


def python_imports(text: str) -> set[str]:
    """Dotted module names imported by Python source (line-based, so Python 2 files work too)."""
    out: set[str] = set()
    for m in _IMPORT.finditer(text):
        if m.group(1):
            if not m.group(1).startswith("."):  # relative imports name the repo's own modules
                out.add(m.group(1))
            continue
        for item in m.group(2).split(","):
            name = item.strip().split()[0] if item.strip() else ""
            if name:
                out.add(name)
    return out


def notebook_sources(text: str) -> tuple[str, list[str]]:
    """(code of the code cells, pip-installed names) of an .ipynb; empty if not valid JSON."""
    try:
        nb = json.loads(text)
    except ValueError:
        return "", []
    cells = nb.get("cells", []) if isinstance(nb, dict) else []
    code = []
    for cell in cells:
        if isinstance(cell, dict) and cell.get("cell_type") == "code":
            src = cell.get("source", "")
            code.append("".join(src) if isinstance(src, list) else str(src))
    joined = "\n".join(code)
    pips = [w for line in _PIP_INSTALL.findall(joined) for w in line.split() if w[0] != "-"]
    return joined, pips


def dependency_names(path: str, text: str) -> list[str]:
    """Distribution names a dependency file lists (best effort per format)."""
    name = PurePosixPath(path).name.lower()
    if name.endswith((".txt", ".in")):
        return [
            m.group(1)
            for line in text.splitlines()
            if not line.lstrip().startswith(("#", "-"))
            and (m := _REQ_NAME.match(line.split("#", 1)[0]))
        ]
    if name in ("pyproject.toml", "pipfile"):
        return _toml_names(text)
    if name.endswith((".yml", ".yaml")):
        return _YAML_ITEM.findall(text)
    if name == "setup.cfg":
        return [m.group(1) for line in text.splitlines() if (m := _REQ_NAME.match(line))]
    return _QUOTED.findall(text)  # setup.py: quoted requirement strings


def _toml_names(text: str) -> list[str]:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return _QUOTED.findall(text)
    names: list[str] = []
    project = data.get("project", {})
    specs = list(project.get("dependencies", []))
    for extra in project.get("optional-dependencies", {}).values():
        specs.extend(extra)
    names.extend(m.group(1) for s in specs if isinstance(s, str) and (m := _REQ_NAME.match(s)))
    poetry = data.get("tool", {}).get("poetry", {})
    for table in (poetry.get("dependencies", {}), data.get("packages", {})):
        names.extend(table)  # Poetry and Pipfile list names as keys
    names.extend(data.get("dev-packages", {}))
    return names


def file_frameworks(f: RepoFile) -> tuple[str | None, set[str]]:
    """(evidence kind, frameworks) shown by one file; kind is import | dependency | prototxt | lua."""
    kind = file_kind(f.path)
    text = f.text or ""
    if kind == "python":
        return "import", {fw for m in python_imports(text) if (fw := module_framework(m))}
    if kind == "notebook":
        code, pips = notebook_sources(text)
        found = {fw for m in python_imports(code) if (fw := module_framework(m))}
        return "import", found | {fw for p in pips if (fw := package_framework(p))}
    if kind == "dependency":
        names = dependency_names(f.path, text)
        return "dependency", {fw for n in names if (fw := package_framework(n))}
    if kind == "prototxt":
        return "prototxt", {"caffe"}
    if kind == "lua" and _LUA_REQUIRE.search(text):
        return "lua", {"torch-lua"}
    return None, set()


def find_reimplementation(readme: str, description: str = "") -> str:
    """The sentence saying the repository is a third-party reimplementation, port or mirror."""
    for text in (description, readme[:README_HEAD]):
        for pattern in REIMPLEMENTATION:
            m = pattern.search(text)
            if m:
                start = max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start()) + 1)
                end = text.find("\n", m.end())
                return text[max(start, 0) : end if end != -1 else None].strip()[:300]
    return ""


def score_frameworks(files: Iterable[RepoFile]) -> list[FrameworkEvidence]:
    """Per framework: weighted score, file counts and paths; labelled primary/secondary/declared."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    shown: dict[str, list[str]] = defaultdict(list)
    for f in files:
        kind, found = file_frameworks(f)
        for fw in found:
            counts[fw][kind or ""] += 1
            shown[fw].append(f.path)
    scores = {
        fw: c["import"] * IMPORT_WEIGHT
        + c["dependency"] * DEPENDENCY_WEIGHT
        + c["lua"] * LUA_WEIGHT
        + c["prototxt"] * PROTOTXT_WEIGHT
        for fw, c in counts.items()
    }
    in_code = {fw for fw, c in counts.items() if c["import"] or c["lua"] or c["prototxt"]}
    code_scores = [s for fw, s in scores.items() if fw in in_code]
    best = max(code_scores, default=0.0)
    out = []
    for fw in sorted(scores, key=lambda k: (-scores[k], k)):
        c = counts[fw]
        if fw not in in_code:
            label = "declared"
        elif scores[fw] >= PRIMARY_SHARE * best:
            label = "primary"
        else:
            label = "secondary"
        out.append(
            FrameworkEvidence(
                framework=fw,
                score=scores[fw],
                label=label,
                import_files=c["import"],
                dependency_files=c["dependency"],
                other_files=c["lua"] + c["prototxt"],
                files=tuple(sorted(shown[fw])[:MAX_FILES_SHOWN]),
            )
        )
    return out


def analyse_snapshot(snap: RepoSnapshot) -> RepoAnalysis:
    """The detector's verdict on one snapshot: frameworks, languages, fork/reimplementation."""
    languages: Counter[str] = Counter()
    relevant = 0
    for f in snap.files:
        kind = file_kind(f.path)
        if kind in ("python", "notebook", "lua", "julia", "matlab"):
            languages[kind] += 1
        if kind not in (None, "readme"):
            relevant += 1
    frameworks = score_frameworks(snap.files)
    return RepoAnalysis(
        url=snap.ref.url,
        commit=snap.commit,
        backend=snap.backend,
        status="ok" if relevant else "no_code",
        frameworks=tuple(frameworks),
        languages=dict(sorted(languages.items())),
        fork=snap.fork,
        parent=snap.parent,
        reimplementation=find_reimplementation(snap.readme, snap.description),
        files_listed=len(snap.files),
        files_read=sum(1 for f in snap.files if f.text is not None),
        truncated=snap.truncated,
    )
