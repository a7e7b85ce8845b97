"""Bounded HTTP reads: a wall-clock deadline per request and a cap on the decoded body (HTTP IO).

httpx bounds each socket read (`timeout`), not a request: a server dripping a byte per second
holds it for ever, and its decoders inflate a whole chunk (and every stacked Content-Encoding
layer) before a caller can count bytes. Here every read and connect of a request is cut to the
time left before its deadline (`DeadlineBackend`, below httpcore), and the body is inflated by
`read_body` itself, at most one gzip/deflate layer, never more than `max_bytes` + 1 bytes.
"""

from __future__ import annotations

import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

from miner.errors import FetchError

ACCEPT_ENCODING = "gzip, deflate"
"""What we ask for: the encodings read_body can inflate with a limit (no br, no zstd)."""
DEFAULT_DEADLINE = 60.0
"""Seconds one request (connect, headers and whole body) may take."""
MAX_BODY_BYTES = 64 * 1024 * 1024
"""Decoded size of a listing page or API answer beyond which it is refused."""

_deadline: ContextVar[float | None] = ContextVar("miner_http_deadline", default=None)
"""time.monotonic() by which the current thread's request must be done (None: no deadline)."""

Check = Callable[[httpx.Response], None]


@contextmanager
def deadline(seconds: float | None) -> Iterator[None]:
    """Every read and connect inside the block ends by `seconds` from now (nested: the earlier)."""
    if seconds is None:
        yield
        return
    outer = _deadline.get()
    when = time.monotonic() + seconds
    token = _deadline.set(when if outer is None else min(outer, when))
    try:
        yield
    finally:
        _deadline.reset(token)


def _left(timeout: float | None, error: type[Exception]) -> float | None:
    """The timeout for one socket operation: the smaller of `timeout` and the time left."""
    when = _deadline.get()
    if when is None:
        return timeout
    left = when - time.monotonic()
    if left <= 0:
        raise error("request deadline passed")
    return left if timeout is None else min(timeout, left)


