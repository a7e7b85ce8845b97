"""Run a stage function on a Dask distributed cluster, feeding jobs lazily (network IO to the scheduler).

Optional: needs the `scale` extra (`pip install 'framework-miner[scale]'`). Results come back to
the caller, which alone writes to the database.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar

from miner.errors import UsageError
from miner.outcome import Outcome

J = TypeVar("J")
R = TypeVar("R")

logger = logging.getLogger(__name__)

IN_FLIGHT_PER_THREAD = 4
"""Jobs submitted ahead per worker thread: enough to keep workers busy, few enough to stay small."""


def connect(scheduler: Any) -> tuple[Any, bool]:
    """A distributed.Client for an address (owned: close it after) or the given Client."""
    try:
        from distributed import Client
    except ImportError as exc:
        raise UsageError(
            "--executor dask needs Dask: pip install 'framework-miner[scale]'"
        ) from exc
    if isinstance(scheduler, Client):
        return scheduler, False
    try:
        return Client(scheduler, timeout=30), True
    except (OSError, TimeoutError, ValueError) as exc:
        raise UsageError(
            f"cannot reach Dask scheduler {scheduler!r}: {exc}; check --scheduler"
        ) from exc


def iter_dask(
    fn: Callable[[J], R], jobs: Iterable[J], scheduler: Any, timeout: float | None
) -> Iterator[Outcome[J, R]]:
    """Outcome of fn(job) for every job, computed on the cluster, in completion order.

    A job running longer than `timeout` is cancelled and reported `timeout`; a task whose workers
    keep dying (Dask's KilledWorker) or that raises is reported `failed`.
    """
    from distributed import wait

    client, owned = connect(scheduler)
    try:
        threads = sum(client.nthreads().values()) or 1
        window = max(4, threads * IN_FLIGHT_PER_THREAD)
        todo = iter(jobs)
        running: dict[Any, tuple[J, float]] = {}
        exhausted = False
        while True:
            while not exhausted and len(running) < window:
                try:
                    job = next(todo)
                except StopIteration:
                    exhausted = True
                    break
                running[client.submit(fn, job, pure=False)] = (job, time.monotonic())
            if not running:
                return
            wait_for = None
            if timeout is not None:
                oldest = min(started for _, started in running.values())
                wait_for = max(0.05, oldest + timeout - time.monotonic())
            try:
                done = wait(list(running), timeout=wait_for, return_when="FIRST_COMPLETED").done
            except TimeoutError:
                done = set()
            for fut in done:
                job, _ = running.pop(fut)
                yield _outcome(fut, job)
            if timeout is not None:
                now = time.monotonic()
                for fut in [f for f, (_, t) in running.items() if now - t >= timeout]:
                    job, _ = running.pop(fut)
                    fut.cancel()
                    yield Outcome(
                        job, None, "timeout", f"no result after {timeout:g} s on the cluster"
                    )
    finally:
        if owned:
            client.close()


def _outcome(fut: Any, job: Any) -> Outcome[Any, Any]:
    if fut.status == "finished":
        return Outcome(job, fut.result())
    exc = fut.exception()
    logger.warning("task failed on the cluster: %r: %r", job, exc)
    return Outcome(job, None, "failed", f"{type(exc).__name__}: {exc}")
