"""Find URLs in text (re-joining line breaks), normalize them and type them (pure)."""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache
from urllib.parse import urlsplit

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")

# Repositories of the frameworks themselves: a link there is a mention, not a code release.
FRAMEWORK_REPOS = frozenset(
    {
        "pytorch/pytorch",
        "pytorch/vision",
        "pytorch/fairseq",
        "facebookresearch/fairseq",
        "tensorflow/tensorflow",
        "tensorflow/models",
        "tensorflow/tensor2tensor",
        "keras-team/keras",
        "fchollet/keras",
        "google/jax",
        "jax-ml/jax",
        "google/flax",
        "google/trax",
        "deepmind/dm-haiku",
        "apache/incubator-mxnet",
        "apache/mxnet",
        "dmlc/mxnet",
        "bvlc/caffe",
        "facebookarchive/caffe2",
        "pytorch/caffe2",
        "theano/theano",
        "chainer/chainer",
        "paddlepaddle/paddle",
        "mindspore-ai/mindspore",
        "microsoft/cntk",
        "torch/torch7",
        "clab/dynet",
        "lasagne/lasagne",
        "lisa-lab/pylearn2",
    }
)
FRAMEWORK_SITES = (
    "pytorch.org",
    "tensorflow.org",
    "keras.io",
    "jax.readthedocs.io",
    "mxnet.apache.org",
    "mxnet.io",
    "caffe.berkeleyvision.org",
    "caffe2.ai",
    "deeplearning.net",
    "chainer.org",
    "paddlepaddle.org",
    "paddlepaddle.org.cn",
    "mindspore.cn",
)
# First path segments on code hosts that are site pages, not owners.
_NOT_OWNERS = frozenset(
    [
        "about",
        "features",
        "topics",
        "orgs",
        "sponsors",
        "settings",
        "marketplace",
        "apps",
        "collections",
        "explore",
        "login",
        "join",
        "pricing",
        "search",
        "trending",
        "site",
        "enterprise",
        "notifications",
    ]
)
PAPER_HOSTS = (
    "arxiv.org",
    "doi.org",
    "dx.doi.org",
    "aclweb.org",
    "aclanthology.org",
    "openreview.net",
    "papers.nips.cc",
    "proceedings.neurips.cc",
    "proceedings.mlr.press",
    "jmlr.org",
    "dl.acm.org",
    "ieeexplore.ieee.org",
    "link.springer.com",
    "semanticscholar.org",
    "openaccess.thecvf.com",
    "ojs.aaai.org",
    "ijcai.org",
    "joss.theoj.org",
    "biorxiv.org",
    "sciencedirect.com",
)
DATASET_HOSTS = (
    "kaggle.com",
    "zenodo.org",
    "figshare.com",
    "archive.ics.uci.edu",
    "image-net.org",
    "cocodataset.org",
    "physionet.org",
    "data.world",
    "commoncrawl.org",
    "opendatalab.com",
)

_FRAMEWORK_SITES = frozenset(FRAMEWORK_SITES)
_PAPER_HOSTS = frozenset(PAPER_HOSTS)
_DATASET_HOSTS = frozenset(DATASET_HOSTS)

