"""GitHub REST API backend: repository metadata, git trees and file contents (HTTP IO).

Calls per repository: GET /repos/{o}/{r} (fork flag, default branch), GET .../commits/{branch}
(head sha), GET .../git/trees/{tree}?recursive=1, then GET .../contents/{path}?ref={sha} for at
most `max_files` files (dependency files and README first, then the shallowest code files).
Rate limits follow GitHub's documented rules: on a 403/429 with `x-ratelimit-remaining: 0` wait
until `x-ratelimit-reset` (or `retry-after`) if that is within `max_wait`, else raise RateLimited.
Responses carrying an ETag are cached; a 304 answer to `If-None-Match` does not count against the
rate limit.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import logging
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import quote

import httpx

from miner.bounded import DEFAULT_DEADLINE, MAX_BODY_BYTES, send_bounded
from miner.errors import FetchError
from miner.http import make_client, parse_retry_after
from miner.repos.detect import file_kind, reading_order, wants_text
from miner.repos.protocol import (
    RateLimited,
    RepoEmpty,
    RepoError,
    RepoFile,
    RepoNotFound,
    RepoRef,
    RepoSnapshot,
)

logger = logging.getLogger(__name__)

API = "https://api.github.com"
MAX_DEPENDENCY_FILES = 12
JSON_MEDIA = "application/vnd.github+json"
RAW_MEDIA = "application/vnd.github.raw+json"
INLINE_LIMIT = 1 << 20
"""The contents API inlines files up to 1 MiB; larger ones (to 100 MiB) only as raw media."""
MAX_NOTEBOOK_BYTES = 20 << 20
"""Notebooks saved with outputs are often large; they are read raw up to this size."""


def make_github_client(transport: httpx.BaseTransport | None = None) -> httpx.Client:
    """The project's client (`miner.http.make_client`: honest UA, timeouts, redirects)."""
    return make_client(transport=transport)


class EtagCache(Protocol):
    """Remembers (etag, JSON body) per URL."""

    def get(self, url: str) -> tuple[str, Any] | None: ...

    def put(self, url: str, etag: str, body: Any) -> None: ...


class MemoryEtagCache:
    """ETag cache in a dict (tests, single runs)."""

    def __init__(self) -> None:
        self.entries: dict[str, tuple[str, Any]] = {}

    def get(self, url: str) -> tuple[str, Any] | None:
        """Cached (etag, body) or None."""
        return self.entries.get(url)

    def put(self, url: str, etag: str, body: Any) -> None:
        """Remember a response."""
        self.entries[url] = (etag, body)


