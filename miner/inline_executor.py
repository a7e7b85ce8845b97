"""The `inline` executor: stage functions in this process, one after the other (no isolation).

For debugging and profiling, and for runs too small to start workers. A job that runs past its
timeout is interrupted between bytecodes (SIGALRM, main thread only).
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from miner.executor import IDLE
from miner.outcome import Outcome

J = TypeVar("J")
R = TypeVar("R")

logger = logging.getLogger(__name__)


class _JobTimeout(BaseException):
    """Raised in the main thread by SIGALRM when an inline job runs past its timeout (a
    BaseException, so a stage function's own `except Exception` cannot swallow it)."""


def _alarm(_signum: int, _frame: Any) -> None:
    raise _JobTimeout


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise _JobTimeout in the block after `seconds` (main thread only; elsewhere no limit).

    Python code is interrupted between bytecodes; a single long C call finishes first.
    """
    if not seconds or threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def iter_inline(
    fn: Callable[[J], R], jobs: Iterable[J], timeout: float | None = None
) -> Iterator[Outcome[J, R]]:
    for job in jobs:
        if job is IDLE:
            continue
        try:
            with time_limit(timeout):
                result = fn(job)
        except _JobTimeout:
            logger.warning("timeout after %g s: %r", timeout, job)
            yield Outcome(job, None, "timeout", f"no result after {timeout:g} s")
            continue
        except Exception as exc:  # a stage function's bug must not abort the run
            logger.warning("job failed: %r", exc)
            yield Outcome(job, None, "failed", f"{type(exc).__name__}: {exc}")
            continue
        yield Outcome(job, result)