_SCHEME = r"(?:[a-z][a-z0-9+.-]{1,9}://)"
_BARE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org", "huggingface.co")
"""Hosts _URL_RE finds without a scheme or www."""
_BARE_KEYS = tuple(f"{host}/" for host in _BARE_HOSTS)
_URL_RE = re.compile(
    rf"{_SCHEME}[^\s<>\"'{{}}|\\^`\[\]]+"
    r"|(?<![\w@/.-])www\.[^\s<>\"'{}|\\^`\[\]]+"
    rf"|(?<![\w@/.-])(?:{'|'.join(map(re.escape, _BARE_HOSTS))})/[^\s<>\"'{{}}|\\^`\[\]]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}>'\"*”’"
# A URL that stops after one of these at a line end almost surely goes on on the next line.
_BREAK_AFTER = "/-_=?&#~%:"
_EXTENSIONS = re.compile(
    r"^(?:git|html?|php|pdf|md|py|ipynb|io|com|org|net|edu|ai|cc|co|ac|gov|de|cn|uk|fr|jp)\b"
)


def strip_trailing(url: str) -> str:
    """Remove sentence punctuation and unbalanced closing brackets from the end of a URL."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _continues(url: str, nxt: str) -> bool:
    """Whether `nxt` (the first token of the next line) continues a URL cut at a line end."""
    if not nxt or nxt[0] in "([{<\"'" or nxt.isdigit():
        return False  # margin line numbers and new sentences start this way
    if "://" in nxt or nxt.lower().startswith("www."):
        return False  # the next line starts another URL
    last = url[-1]
    if last in _BREAK_AFTER:
        return True
    if last == ".":
        return nxt[0].islower() and (bool(_EXTENSIONS.match(nxt)) or "/" in nxt)
    if not nxt[0].isalnum() or nxt[0].isupper():
        return False
    # Cut in the middle of a path segment: accept only a token that itself looks like a path.
    return "/" in nxt.rstrip(_TRAILING) or bool(re.search(r"\.[a-z]", nxt))


def find_urls(text: str, known_keys: Collection[str] = frozenset()) -> list[str]:
    """URL-like strings in text in order, with URLs broken across lines re-joined.

    `known_keys` (`known_url_keys` of the page's link annotations, computed once per page):
    where a line-broken URL could be read two ways, the reading that matches one of them wins.
    """
    if not may_have_url(text):
        return []
    lines = text.split("\n")
    skip = [0] * len(lines)  # characters of a line already consumed by the URL above it
    found: list[str] = []
    for i, line in enumerate(lines):
        for m in _URL_RE.finditer(line, skip[i]):
            url, j = m.group(0), i
            at_end = m.end() == len(line.rstrip())
            while at_end and j + 1 < len(lines):
                nxt_line = lines[j + 1].lstrip()
                parts = nxt_line.split()
                nxt = parts[0] if parts else ""
                if len(parts) > 1 and nxt.isdigit() and _is_known(url + parts[1], known_keys):
                    nxt = parts[1]  # a margin line number sits between the two halves
                if not _take(url, nxt, known_keys):
                    break
                used = nxt_line.index(nxt) + len(nxt)
                url, j = url + nxt, j + 1
                skip[j] = len(lines[j]) - len(nxt_line) + used
                at_end = used == len(nxt_line.rstrip())
            url = strip_trailing(url)
            if len(url) > 10:
                found.append(url)
    return found


def may_have_url(text: str) -> bool:
    """Cheap test: False means _URL_RE finds nothing in text (most blocks of a paper)."""
    if "://" in text:
        return True
    if "." not in text:  # "www." and every bare host hold a dot
        return False
    low = text.lower()
    return "www." in low or "/" in text and any(key in low for key in _BARE_KEYS)


def known_url_keys(urls: Collection[str]) -> frozenset[str]:
    """Comparison keys of annotation URLs, for `find_urls(text, known_keys)`."""
    return frozenset(normalize_url(u)[0].lower() for u in urls)


def _is_known(url: str, known_keys: Collection[str]) -> bool:
    return bool(known_keys) and normalize_url(strip_trailing(url))[0].lower() in known_keys


def _take(url: str, nxt: str, known_keys: Collection[str]) -> bool:
    if not nxt:
        return False
    if _is_known(url + nxt, known_keys):
        return True
    if _is_known(url, known_keys):
        return False
    return _continues(url, nxt)


@lru_cache(maxsize=65536)
def normalize_url(raw: str) -> tuple[str, str, str]:
    """Return (normalized url, host, kind) for a raw URL string.

    Code-host URLs become `https://host/owner/repo` (case kept, `.git`, sub-pages, query and
    fragment dropped); Hugging Face models/spaces/datasets, Code Ocean capsules and Colab
    notebooks are reduced likewise. Other URLs keep path and query, lose the fragment.
    """
    url = strip_trailing(raw.strip())
    url = re.sub(r"^(?:git\+)?(?:git|ssh|http|https)://", "https://", url, flags=re.I)
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    segs = [s for s in parts.path.split("/") if s]
    if host in CODE_HOSTS:
        if len(segs) >= 2 and segs[0].lower() not in _NOT_OWNERS:
            # Owner and repo names allow only these characters: anything after is not the name.
            owner = re.match(r"[\w.-]*", segs[0]).group(0)  # type: ignore[union-attr]
            repo = re.match(r"[\w.-]*", segs[1]).group(0)  # type: ignore[union-attr]
            repo = re.sub(r"\.git$", "", repo.rstrip("."), flags=re.I)
            key = f"{owner}/{repo}".lower()
            kind = "framework" if key in FRAMEWORK_REPOS else "code"
            return f"https://{host}/{owner}/{repo}", host, kind
        return f"https://{host}/{'/'.join(segs)}".rstrip("/"), host, "other"
    special = _normalize_special(host, segs)
    if special is not None:
        return special
    norm = f"https://{host}{parts.path}".rstrip("/")
    if parts.query:
        norm += "?" + parts.query
    return norm, host, classify_host(host, parts.path)


def _normalize_special(host: str, segs: list[str]) -> tuple[str, str, str] | None:
    if host == "huggingface.co" and segs:
        if segs[0] in ("datasets", "spaces") and len(segs) >= 3:
            kind = "dataset" if segs[0] == "datasets" else "project"
            return f"https://{host}/{segs[0]}/{segs[1]}/{segs[2]}", host, kind
        if len(segs) >= 2 and segs[0] not in ("docs", "blog", "papers", "transformers"):
            return f"https://{host}/{segs[0]}/{segs[1]}", host, "model"
    if host == "codeocean.com" and len(segs) >= 2 and segs[0] == "capsule":
        return f"https://{host}/capsule/{segs[1]}", host, "code"
    if host == "colab.research.google.com" and segs:
        return f"https://{host}/{'/'.join(segs)}", host, "code"
    return None


def classify_host(host: str, path: str) -> str:
    """Kind of a non-code-host URL from its host and path."""

    labels = host.split(".")
    suffixes = {".".join(labels[i:]) for i in range(len(labels))}  # host and its parents

    if suffixes & _FRAMEWORK_SITES:
        return "framework"
    if suffixes & _PAPER_HOSTS or path.lower().endswith(".pdf"):
        return "paper"
    if suffixes & _DATASET_HOSTS or re.search(r"\b(datasets?|data)\b", path.lower()):
        return "dataset"
    if host.endswith(".github.io") or host == "sites.google.com" or "project" in path.lower():
        return "project"
    if host in ("pypi.org", "codeocean.com", "sourceforge.net", "colab.research.google.com"):
        return "code"
    return "other"


def repo_key(url: str) -> str:
    """Lowercase `host/owner/repo` of a normalized code-host URL (the comparison key)."""
    return url.lower().removeprefix("https://")


def is_repo(url: str) -> bool:
    """True for a normalized github/gitlab/bitbucket owner/repo URL."""
    parts = repo_key(url).split("/")
    return len(parts) == 3 and parts[0] in CODE_HOSTS
