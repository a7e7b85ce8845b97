"""Records and the backend interface of the repository stage (no IO).

A backend turns a repository URL into a `RepoSnapshot` (file listing, the contents of the files
worth reading, fork metadata, README); `miner.repos.detect` turns a snapshot into a `RepoAnalysis`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit

from miner.errors import MinerError


@dataclass(frozen=True, slots=True)
class RepoRef:
    """A repository named by a code link."""

    url: str
    """Normalized URL, e.g. `https://github.com/owner/repo`."""
    host: str
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        """`owner/name`."""
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True, slots=True)
class RepoFile:
    """One file of a repository listing; `text` is set only for files that were read."""

    path: str
    size: int = 0
    text: str | None = None


@dataclass(frozen=True, slots=True)
class RepoSnapshot:
    """What a backend saw of a repository at one commit."""

    ref: RepoRef
    commit: str
    """Commit sha the listing belongs to."""
    backend: str
    """`github` or `git`."""
    files: tuple[RepoFile, ...] = ()
    fork: bool = False
    """The host says the repository is a fork."""
    parent: str | None = None
    """`owner/name` of the repository it was forked from, if known."""
    description: str = ""
    readme: str = ""
    truncated: bool = False
    """The listing or the set of files read was cut short (tree too large, file budget)."""


@dataclass(frozen=True, slots=True)
class FrameworkEvidence:
    """How strongly a repository shows one framework, and the files that showed it."""

    framework: str
    score: float
    label: str
    """primary | secondary | declared (only in dependency files)"""
    import_files: int = 0
    """.py / .ipynb files importing it."""
    dependency_files: int = 0
    """requirements / setup / environment files naming it."""
    other_files: int = 0
    """Caffe .prototxt or Lua Torch files."""
    files: tuple[str, ...] = ()
    """Up to 20 paths that showed it."""


@dataclass(frozen=True, slots=True)
class RepoAnalysis:
    """The detector's verdict on one repository at one commit."""

    url: str
    commit: str
    backend: str
    status: str
    """ok | no_code (nothing to read) | not_found | failed"""
    error: str | None = None
    frameworks: tuple[FrameworkEvidence, ...] = ()
    languages: dict[str, int] = field(default_factory=dict)
    """Source files per language (python, notebook, lua, julia, matlab)."""
    fork: bool = False
    parent: str | None = None
    reimplementation: str = ""
    """The README or description sentence saying it is a (third-party) reimplementation/mirror."""
    files_listed: int = 0
    files_read: int = 0
    truncated: bool = False

    @property
    def primary(self) -> tuple[str, ...]:
        """Frameworks labelled primary."""
        return tuple(f.framework for f in self.frameworks if f.label == "primary")

    @property
    def independent(self) -> bool:
        """Neither a fork nor a declared reimplementation/mirror: may decide a paper's framework."""
        return not self.fork and not self.reimplementation


class RepoError(MinerError):
    """A repository could not be read."""


class RepoNotFound(RepoError):
    """The repository does not exist (deleted, renamed, private)."""


class RepoEmpty(RepoError):
    """The repository exists but has no commits."""


class RateLimited(RepoError):
    """The host refuses requests until `reset_at` (epoch seconds)."""

    def __init__(self, message: str, reset_at: float | None = None):
        super().__init__(message)
        self.reset_at = reset_at


class RepoBackend(Protocol):
    """Reads repositories of some hosts: a commit first (cheap), then a snapshot."""

    name: str

    def resolve(self, ref: RepoRef) -> str:
        """The commit sha of the default branch's head; raises RepoError."""
        ...

    def snapshot(self, ref: RepoRef, commit: str) -> RepoSnapshot:
        """Listing and contents at `commit`; raises RepoError."""
        ...


_HOST_PATH = re.compile(r"^/([^/]+)/([^/]+?)(?:\.git)?/?$")
_SEGMENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
"""An owner or repository name: what GitHub and GitLab allow, never `.`, `..` or `-x` (#18)."""
_HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$")


def safe_segment(value: str) -> bool:
    """value can name a folder of the clone cache and a URL path segment as it is."""
    return bool(_SEGMENT.match(value)) and value not in (".", "..") and len(value) <= 100


def parse_repo_url(url: str) -> RepoRef | None:
    """RepoRef for `https://host/owner/repo` (GitHub, GitLab, Bitbucket or any host), else None
    (also for owners and names such as `..`, empty, or with characters no host allows)."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().removeprefix("www.")
    if not host or not _HOST.match(host) or len(host) > 253:
        return None
    segs = [s for s in parts.path.split("/") if s]
    if len(segs) < 2:
        return None
    owner, name = segs[0], segs[1].removesuffix(".git")
    if not (safe_segment(owner) and safe_segment(name)):
        return None
    return RepoRef(f"https://{host}/{owner}/{name}", host, owner, name)
