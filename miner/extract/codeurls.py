"""Code links a venue or arXiv gives for a paper: which are repositories, and which a metadata
sentence presents as the paper's code (pure; no IO).

Used by the source parsers (arXiv comments and journal-ref) and by the repository stage (which
listing links can be cloned).
"""

from __future__ import annotations

import re

from miner.extract.links import CODE_HOSTS, find_urls, normalize_url

_SELF_HOSTED = re.compile(r"^(?:gitlab|git)\.[a-z0-9.-]+$")
"""Self-hosted GitLab and friends (gitlab.inria.fr, git.uwaterloo.ca): owner/name is a repo."""
_CODE_PHRASE = re.compile(
    r"\b(?:code|codes|implementation|software|source|repository|repo|github|toolbox|library)\b"
    r"|available (?:at|from|on)|released at|can be found at",
    re.IGNORECASE,
)
_CLAUSE_END = re.compile(r"[.;]\s|\n")


def listed_repo_url(raw: str) -> str | None:
    """The normalized repository URL of a code link a listing gives, else None.

    A listing's code link is the authors' own statement, so a framework's repository counts too
    (code merged into TensorFlow or fairseq is linked as `github.com/tensorflow/tensorflow/...`,
    and that repository is what the paper's code is); owner-only pages, short links and
    project pages are not repositories.
    """
    url, host, kind = normalize_url(raw)
    segs = url.removeprefix("https://").split("/")
    if host in CODE_HOSTS:
        return url if kind in ("code", "framework") and len(segs) == 3 else None
    if _SELF_HOSTED.match(host) and host != "git.io" and len(segs) >= 3 and all(segs[1:3]):
        return f"https://{host}/{segs[1]}/{segs[2].removesuffix('.git')}"
    return None


def urls_in_field(value: str | None) -> tuple[str, ...]:
    """The URLs of a code field, which may hold a bare URL or Markdown such as
    `[![github](/images/github_icon.svg) owner/name](https://github.com/owner/name)`."""
    if not value or not value.strip():
        return ()
    found = find_urls(" ".join(value.split()))
    return tuple(dict.fromkeys(found)) if found else (value.strip(),)


def code_urls_in_text(text: str | None) -> tuple[str, ...]:
    """Repository URLs a metadata text presents as code, in order ("Code: https://...",
    "code available at github.com/..."): a URL counts when its clause names code before it."""
    if not text:
        return ()
    out: dict[str, None] = {}
    flat = " ".join(text.split())
    for raw in find_urls(flat):
        at = flat.find(raw)
        clause = _CLAUSE_END.split(flat[max(0, at - 120) : at])[-1]
        repo = listed_repo_url(raw)
        if repo and _CODE_PHRASE.search(clause):
            out.setdefault(repo, None)
    return tuple(out)
