"""Frameworks a repository uses, from its file listing and file contents (pure, no IO).

Evidence per framework: files that import it (.py, .ipynb; weight 3 each, shared among the
frameworks a file imports by how many of their modules it names, so a shim importing Keras
through TensorFlow is not TensorFlow code), Caffe `.prototxt` and Lua Torch files (weight 2 and
3), and dependency files naming it (weight 1 each). Vendored folders and copied libraries (a
sub-folder with its own setup.py/pyproject.toml/setup.cfg) count a third of the authors' own code.
"""

from __future__ import annotations

import json
import re
import tomllib
from collections import Counter, defaultdict
from collections.abc import Iterable
from pathlib import PurePosixPath

from miner.repos.protocol import FrameworkEvidence, RepoAnalysis, RepoFile, RepoSnapshot
from miner.repos.vocab import module_framework, package_framework

DETECTOR_VERSION = "2"

IMPORT_WEIGHT = 3.0
PROTOTXT_WEIGHT = 2.0
LUA_WEIGHT = 3.0
DEPENDENCY_WEIGHT = 1.0
VENDORED_SHARE = 1 / 3
"""Weight of a vendored or copied-library file relative to one of the authors' own files."""
PRIMARY_SHARE = 0.5
"""A framework is primary when its score is at least this share of the best score."""
MAX_FILES_SHOWN = 20

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
        "3rd_party",
        "3rd-party",
        "vendor",
        "vendors",
        "vendored",
        "_vendor",
        "external",
        "externals",
        "extern",
        "site-packages",
        "dist-packages",
        "node_modules",
        "deps",
    }
)
README_NAME = re.compile(r"^readme(?:\.\w+)?$", re.IGNORECASE)
LANGUAGES = {
    ".py": "python",
    ".ipynb": "notebook",
    ".lua": "lua",
    ".jl": "julia",
    ".m": "matlab",
    ".r": "r",
    ".rmd": "r",
}
CODE_KINDS = ("python", "notebook", "lua", "julia", "matlab", "r")
"""Languages counted in `RepoAnalysis.languages` (prototxt is Caffe configuration, not code)."""
PACKAGE_FILES = frozenset({"setup.py", "pyproject.toml", "setup.cfg"})

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
SUPERSEDED = re.compile(r"\b(?:deprecated|superseded|no\s+longer\s+maintained)\b", re.I)
README_HEAD = 1500
"""Only the README's opening says what a repository is; later text often discusses baselines."""


def file_kind(path: str) -> str | None:
    """dependency | python | notebook | prototxt | lua | julia | matlab | r | readme, or None.

    Files under hidden folders (.ipynb_checkpoints, .github) are None: copies and tooling.
    """
    p = PurePosixPath(path)
    if any(part.startswith(".") for part in p.parts[:-1]):
        return None
    if DEPENDENCY_NAMES.match(p.name):
        return "dependency"
    if README_NAME.match(p.name) and len(p.parts) == 1:
        return "readme"
    suffix = p.suffix.lower()
    if suffix == ".prototxt":
        return "prototxt"
    return LANGUAGES.get(p.suffix if suffix == ".m" else suffix)


def is_vendored(path: str) -> bool:
    """Under a folder named like third_party, vendor, external, site-packages, ..."""
    return any(part.lower() in VENDORED for part in PurePosixPath(path).parts[:-1])


def library_roots(paths: Iterable[str]) -> set[str]:
    """Sub-folders that hold their own package metadata (setup.py, pyproject.toml, setup.cfg):
    libraries copied into the repository, or separately packaged parts of it."""
    return {
        str(p.parent)
        for p in map(PurePosixPath, paths)
        if p.name in PACKAGE_FILES and len(p.parts) > 1
    }


def file_weight(path: str, roots: set[str]) -> float:
    """1 for the authors' own files; VENDORED_SHARE under vendored folders or library roots."""
    if is_vendored(path):
        return VENDORED_SHARE
    parents = {str(p) for p in PurePosixPath(path).parents}
    return VENDORED_SHARE if parents & roots else 1.0


