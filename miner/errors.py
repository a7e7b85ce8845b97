"""Exception tree of framework-miner (no IO).

MinerError
 +-- UsageError        a user mistake; the message says how to fix it
 +-- SchemaError       the database was written by a newer schema or cannot be opened
 +-- FetchError        an HTTP download failed (url, status, retryable)
 +-- ParseError        a source response could not be parsed (source, ident)
 +-- ExtractError      a PDF could not be read (reason is a status word)
"""

from __future__ import annotations


class MinerError(Exception):
    """Base of every error framework-miner raises on purpose."""


class UsageError(MinerError):
    """A user mistake: wrong option, missing file, bad gold file."""


class SchemaError(MinerError):
    """The database cannot be used by this version of framework-miner."""


class FetchError(MinerError):
    """A download failed."""

    def __init__(self, url: str, message: str, status: int | None = None, retry: bool = False):
        super().__init__(f"{url}: {message}")
        self.url = url
        self.status = status
        self.retry = retry

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.url, str(self).split(": ", 1)[-1], self.status, self.retry))


class ParseError(MinerError):
    """A source's response did not have the expected shape."""

    def __init__(self, source: str, ident: str, message: str):
        super().__init__(f"{source} {ident}: {message}")
        self.source = source
        self.ident = ident

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.source, self.ident, str(self).split(": ", 1)[-1]))


class ExtractError(MinerError):
    """A PDF could not be turned into text; `reason` is the status recorded on the paper."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.reason, str(self)))
