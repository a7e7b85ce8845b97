"""The polite client: rate limit per host, retries with backoff honouring Retry-After and
OpenReview's resetTime, redirect loops and timeouts, against a real local HTTP server."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import httpx
import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from miner import __version__
from miner.errors import FetchError, UsageError
from miner.http import (
    Fetcher,
    RateLimiter,
    Retry,
    make_client,
    parse_retry_after,
    rebase_url,
    user_agent,
)
from tests.helpers.openreview_shapes import rate_limit_body


class FakeTime:
    """A clock that only moves when slept on."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


def fetcher(t: FakeTime, *, retries: int = 3, timeout: float = 5.0, delay: float = 0.0) -> Fetcher:
    return Fetcher(
        make_client(timeout=timeout, connect_timeout=timeout, max_redirects=3),
        limiter=RateLimiter(delay=delay, clock=t.clock, sleep=t.sleep, host_delays={}),
        retry=Retry(max_retries=retries, base=1.0, cap=8.0, rand=lambda: 1.0),
    )


def test_honest_user_agent(httpserver: HTTPServer) -> None:
    seen = []

    def handler(request: Request) -> Response:
        seen.append(request.headers["User-Agent"])
        return Response("ok")

    httpserver.expect_request("/ua").respond_with_handler(handler)
    fetcher(FakeTime()).get(httpserver.url_for("/ua"))
    assert seen == [user_agent()]
    assert seen[0].startswith(f"framework-miner/{__version__} (+http")


def test_rate_limit_per_host() -> None:
    t = FakeTime()
    limiter = RateLimiter(
        delay=1.0, clock=t.clock, sleep=t.sleep, host_delays={"export.arxiv.org": 3.0}
    )
    for url in ("https://a.org/1", "https://a.org/2", "https://b.org/1", "https://a.org/3"):
        limiter.wait(url)
    assert t.sleeps == [1.0, 1.0]  # a.org waits, b.org does not
    limiter.wait("https://export.arxiv.org/api/query")
    limiter.wait("https://export.arxiv.org/api/query")
    assert t.sleeps[-1] == 3.0


def test_429_then_success(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/p").respond_with_data("slow down", status=429)
    httpserver.expect_request("/p").respond_with_data("ok")
    t = FakeTime()
    assert fetcher(t).get(httpserver.url_for("/p")).text == "ok"
    assert t.sleeps == [1.0]  # backoff base * 2**0, jitter factor 1.0


def test_503_with_retry_after(httpserver: HTTPServer) -> None:
    httpserver.expect_oneshot_request("/p").respond_with_data(
        "", status=503, headers={"Retry-After": "7"}
    )
    httpserver.expect_oneshot_request("/p").respond_with_data(
        "", status=503, headers={"Retry-After": "2"}
    )
    httpserver.expect_request("/p").respond_with_data("ok")
    t = FakeTime()
    assert fetcher(t).get(httpserver.url_for("/p")).text == "ok"
    assert t.sleeps == [7.0, 2.0]


def test_openreview_429_reset_time_in_body(httpserver: HTTPServer) -> None:
    reset = datetime.fromtimestamp(time.time() + 30, UTC).isoformat().replace("+00:00", "Z")
    httpserver.expect_oneshot_request("/notes").respond_with_data(
        rate_limit_body(reset), status=429, content_type="application/json"
    )
    httpserver.expect_request("/notes").respond_with_json({"notes": [], "count": 0})
    t = FakeTime()
    assert fetcher(t).get(httpserver.url_for("/notes")).json() == {"notes": [], "count": 0}
    assert len(t.sleeps) == 1 and 25 <= t.sleeps[0] <= 30


def test_gives_up_after_max_retries(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data("", status=502)
    t = FakeTime()
    with pytest.raises(FetchError, match="HTTP 502") as err:
        fetcher(t, retries=3).get(httpserver.url_for("/p"))
    assert err.value.status == 502 and err.value.retry
    assert t.sleeps == [1.0, 2.0, 4.0]  # exponential


def test_404_is_not_retried(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/p").respond_with_data("", status=404)
    t = FakeTime()
    with pytest.raises(FetchError, match="HTTP 404"):
        fetcher(t).get(httpserver.url_for("/p"))
    assert t.sleeps == []


def test_redirect_loop(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/a").respond_with_data("", status=302, headers={"Location": "/b"})
    httpserver.expect_request("/b").respond_with_data("", status=302, headers={"Location": "/a"})
    with pytest.raises(FetchError, match="too many redirects"):
        fetcher(FakeTime()).get(httpserver.url_for("/a"))


def test_slow_server_hits_the_timeout(httpserver: HTTPServer) -> None:
    def slow(_request: Request) -> Response:
        time.sleep(0.5)
        return Response("late")

    httpserver.expect_request("/slow").respond_with_handler(slow)
    t = FakeTime()
    with pytest.raises(FetchError, match="Timeout") as err:
        fetcher(t, retries=1, timeout=0.1).get(httpserver.url_for("/slow"))
    assert err.value.retry and t.sleeps == [1.0]  # one retry, then the error


def test_only_http_urls() -> None:
    f = fetcher(FakeTime())
    for bad in ("file:///etc/passwd", "ftp://x.org/a.pdf", "data:application/pdf;base64,JVBE"):
        with pytest.raises(FetchError, match="only http"):
            f.get(bad)


def test_rebase_url() -> None:
    assert rebase_url(
        "https://proceedings.neurips.cc/paper_files/paper/2019?x=1", "http://127.0.0.1:8000"
    ) == ("http://127.0.0.1:8000/paper_files/paper/2019?x=1")
    with pytest.raises(UsageError, match="base-url"):
        rebase_url("https://a.org/", "127.0.0.1:8000")


def test_retry_after_forms() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Thu, 01 Jan 2026 00:01:00 GMT", now) == 60.0
    assert parse_retry_after("soon") is None and parse_retry_after(None) is None


def test_mock_transport_also_works() -> None:
    client = make_client(transport=httpx.MockTransport(lambda r: httpx.Response(200, text="hi")))
    assert Fetcher(client, limiter=RateLimiter(delay=0)).get("https://x.org/").text == "hi"
