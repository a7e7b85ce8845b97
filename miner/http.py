"""The one place an httpx.Client is built, plus per-host rate limiting and polite retries (HTTP IO).

Politeness is configuration: an honest User-Agent naming the project, its version and a contact URL;
a minimum delay between requests to the same host (3 s for arXiv, per its API terms of use); retries
with exponential backoff and jitter on timeouts, 429 and 5xx, honouring `Retry-After`. The clock,
sleep and random source are injected so tests never wait.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import urlsplit, urlunsplit

import httpx

from miner import __version__
from miner.bounded import (
    ACCEPT_ENCODING,
    DEFAULT_DEADLINE,
    MAX_BODY_BYTES,
    Check,
    deadline_transport,
    send_bounded,
)
from miner.errors import FetchError, UsageError
from miner.hostslots import HostSlots

logger = logging.getLogger(__name__)

CONTACT = "https://github.com/framework-miner/framework-miner"
DEFAULT_DELAY = 1.0
"""Seconds between two requests to the same host unless a source asks for more."""
HOST_DELAYS: Mapping[str, float] = {"export.arxiv.org": 3.0, "arxiv.org": 3.0}
"""arXiv's API terms ask for no more than one request every 3 seconds on one connection."""
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
MAX_RETRY_AFTER = 600.0
"""A Retry-After longer than this (seconds) is treated as a failure, not waited for."""


def user_agent(contact: str = CONTACT) -> str:
    """`framework-miner/<version> (+contact)`: who we are and how to reach us; never a browser UA."""
    return f"framework-miner/{__version__} (+{contact})"


def make_client(
    *,
    timeout: float = 30.0,
    connect_timeout: float = 10.0,
    max_redirects: int = 5,
    contact: str = CONTACT,
    transport: httpx.BaseTransport | None = None,
) -> httpx.Client:
    """The project's HTTP client: honest UA, bounded timeouts, a few redirects, no cookies kept.

    Without an injected transport, every request is held to miner.bounded's deadline.
    """
    return httpx.Client(
        headers={"User-Agent": user_agent(contact), "Accept-Encoding": ACCEPT_ENCODING},
        timeout=httpx.Timeout(timeout, connect=connect_timeout),
        follow_redirects=True,
        max_redirects=max_redirects,
        transport=transport if transport is not None else deadline_transport(),
    )


def rebase_url(url: str, base_url: str | None) -> str:
    """Replace scheme and host of url by base_url's (for replaying a site from a local server)."""
    if not base_url:
        return url
    base = urlsplit(base_url)
    if base.scheme not in ("http", "https") or not base.netloc:
        raise UsageError(f"--base-url {base_url!r} must look like http://127.0.0.1:8000")
    parts = urlsplit(url)
    path = base.path.rstrip("/") + parts.path
    return urlunsplit((base.scheme, base.netloc, path, parts.query, ""))


