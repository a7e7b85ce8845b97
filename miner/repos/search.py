"""GitHub repository search and README reads for discovery (HTTP IO through GitHubBackend).

Queries (GET /search/repositories, best match, `per_page` items each): the exact title as a
phrase, `"<title>" in:name,description,readme`, and, when the paper has one, its arXiv id
without version, `"<id>" in:readme,description`. Search has its own rate limit, stricter than
the core one (documented: 30 requests a minute with a token, 10 without), so the searches are
spaced by `interval` seconds (default 60/30 or 60/10) on top of the x-ratelimit-* / Retry-After
handling GitHubBackend applies to both (a 403/429 waits up to `max_wait`, else RateLimited).
READMEs come from GET /repos/{o}/{r}/readme (base64 JSON) and owners' profile names from
GET /users/{login}, both counted against the core limit.
"""

from __future__ import annotations

import base64
import binascii
import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import httpx

from miner.http import RateLimiter
from miner.repos.evidence import Paper, SearchHit, bare_arxiv_id
from miner.repos.github import API, GitHubBackend
from miner.repos.protocol import RepoError, RepoNotFound

PER_PAGE = 10
MAX_QUERY = 256
"""GitHub rejects queries longer than 256 characters (qualifiers excluded)."""
SEARCH_PER_MINUTE = {True: 30, False: 10}
"""Documented search limits, with and without a token."""
FULL_NAME = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})/[A-Za-z0-9._-]{1,100}")
"""GitHub's owner/name alphabet; anything else in an answer is skipped, never requested."""


def search_queries(paper: Paper) -> list[str]:
    """The `q` strings for one paper: exact title, then arXiv id (see the module docstring)."""
    out = []
    title = " ".join(paper.title.replace('"', " ").split())
    if title and len(title) + 2 <= MAX_QUERY:
        out.append(f'"{title}" in:name,description,readme')
    if paper.arxiv_id:
        out.append(f'"{bare_arxiv_id(paper.arxiv_id)}" in:readme,description')
    return out


def parse_search(body: Any, query: str) -> tuple[list[SearchHit], bool]:
    """(hits, incomplete_results) of a search answer; RepoError if it is not the documented shape."""
    if not isinstance(body, dict) or not isinstance(body.get("items"), list):
        raise RepoError("GitHub search answered without an items list")
    hits = []
    for item in body["items"]:
        owner = item.get("owner") if isinstance(item, dict) else None
        name = item.get("full_name") if isinstance(item, dict) else None
        if not isinstance(owner, dict) or not isinstance(name, str):
            continue
        if not FULL_NAME.fullmatch(name) or name.split("/")[1] in (".", ".."):
            continue
        stars = item.get("stargazers_count")
        hits.append(
            SearchHit(
                full_name=name,
                owner=str(owner.get("login") or name.split("/")[0]),
                owner_type=str(owner.get("type") or "User"),
                fork=item.get("fork") is True,
                description=str(item.get("description") or ""),
                stars=stars if isinstance(stars, int) else 0,
                query=query,
            )
        )
    return hits, body.get("incomplete_results") is True


def parse_readme(body: Any) -> str | None:
    """The text of a GET .../readme answer (base64 content), None when it has none."""
    if not isinstance(body, dict) or body.get("encoding") != "base64":
        return None
    try:
        return base64.b64decode(str(body.get("content", ""))).decode("utf-8", "replace")
    except (binascii.Error, ValueError):
        return None


class GitHubSearch:
    """Search and README reads against one API base URL, each under its own rate limit."""

    def __init__(
        self,
        client: httpx.Client,
        *,
        base_url: str = API,
        token: str | None = None,
        interval: float | None = None,
        max_wait: float = 0.0,
        per_page: int = PER_PAGE,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        """`interval`: seconds between two searches (default from SEARCH_PER_MINUTE);
        `max_wait`: seconds a rate limit may be waited for before RateLimited is raised."""
        if interval is None:
            interval = 60.0 / SEARCH_PER_MINUTE[bool(token)]
        # Two backends: each remembers its own x-ratelimit-remaining/reset (search vs core).
        common: dict[str, Any] = {
            "base_url": base_url,
            "token": token,
            "max_wait": max_wait,
            "clock": clock,
            "sleep": sleep,
        }
        self.search_api = GitHubBackend(client, **common)
        self.core_api = GitHubBackend(client, **common)
        self.limiter = RateLimiter(delay=interval, clock=clock, sleep=sleep, host_delays={})
        self.per_page = per_page
        self.searches = 0

    def search(self, query: str) -> tuple[list[SearchHit], bool]:
        """Hits of one query (first page); RateLimited or RepoError on failure."""
        self.limiter.wait(self.search_api.base_url + "/search/repositories")
        params = {"q": query, "per_page": str(self.per_page)}
        body = self.search_api.get_json("/search/repositories", params, cache=False)
        self.searches += 1
        return parse_search(body, query)

    def readme(self, full_name: str) -> str | None:
        """The repository's README text, None when GitHub has none (404)."""
        owner, name = full_name.split("/", 1)
        try:
            body = self.core_api.get_json(
                f"/repos/{quote(owner)}/{quote(name)}/readme", cache=False
            )
        except RepoNotFound:
            return None
        return parse_readme(body)

    def owner_name(self, login: str) -> str | None:
        """A user's profile name (GET /users/{login}), None when unset or unknown."""
        try:
            body = self.core_api.get_json(f"/users/{quote(login)}", cache=False)
        except RepoNotFound:
            return None
        name = body.get("name") if isinstance(body, dict) else None
        return name if isinstance(name, str) and name.strip() else None

    @property
    def requests(self) -> int:
        """Requests sent by both backends."""
        return self.search_api.requests + self.core_api.requests
