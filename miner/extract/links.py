"""Find and normalize URLs, above all code-repository links (pure)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

CODE_HOSTS = ("github.com", "gitlab.com", "bitbucket.org")

# Repositories of the frameworks themselves: a link there is a mention, not a code release.
FRAMEWORK_REPOS = {
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
    "apache/incubator-mxnet",
    "apache/mxnet",
    "dmlc/mxnet",
    "bvlc/caffe",
    "facebookarchive/caffe2",
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

_URL_RE = re.compile(
    r"(?:https?://|www\.)[^\s<>\"'{}|\\^`\]\[]+"
    r"|(?<![\w./@-])(?:github\.com|gitlab\.com|bitbucket\.org)/[^\s<>\"'{}|\\^`\]\[]+",
    re.IGNORECASE,
)
_TRAILING = ".,;:!?)]}>'\"*"


def strip_trailing(url: str) -> str:
    """Remove sentence punctuation and unbalanced closing brackets from the end of a URL."""
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def normalize_url(raw: str) -> tuple[str, str, str]:
    """Return (normalized url, host, kind) for a raw URL string.

    Code-host URLs are reduced to `https://host/owner/repo`; kind is `code`, `framework`
    (the repo of a DL framework itself) or `other` for non-code hosts.
    """
    url = strip_trailing(raw.strip())
    if not re.match(r"^[a-z][a-z0-9+.-]*://", url, re.IGNORECASE):
        url = "https://" + url
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path
    if host in CODE_HOSTS:
        segs = [s for s in path.split("/") if s]
        if len(segs) >= 2:
            owner, repo = segs[0], segs[1]
            if repo.lower().endswith(".git"):
                repo = repo[:-4]
            norm = f"https://{host}/{owner}/{repo}"
            key = f"{owner}/{repo}".lower()
            return norm, host, "framework" if key in FRAMEWORK_REPOS else "code"
        return f"https://{host}/{'/'.join(segs)}".rstrip("/"), host, "other"
    norm = f"{parts.scheme.lower()}://{host}{path}"
    if parts.query:
        norm += "?" + parts.query
    return norm.rstrip("/"), host, "other"


def find_urls(text: str) -> list[str]:
    """URL-like strings in text, with line-broken URLs re-joined where the break is inside one."""
    joined = re.sub(r"(?<=[/._-])\n(?=\S)", "", text)
    joined = re.sub(r"(?<=github\.com)\n(?=/)", "", joined)
    return [strip_trailing(m.group(0)) for m in _URL_RE.finditer(joined)]