class DirEtagCache:
    """ETag cache as one JSON file per URL under a directory (file IO)."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    def _path(self, url: str) -> Path:
        return self.folder / f"{hashlib.sha256(url.encode()).hexdigest()}.json"

    def get(self, url: str) -> tuple[str, Any] | None:
        """Cached (etag, body) or None (also for an unreadable entry)."""
        try:
            data = json.loads(self._path(url).read_text())
        except (OSError, ValueError):
            return None
        return data["etag"], data["body"]

    def put(self, url: str, etag: str, body: Any) -> None:
        """Remember a response."""
        self.folder.mkdir(parents=True, exist_ok=True)
        self._path(url).write_text(json.dumps({"url": url, "etag": etag, "body": body}))


def select_files(paths: list[tuple[str, int]], max_files: int, max_bytes: int) -> list[str]:
    """Which files to read: dependency files and README first, then code in `reading_order`.

    Files over max_bytes are skipped, except notebooks up to MAX_NOTEBOOK_BYTES.
    """
    readable = [
        (p, s)
        for p, s in paths
        if wants_text(p)
        and (s <= max_bytes or (file_kind(p) == "notebook" and s <= MAX_NOTEBOOK_BYTES))
    ]
    first = [p for p, _ in readable if file_kind(p) in ("dependency", "readme")]
    first = sorted(first, key=lambda p: (p.count("/"), p))[:MAX_DEPENDENCY_FILES]
    code = reading_order(p for p, _ in readable if p not in first)
    return (first + code)[:max_files]


class GitHubBackend:
    """Reads GitHub repositories through the REST API with an injected httpx client."""

    name = "github"

    def __init__(
        self,
        client: httpx.Client,
        *,
        base_url: str = API,
        token: str | None = None,
        max_files: int = 40,
        max_bytes: int = 1 << 20,
        max_wait: float = 0.0,
        cache: EtagCache | None = None,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        deadline: float | None = DEFAULT_DEADLINE,
    ) -> None:
        """`max_wait`: seconds the backend may sleep for a rate-limit reset before giving up;
        `deadline`: seconds one API request may take (miner.bounded)."""
        self.client = client
        self.base_url = base_url.rstrip("/")
        self.token = token
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.max_wait = max_wait
        self.cache = cache if cache is not None else MemoryEtagCache()
        self.clock = clock
        self.sleep = sleep
        self.deadline = deadline
        self.remaining: int | None = None
        self.reset_at: float | None = None
        self._meta: dict[str, dict[str, Any]] = {}
        self._trees: dict[str, str] = {}
        self.requests = 0

    def _headers(self, url: str) -> dict[str, str]:
        headers = {"Accept": JSON_MEDIA, "X-GitHub-Api-Version": "2022-11-28"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        cached = self.cache.get(url)
        if cached:
            headers["If-None-Match"] = cached[0]
        return headers

    def _wait_or_raise(self, wait: float, message: str) -> None:
        if wait > self.max_wait:
            raise RateLimited(f"GitHub rate limit: {message}", self.reset_at)
        logger.warning("GitHub rate limit: waiting %.0f s (%s)", wait, message)
        self.sleep(max(wait, 0.0))

    def _note_limits(self, resp: httpx.Response) -> None:
        """Remember the rate-limit headers; values that are not numbers count as absent."""
        remaining = resp.headers.get("x-ratelimit-remaining", "").strip()
        self.remaining = int(remaining) if remaining.isdigit() else None
        reset = resp.headers.get("x-ratelimit-reset", "").strip()
        self.reset_at = float(reset) if reset.isdigit() else None

    def _send(self, path: str, params: dict[str, str] | None, accept: str) -> httpx.Response:
        """GET with rate-limit handling; returns a 2xx/304 response or raises RepoError."""
        url = self.base_url + path
        key = str(httpx.URL(url, params=params))
        for _ in range(3):
            if self.remaining == 0 and self.reset_at and self.reset_at > self.clock():
                self._wait_or_raise(self.reset_at - self.clock(), "no requests left")
            headers = self._headers(key)
            headers["Accept"] = accept
            request = self.client.build_request("GET", url, params=params, headers=headers)
            try:
                resp = send_bounded(
                    self.client, request, max_bytes=MAX_BODY_BYTES, seconds=self.deadline
                )
            except FetchError as exc:
                raise RepoError(f"GET {key}: {exc}") from exc
            self.requests += 1
            self._note_limits(resp)
            if resp.status_code in (403, 429) and self._is_rate_limit(resp):
                self._wait_or_raise(self._wait_seconds(resp), _message(resp))
                self.remaining = None
                continue
            if resp.status_code >= 400:
                raise _error(resp, path)
            return resp
        raise RateLimited(f"GitHub rate limit persists for {path}", self.reset_at)

    def get_json(
        self, path: str, params: dict[str, str] | None = None, *, cache: bool = True
    ) -> Any:
        """GET an API path as JSON; raises RepoNotFound, RateLimited or RepoError.

        `cache=False` for answers that never change (trees and contents at a commit sha): they are
        asked once per commit, so keeping their ETags would only fill the disk.
        """
        key = str(httpx.URL(self.base_url + path, params=params))
        resp = self._send(path, params, JSON_MEDIA)
        cached = self.cache.get(key) if resp.status_code == 304 else None
        if cached:
            return cached[1]
        try:
            body = resp.json()
        except ValueError as exc:
            ctype = resp.headers.get("content-type", "?")
            raise RepoError(f"GitHub answered {path} with no JSON ({ctype})") from exc
        if cache and "etag" in resp.headers:
            self.cache.put(key, resp.headers["etag"], body)
        return body

    def _wait_seconds(self, resp: httpx.Response) -> float:
        """Documented order: retry-after, else until x-ratelimit-reset, else one minute."""
        after = parse_retry_after(resp.headers.get("retry-after"))  # seconds or an HTTP date
        if after is not None:
            return after
        if self.reset_at is not None:
            return self.reset_at - self.clock()
        return 60.0

    def _is_rate_limit(self, resp: httpx.Response) -> bool:
        return (
            resp.headers.get("x-ratelimit-remaining") == "0"
            or "retry-after" in resp.headers
            or "rate limit" in _message(resp).lower()
        )

    def metadata(self, ref: RepoRef) -> dict[str, Any]:
        """The repository object (cached per run)."""
        if ref.full_name not in self._meta:
            meta = self.get_json(f"/repos/{quote(ref.owner)}/{quote(ref.name)}")
            self._meta[ref.full_name] = _object(meta, f"repository {ref.full_name}")
        return self._meta[ref.full_name]

    def resolve(self, ref: RepoRef) -> str:
        """Head commit sha of the default branch; empty for a repository without commits."""
        meta = self.metadata(ref)
        branch = meta.get("default_branch")
        branch = branch if isinstance(branch, str) and branch else "HEAD"
        try:
            commit = self.get_json(
                f"/repos/{quote(ref.owner)}/{quote(ref.name)}/commits/{quote(branch)}"
            )
        except RepoEmpty:
            return ""
        commit = _object(commit, f"head commit of {ref.full_name}")
        sha = commit.get("sha")
        if not isinstance(sha, str) or not sha.isalnum():
            raise RepoError(f"GitHub gave no commit sha for {ref.full_name}")
        info = commit.get("commit")
        tree = info.get("tree") if isinstance(info, dict) else None
        tree_sha = tree.get("sha") if isinstance(tree, dict) else None
        self._trees[sha] = tree_sha if isinstance(tree_sha, str) and tree_sha.isalnum() else sha
        return sha

    def snapshot(self, ref: RepoRef, commit: str) -> RepoSnapshot:
        """Tree listing at `commit` and the contents of the selected files."""
        meta = self.metadata(ref)
        up = meta.get("parent")
        parent = up.get("full_name") if isinstance(up, dict) else None
        empty = RepoSnapshot(
            ref,
            commit,
            self.name,
            fork=bool(meta.get("fork")),
            parent=parent if isinstance(parent, str) else None,
            description=str(meta.get("description") or ""),
        )
        if not commit:
            return empty
        repo_path = f"/repos/{quote(ref.owner)}/{quote(ref.name)}"
        tree = self.get_json(
            f"{repo_path}/git/trees/{self._trees.get(commit, commit)}",
            {"recursive": "1"},
            cache=False,
        )
        tree = _object(tree, f"tree of {ref.full_name}")
        entries = tree.get("tree")
        blobs: list[tuple[str, int]] = [
            (e["path"], size if isinstance(size := e.get("size"), int) else 0)
            for e in (entries if isinstance(entries, list) else [])
            if isinstance(e, dict) and e.get("type") == "blob" and isinstance(e.get("path"), str)
        ]
        chosen = select_files(blobs, self.max_files, self.max_bytes)
        sizes = dict(blobs)
        texts = {p: self._read(repo_path, p, commit, sizes[p]) for p in chosen}
        files = tuple(RepoFile(p, size, texts.get(p)) for p, size in blobs)
        readme = next((t for p, t in texts.items() if file_kind(p) == "readme" and t), "")
        wanted = sum(1 for p, _ in blobs if wants_text(p))
        return replace(
            empty,
            files=files,
            readme=readme or "",
            truncated=bool(tree.get("truncated")) or wanted > len(chosen),
        )

    def _read(self, repo_path: str, path: str, commit: str, size: int) -> str | None:
        """A file's text from the contents API: base64 JSON up to 1 MiB, raw media above."""
        if size > INLINE_LIMIT:
            params = {"ref": commit}
            resp = self._send(f"{repo_path}/contents/{quote(path)}", params, RAW_MEDIA)
            return resp.content.decode("utf-8", "replace")
        body = self.get_json(f"{repo_path}/contents/{quote(path)}", {"ref": commit}, cache=False)
        if not isinstance(body, dict) or body.get("encoding") != "base64":
            return None
        try:
            return base64.b64decode(body.get("content", "")).decode("utf-8", "replace")
        except (binascii.Error, ValueError, TypeError):
            return None


def _object(body: Any, what: str) -> dict[str, Any]:
    """body if it is a JSON object, else RepoError (GitHub answering a list, a string...)."""
    if not isinstance(body, dict):
        raise RepoError(f"GitHub answered a {type(body).__name__} for the {what}, not an object")
    return body


def _error(resp: httpx.Response, path: str) -> RepoError:
    """The exception for an error status (404 not found, 409 empty repository, others)."""
    if resp.status_code == 404:
        return RepoNotFound(f"GitHub 404 for {path}")
    if resp.status_code == 409:  # GitHub's answer for "Git Repository is empty."
        return RepoEmpty(f"GitHub 409 for {path}: {_message(resp)}")
    return RepoError(f"GitHub {resp.status_code} for {path}: {_message(resp)}")


def _message(resp: httpx.Response) -> str:
    try:
        body = resp.json()
    except ValueError:
        return resp.text[:200]
    return str(body.get("message", "")) if isinstance(body, dict) else ""
