"""Choosing a backend per repository: GitHub API for github.com, shallow clone for the rest."""

from __future__ import annotations

import logging
from pathlib import Path

import httpx

from miner.repos.git import GitBackend
from miner.repos.github import API, DirEtagCache, GitHubBackend, make_github_client
from miner.repos.protocol import RepoBackend, RepoError, RepoRef, RepoSnapshot
from miner.repos.stage import BackendFor

logger = logging.getLogger(__name__)

MODES = ("auto", "api", "git")


class NotGitHub:
    """Stands in for other hosts when only the API may be used: every read fails, recorded."""

    name = "api"

    def resolve(self, ref: RepoRef) -> str:
        """Always fails: the API backend reads github.com only."""
        raise RepoError(f"{ref.host} is not GitHub; use --backend auto or git")

    def snapshot(self, ref: RepoRef, commit: str) -> RepoSnapshot:
        """Never reached."""
        raise RepoError(f"{ref.host} is not GitHub")


def backend_chooser(
    cache_dir: Path,
    *,
    mode: str = "auto",
    base_url: str = API,
    token: str | None = None,
    max_files: int = 40,
    max_wait: float = 0.0,
    transport: httpx.BaseTransport | None = None,
) -> BackendFor:
    """`git`: clone everything; `api`: GitHub API only (other hosts fail, recorded);
    `auto`: the API for github.com when a token is set or `base_url` is not the public API, else
    clone (the unauthenticated limit, 60 requests an hour, covers about one repository).
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    if mode == "auto":
        mode = "mixed" if token or base_url.rstrip("/") != API else "git"
        logger.info("repos: github.com via %s", "the API" if mode == "mixed" else "git clone")
    git = GitBackend(cache_dir / "clones")
    api: GitHubBackend | None = None

    def choose(ref: RepoRef) -> RepoBackend:
        nonlocal api
        if mode == "git" or (mode == "mixed" and ref.host != "github.com"):
            return git
        if ref.host != "github.com":
            return NotGitHub()
        if api is None:
            api = GitHubBackend(
                make_github_client(transport),
                base_url=base_url,
                token=token,
                max_files=max_files,
                max_wait=max_wait,
                cache=DirEtagCache(cache_dir / "etags"),
            )
        return api

    return choose