class DeadlineStream(httpcore.NetworkStream):
    """A network stream whose reads and writes stop at the request's deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self.inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self.inner.read(max_bytes, _left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self.inner.write(buffer, _left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self.inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self.inner.start_tls(ssl_context, server_hostname, left))

    def get_extra_info(self, info: str) -> Any:
        return self.inner.get_extra_info(info)


class DeadlineBackend(httpcore.NetworkBackend):
    """httpcore's sync backend with every connect, read and write cut at the deadline."""

    def __init__(self, inner: httpcore.NetworkBackend | None = None) -> None:
        self.inner = inner or httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(
            self.inner.connect_tcp(host, port, left, local_address, socket_options)
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        left = _left(timeout, httpcore.ConnectTimeout)
        return DeadlineStream(self.inner.connect_unix_socket(path, left, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


def deadline_transport() -> httpx.HTTPTransport:
    """httpx's default transport on a DeadlineBackend.

    httpx 0.28 offers no public way to choose httpcore's network backend, so it is set on the
    pool; a layout change raises here (and tests/test_bounded.py fails) instead of silently
    losing the deadline.
    """
    transport = httpx.HTTPTransport()
    pool = getattr(transport, "_pool", None)
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.NetworkBackend):
        raise RuntimeError("httpx/httpcore internals changed: cannot install the request deadline")
    pool._network_backend = DeadlineBackend(pool._network_backend)  # type: ignore[union-attr]
    return transport


class _Inflater:
    """One Content-Encoding layer (identity, gzip or deflate) inflated with an output limit."""

    def __init__(self, url: str, encoding: str) -> None:
        self.url, self.encoding = url, encoding
        wbits = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS}.get(encoding)
        if encoding not in ("", "identity", "deflate") and wbits is None:
            raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
        self.raw = encoding in ("", "identity")
        self.fallback = encoding == "deflate"  # zlib-wrapped per RFC, raw deflate in practice too
        self.obj = zlib.decompressobj(wbits or zlib.MAX_WBITS)
        self.started = False

    def feed(self, chunk: bytes, limit: int) -> Iterator[bytes]:
        """Decoded pieces of chunk, none longer than limit (the caller stops past its cap)."""
        if self.raw:
            yield chunk
            return
        data = chunk
        while data and not self.obj.eof:
            try:
                piece = self.obj.decompress(data, max(1, limit))
            except zlib.error as exc:
                if self.fallback and not self.started:
                    self.fallback, self.obj = False, zlib.decompressobj(-zlib.MAX_WBITS)
                    continue
                raise FetchError(self.url, f"cannot decode {self.encoding} body: {exc}") from exc
            self.started = True
            data = self.obj.unconsumed_tail
            yield piece


def read_body(response: httpx.Response, max_bytes: int) -> bytes:
    """The decoded body of a streamed response, refused (FetchError) past max_bytes decoded bytes,
    with more than one Content-Encoding layer, or shorter than its Content-Length."""
    url = str(response.request.url)
    layers = [
        e.strip().lower()
        for e in response.headers.get("Content-Encoding", "").split(",")
        if e.strip() and e.strip().lower() != "identity"
    ]
    if len(layers) > 1:
        raise FetchError(
            url,
            f"{len(layers)} Content-Encoding layers ({', '.join(layers)}); at most one is accepted",
        )
    try:  # a transport that answered from memory (httpx.MockTransport in tests): read already
        body = response.content
    except httpx.ResponseNotRead:
        pass
    else:
        if len(body) > max_bytes:
            raise FetchError(url, f"too large: more than {max_bytes} bytes (decoded)")
        return body
    inflater = _Inflater(url, layers[0] if layers else "")
    chunks: list[bytes] = []
    size = raw = 0
    for chunk in response.iter_raw():
        raw += len(chunk)
        for piece in inflater.feed(chunk, max_bytes - size + 1):
            size += len(piece)
            if size > max_bytes:
                raise FetchError(url, f"too large: more than {max_bytes} bytes (decoded)")
            chunks.append(piece)
        when = _deadline.get()  # checked here too for transports without sockets (tests)
        if when is not None and time.monotonic() > when:
            raise httpx.ReadTimeout("request deadline passed", request=response.request)
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and raw < int(declared):
        raise FetchError(url, f"truncated: {raw} of {declared} bytes", retry=True)
    return b"".join(chunks)


RETRY_ERRORS = (httpx.TimeoutException, httpx.NetworkError, httpx.RemoteProtocolError)
"""Transport errors worth another attempt (the rest: bad URL, protocol, redirects, decoding)."""


def send_bounded(
    client: httpx.Client,
    request: httpx.Request,
    *,
    max_bytes: int = MAX_BODY_BYTES,
    seconds: float | None = DEFAULT_DEADLINE,
    check: Check | None = None,
) -> httpx.Response:
    """Send request and read its body within `seconds` and `max_bytes`; the response returned
    holds the decoded body (no Content-Encoding left).

    `check` sees a 2xx response's headers before the body is read (and may raise FetchError).
    Every failure is a FetchError: `retry` is set for timeouts, dropped connections and bodies
    cut short; a redirect to a non-http(s) URL, a bad URL or an undecodable body is final.
    """
    url = str(request.url)
    part = ""
    started = time.monotonic()
    with deadline(seconds):
        try:
            response = client.send(request, stream=True)
            part = "body incomplete: "  # what fails from here on, fails while reading the body
            try:
                if check is not None and response.is_success:
                    check(response)
                body = read_body(response, max_bytes)
            finally:
                response.close()
        except httpx.TimeoutException as exc:
            why = f"{part}{type(exc).__name__}: {exc}"
            if seconds is not None and time.monotonic() - started >= seconds * 0.99:
                why = f"no complete answer within the {seconds:g} s request deadline"
            raise FetchError(url, why, retry=True) from exc
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:  # file:, ftp:, data: ...
            raise FetchError(url, f"refused: not an http(s) URL ({exc})") from exc
        except httpx.TooManyRedirects as exc:
            raise FetchError(url, f"too many redirects: {exc}") from exc
        except RETRY_ERRORS as exc:
            raise FetchError(url, f"{part}{type(exc).__name__}: {exc}", retry=True) from exc
        except (httpx.HTTPError, httpx.StreamError) as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from exc
    headers = [
        (k, v)
        for k, v in response.headers.multi_items()
        if k.lower() not in ("content-encoding", "content-length", "transfer-encoding")
    ]
    return httpx.Response(
        response.status_code, headers=headers, content=body, request=response.request
    )
