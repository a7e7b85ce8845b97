"""Run a picklable function over jobs, in this process or a pool, yielding results as they finish.

The seam between the pure stage functions and where they run (one process, a process pool; a
Dask cluster later). Only the caller writes to the database.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

J = TypeVar("J")
R = TypeVar("R")


def iter_results(fn: Callable[[J], R], jobs: Iterable[J], *, workers: int = 1) -> Iterator[R]:
    """fn(job) for every job, in job order; `workers` > 1 uses a process pool."""
    if workers <= 1:
        yield from map(fn, jobs)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(fn, jobs, chunksize=2)