def check_http_url(url: str) -> str:
    """Return url if it is http(s) with a host; raise FetchError otherwise (no file:, data:, ...)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise FetchError(url, "only http(s) URLs are followed")
    return url


@dataclass
class RateLimiter:
    """At most one request per `delay` seconds per host; clock and sleep are injected.

    Thread-safe: each caller reserves the next free slot for its host under a lock and sleeps
    outside it, so workers fetching from different hosts do not wait for each other. With
    `shared`, the slots are reserved in files every miner process of the machine sees, so two
    runs at once still send a host one request per delay between them.
    """

    delay: float = DEFAULT_DELAY
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    host_delays: Mapping[str, float] = field(default_factory=lambda: dict(HOST_DELAYS))
    shared: HostSlots | None = None
    """Slots shared with the other miner processes of this machine (see miner.hostslots); with
    it, the wait is computed on its wall clock."""
    _next: dict[str, float] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def delay_for(self, host: str) -> float:
        """The minimum gap for host (the larger of the default and the host's own)."""
        return max(self.delay, self.host_delays.get(host, 0.0))

    def wait(self, url: str) -> None:
        """Sleep until a request to url's host is allowed."""
        host = urlsplit(url).hostname or ""
        if self.shared is not None and self.delay_for(host) > 0:
            slot = self.shared.reserve(host, self.delay_for(host))
            wait = slot - self.shared.wall()
            if wait > 0:
                self.sleep(wait)
            return
        with self._lock:
            now = self.clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self.delay_for(host)
        if slot > now:
            self.sleep(slot - now)


def retry_after_of(response: httpx.Response, now: datetime | None = None) -> float | None:
    """Seconds to wait from `Retry-After`, else from a JSON body's `details.resetTime`
    (OpenReview's RateLimitError); None when the response says nothing."""
    header = parse_retry_after(response.headers.get("Retry-After"), now)
    if header is not None:
        return header
    if "json" not in response.headers.get("Content-Type", ""):
        return None
    try:
        reset = json.loads(response.read())["details"]["resetTime"]
        when = datetime.fromisoformat(str(reset).replace("Z", "+00:00"))
    except (ValueError, KeyError, TypeError, httpx.HTTPError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date); None when absent or bad."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass
class Retry:
    """Retry policy: exponential backoff `base * 2**attempt` capped at `cap`, with full jitter."""

    max_retries: int = 4
    base: float = 1.0
    cap: float = 60.0
    rand: Callable[[], float] = random.random

    def backoff(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before retry number attempt+1; Retry-After wins when given."""
        if retry_after is not None:
            return retry_after
        return min(self.cap, self.base * 2**attempt) * (0.5 + 0.5 * self.rand())


@dataclass
class Fetcher:
    """A client plus a rate limiter and retry policy: `get(url)` is the only way sources do HTTP."""

    client: httpx.Client
    limiter: RateLimiter = field(default_factory=RateLimiter)
    retry: Retry = field(default_factory=Retry)
    base_url: str | None = None
    """Replaces scheme and host of every URL (tests and mirrors)."""
    deadline: float | None = DEFAULT_DEADLINE
    """Seconds one request (connect, headers, whole body) may take; None: no deadline."""
    max_bytes: int = MAX_BODY_BYTES
    """Largest decoded body accepted unless a call says otherwise."""

    def url(self, url: str) -> str:
        """The URL actually requested for a site URL."""
        return check_http_url(rebase_url(url, self.base_url))

    def get(
        self,
        url: str,
        *,
        params: Mapping[str, str | int] | None = None,
        max_bytes: int | None = None,
        check: Check | None = None,
    ) -> httpx.Response:
        """GET with rate limit and retries; returns a 2xx response with its body read, or raises
        FetchError (also for a body over max_bytes, a deadline passed, a redirect off http(s)).

        `check` sees a 2xx response's headers before its body is read (and may raise FetchError).
        """
        target = self.url(url)
        attempt = 0
        while True:
            self.limiter.wait(target)
            try:
                request = self.client.build_request("GET", target, params=params)
                response = send_bounded(
                    self.client,
                    request,
                    max_bytes=max_bytes or self.max_bytes,
                    seconds=self.deadline,
                    check=check,
                )
            except FetchError as exc:
                if not exc.retry or attempt >= self.retry.max_retries:
                    raise
                wait = self.retry.backoff(attempt)
                logger.info("%s, retrying in %.1fs", exc, wait)
            else:
                if response.is_success:
                    return response
                status = response.status_code
                retryable = status in RETRY_STATUS
                retry_after = retry_after_of(response) if retryable else None
                if (
                    not retryable
                    or attempt >= self.retry.max_retries
                    or (retry_after or 0.0) > MAX_RETRY_AFTER
                ):
                    raise FetchError(target, f"HTTP {status}", status=status, retry=retryable)
                wait = self.retry.backoff(attempt, retry_after)
                logger.info("%s: HTTP %s, retrying in %.1fs", target, status, wait)
            self.limiter.sleep(wait)
            attempt += 1


def make_fetcher(
    *,
    base_url: str | None = None,
    delay: float = DEFAULT_DELAY,
    max_retries: int = 4,
    timeout: float = 30.0,
    contact: str = CONTACT,
    deadline: float | None = DEFAULT_DEADLINE,
) -> Fetcher:
    """A Fetcher with the project's client, a per-host rate limit and the retry policy.

    Raises UsageError on a bad `base_url`.
    """
    if base_url:
        rebase_check = Fetcher(make_client(), base_url=base_url)
        rebase_check.url("https://example.org/")  # raises UsageError on a bad --base-url
        rebase_check.client.close()
    return Fetcher(
        make_client(timeout=timeout, contact=contact),
        limiter=RateLimiter(delay=delay, shared=HostSlots()),
        retry=Retry(max_retries=max_retries),
        base_url=base_url,
        deadline=deadline,
    )
