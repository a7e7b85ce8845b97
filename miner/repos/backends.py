"""Choosing a backend per repository: GitHub API for github.com, shallow clone for the rest."""

from __future__ import annotations

from pathlib import Path

import httpx

from miner.repos.base import RepoBackend, RepoRef
from miner.repos.git import GitBackend
from miner.repos.github import API, DirEtagCache, GitHubBackend, make_github_client
from miner.repos.stage import BackendFor

MODES = ("auto", "api", "git")


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
    """`auto`: API for github.com, clone elsewhere; `git`: clone everything; `api`: GitHub only."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, not {mode!r}")
    git = GitBackend(cache_dir / "clones")
    api: GitHubBackend | None = None

    def choose(ref: RepoRef) -> RepoBackend:
        nonlocal api
        if mode == "git" or (mode == "auto" and ref.host != "github.com"):
            return git
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