def wants_text(path: str) -> bool:
    """Whether a backend should read this file's contents (listing alone decides the others)."""
    return file_kind(path) in ("dependency", "python", "notebook", "lua", "readme")


def reading_order(paths: Iterable[str]) -> list[str]:
    """Code files in the order a file budget should read them: breadth first over folders, one
    file per folder per round (shallow folders first), own code before vendored code and
    `__init__.py` last, so a small budget samples every part of the tree."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    for p in sorted(paths):
        by_folder[str(PurePosixPath(p).parent)].append(p)
    for files in by_folder.values():
        files.sort(key=lambda p: (p.endswith("__init__.py"), p))
    rounds: list[tuple[int, int, int, str]] = []
    for folder, files in by_folder.items():
        depth = 0 if folder == "." else folder.count("/") + 1
        for i, p in enumerate(files):
            rounds.append((is_vendored(p), i, depth, p))
    return [p for *_, p in sorted(rounds)]


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


def file_frameworks(f: RepoFile) -> tuple[str | None, dict[str, int]]:
    """(evidence kind, {framework: module names}) shown by one file; kind is import |
    dependency | prototxt | lua. Import files count the distinct module names per framework."""
    kind = file_kind(f.path)
    text = f.text or ""
    if kind in ("python", "notebook"):
        code, pips = notebook_sources(text) if kind == "notebook" else (text, [])
        names: Counter[str] = Counter(
            fw for m in python_imports(code) if (fw := module_framework(m))
        )
        names.update({fw for p in pips if (fw := package_framework(p))})
        return "import", dict(names)
    if kind == "dependency":
        found = {fw for n in dependency_names(f.path, text) if (fw := package_framework(n))}
        return "dependency", dict.fromkeys(found, 1)
    if kind == "prototxt":
        return "prototxt", {"caffe": 1}
    if kind == "lua" and _LUA_REQUIRE.search(text):
        return "lua", {"torch-lua": 1}
    return None, {}


def find_reimplementation(readme: str, description: str = "") -> str:
    """The sentence saying the repository is a third-party reimplementation, port or mirror.

    An opening that calls the repository deprecated or superseded is the authors' own older
    code pointing to their newer version: there only the explicit "unofficial" wordings count.
    """
    for text in (description, readme[:README_HEAD]):
        superseded = bool(SUPERSEDED.search(text))
        for pattern in REIMPLEMENTATION[:2] if superseded else REIMPLEMENTATION:
            m = pattern.search(text)
            if m:
                start = max(text.rfind("\n", 0, m.start()), text.rfind(". ", 0, m.start()) + 1)
                end = text.find("\n", m.end())
                return text[max(start, 0) : end if end != -1 else None].strip()[:300]
    return ""


WEIGHTS = {
    "import": IMPORT_WEIGHT,
    "dependency": DEPENDENCY_WEIGHT,
    "lua": LUA_WEIGHT,
    "prototxt": PROTOTXT_WEIGHT,
}


def score_frameworks(files: Iterable[RepoFile]) -> list[FrameworkEvidence]:
    """Per framework: weighted score, file counts and paths; labelled primary/secondary/declared.

    An import file's weight is split among its frameworks by their module-name counts; files
    under vendored folders or library roots weigh VENDORED_SHARE. Only code evidence (imports,
    prototxt, Lua) can make a framework primary or secondary; dependency files alone: declared.
    """
    files = list(files)
    roots = library_roots(f.path for f in files)
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    scores: dict[str, float] = defaultdict(float)
    shown: dict[str, list[str]] = defaultdict(list)
    for f in files:
        kind, found = file_frameworks(f)
        if not kind or not found:
            continue
        weight = WEIGHTS[kind] * file_weight(f.path, roots)
        total = sum(found.values()) if kind == "import" else 1
        for fw, n in found.items():
            counts[fw][kind] += 1
            scores[fw] += weight * n / total
            shown[fw].append(f.path)
    in_code = {fw for fw, c in counts.items() if c["import"] or c["lua"] or c["prototxt"]}
    best = max((s for fw, s in scores.items() if fw in in_code), default=0.0)
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
                score=round(scores[fw], 3),
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
        if kind in CODE_KINDS:
            languages[str(kind)] += 1
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
