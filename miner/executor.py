"""Run a picklable function over jobs: in this process, in isolated worker processes, or on Dask.

The seam between the pure stage functions and where they run. Jobs are pulled lazily from an
iterator (never listed), and outcomes come back as they finish; only the caller writes to the
database. In the `process` executor every job runs in a worker process with a per-job timeout:
a job that hangs or kills its worker (a crash in a C library) becomes an Outcome with status
`timeout` or `failed`, the worker is replaced, and the run goes on.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import multiprocessing
import pickle
import resource
import signal
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from multiprocessing.connection import Connection, wait
from multiprocessing.context import BaseContext
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

from miner.errors import UsageError
from miner.outcome import Outcome

J = TypeVar("J")
R = TypeVar("R")

logger = logging.getLogger(__name__)

STARTUP_TIMEOUT = 120.0
"""Seconds a new worker process may take to import its stage function."""

DEPTH = 2
"""Jobs sent ahead to each worker process (one running, the rest waiting in its pipe)."""

POLL = 0.05
"""Seconds the `process` executor waits for results before asking an idle jobs iterator again."""


class _Idle:
    """Type of IDLE."""

    def __repr__(self) -> str:
        return "IDLE"


IDLE = _Idle()
"""Yielded by a jobs iterator that has no job yet but may have more later (miner run's stages:
papers still downloading); the `process` and `inline` executors then collect results and ask
again. Such an iterator should wait up to about POLL seconds for work before yielding IDLE."""

EXECUTORS = ("process", "inline", "dask")
"""`process`: isolated worker processes (default); `inline`: this process, no isolation (for
debugging and profiling); `dask`: a Dask distributed cluster (`--scheduler`)."""


def iter_results(fn: Callable[[J], R], jobs: Iterable[J], *, workers: int = 1) -> Iterator[R]:
    """fn(job) for every job, in job order; `workers` > 1 uses a plain process pool (no isolation)."""
    if workers <= 1:
        yield from map(fn, jobs)
        return
    with ProcessPoolExecutor(workers) as pool:
        yield from pool.map(fn, jobs, chunksize=2)


def iter_outcomes(
    fn: Callable[[J], R],
    jobs: Iterable[J],
    *,
    executor: str = "process",
    workers: int = 1,
    timeout: float | None = None,
    scheduler: Any = None,
    memory_mb: int | None = None,
) -> Iterator[Outcome[J, R]]:
    """Outcome of fn(job) for every job, in completion order.

    `timeout` is seconds per job (None: no limit). `memory_mb` caps each worker process's address
    space (RLIMIT_AS; `process` executor only): a job that needs more ends `too_large`. `scheduler` is a Dask scheduler address such
    as `tcp://10.0.0.5:8786` or a `distributed.Client` (executor `dask` only). Raises UsageError
    for an unknown executor or a missing scheduler.
    """
    if executor not in EXECUTORS:
        raise UsageError(f"unknown executor {executor!r}; choose one of {', '.join(EXECUTORS)}")
    if executor == "dask" and scheduler is None:
        raise UsageError("--executor dask needs --scheduler tcp://HOST:PORT")
    with _frozen_gc():
        if executor == "inline":
            from miner.inline_executor import iter_inline

            yield from iter_inline(fn, jobs, timeout)
        elif executor == "process":
            yield from _iter_process(fn, jobs, max(1, workers), timeout, memory_mb)
        else:
            from miner.dask_executor import iter_dask

            yield from iter_dask(fn, jobs, scheduler, timeout)


@contextlib.contextmanager
def _frozen_gc() -> Iterator[None]:
    """For the block, the garbage collector leaves alone every object that exists when it
    starts (gc.freeze): a run's caller holds ~100,000 long-lived objects (SQLAlchemy, the
    classifier), and scanning them cost the single writer 70 ms per full collection (#17).
    Unfrozen when the run ends or its generator is closed, unless the caller had frozen objects
    of its own (a run's generator left suspended in a reference cycle keeps them frozen)."""
    mine = gc.get_freeze_count() == 0
    gc.freeze()
    try:
        yield
    finally:
        if mine:
            gc.unfreeze()


def _worker_main(fn: Callable[[Any], Any], conn: Connection, memory_mb: int | None = None) -> None:
    """Worker loop: receive a job, send back ("ok", result), ("too_large", message) when it ran
    out of the memory cap, or ("failed", message)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the parent stops its workers by SIGTERM/KILL
    gc.freeze()  # what the fork server preloaded lives as long as this process: never scan it
    if memory_mb:
        cap = memory_mb << 20
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    if not _send(conn, ("ready", None)):  # fn is imported: the parent starts the job clock
        return
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        try:
            reply: tuple[str, Any] = ("ok", fn(job))
        except MemoryError:
            reply = ("too_large", f"out of memory (worker cap {memory_mb} MB)")
        except Exception as exc:  # reported per job; the worker lives on
            reply = ("failed", f"{type(exc).__name__}: {exc}")
        if not _send(conn, reply):
            return


def _send(conn: Connection, message: tuple[str, Any]) -> bool:
    """A worker's message to its parent; False when the parent is gone (its end of the pipe
    closed by Ctrl-C or a kill while this worker started or ran: nothing left to report to)."""
    try:
        conn.send(message)
    except (TypeError, AttributeError, ValueError) as exc:  # result not picklable
        return _send(conn, ("failed", f"result cannot be sent back: {exc}"))
    except OSError:  # BrokenPipeError, ConnectionResetError
        return False
    return True


class _Worker:
    """One worker process with its pipe and the jobs sent to it (the first one is running).

    Created, it starts its process without waiting: workers started together import their
    function at the same time, and the first job sent waits until the worker is ready.

    Up to DEPTH jobs wait in the pipe, so the worker starts its next document while the parent
    is still writing the last one's result; the clock of a queued job starts when the result of
    the job before it arrives.
    """

    def __init__(
        self, ctx: BaseContext, fn: Callable[[Any], Any], memory_mb: int | None = None
    ) -> None:
        parent, child = ctx.Pipe()
        self.proc: BaseProcess = ctx.Process(  # type: ignore[attr-defined]
            target=_worker_main, args=(fn, child, memory_mb), daemon=True
        )
        self.proc.start()
        child.close()
        self.conn = parent
        self.jobs: deque[Any] = deque()
        self.started = 0.0
        self.ready = False

    def wait_ready(self) -> None:
        """Wait until the worker has imported its function (once), so that start-up never
        counts as job time; RuntimeError if it does not start."""
        if self.ready:
            return
        try:
            self.ready = self.conn.poll(STARTUP_TIMEOUT) and self.conn.recv()[0] == "ready"
        except (EOFError, OSError):
            self.ready = False
        if not self.ready:
            self.kill()
            raise RuntimeError(f"worker process did not start: {_death_message(self.proc)}")

    @property
    def busy(self) -> bool:
        """The worker has a job running."""
        return bool(self.jobs)

    @property
    def job(self) -> Any:
        """The running job."""
        return self.jobs[0] if self.jobs else None

    def assign(self, job: Any) -> None:
        self.wait_ready()
        self.conn.send(job)
        if not self.jobs:
            self.started = time.monotonic()
        self.jobs.append(job)

    def done(self) -> Any:
        """Pop the running job; the next queued one starts now."""
        job = self.jobs.popleft()
        self.started = time.monotonic()
        return job

    def kill(self) -> None:
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(5)
        self.conn.close()

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.conn.send(None)
        self.proc.join(2)
        self.kill()


def _context(fn: Callable[..., Any]) -> BaseContext:
    """forkserver where available: workers start clean, without the parent's DB connections.

    The fork server preloads the stage functions' modules (on first use only), so a replaced
    worker starts in milliseconds instead of re-importing PyMuPDF.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["__main__", "miner.stages", fn.__module__])
    return ctx


def _death_message(proc: BaseProcess) -> str:
    code = proc.exitcode
    if code is not None and code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = str(-code)
        return f"worker process died (signal {name}) while processing this document"
    return f"worker process died (exit code {code}) while processing this document"


def _feed(pool: list[_Worker], workers: int, todo: _Jobs, new: Callable[[], _Worker]) -> bool:
    """Fill every worker's queue (starting up to `workers`) to DEPTH; False once jobs run out."""
    for depth in range(1, DEPTH + 1):
        for i in range(workers):
            if i == len(pool):  # start the missing workers together (each waits on its 1st job)
                pool.extend(new() for _ in range(workers - len(pool)))
            if len(pool[i].jobs) >= depth:
                continue
            try:
                job = next(todo)
            except StopIteration:
                return False
            if job is IDLE:
                return True
            try:
                pool[i].assign(job)
            except OSError:  # the worker died
                if pool[i].busy:
                    # ... with jobs in its queue: the main loop reports the running one (it may
                    # have killed the worker; resent, it would kill the next one too) and resends
                    # the rest; this job waits for the next round.
                    todo.push(job)
                    return True
                _replace(pool, i, new)  # ... while idle: a new worker takes the job
                pool[i].assign(job)
    return True


class _Jobs:
    """A jobs iterator that can take one back (a job whose worker died before receiving it)."""

    def __init__(self, jobs: Iterable[Any]) -> None:
        self._it = iter(jobs)
        self._back: list[Any] = []

    def __iter__(self) -> _Jobs:
        return self

    def __next__(self) -> Any:
        return self._back.pop() if self._back else next(self._it)

    def push(self, job: Any) -> None:
        """Hand job back: it is the next one served."""
        self._back.append(job)


def _replace(pool: list[_Worker], i: int, new: Callable[[], _Worker]) -> None:
    """Replace worker i by a new one that gets the jobs still queued behind its running one."""
    old = pool[i]
    old.kill()
    pool[i] = new()
    for job in old.jobs:
        pool[i].assign(job)


def _iter_process(
    fn: Callable[[J], R],
    jobs: Iterable[J],
    workers: int,
    timeout: float | None,
    memory_mb: int | None = None,
) -> Iterator[Outcome[J, R]]:
    ctx = _context(fn)
    todo = _Jobs(jobs)
    pool: list[_Worker] = []
    more = True

    def new() -> _Worker:
        return _Worker(ctx, fn, memory_mb)

    try:
        while True:
            if more:
                more = _feed(pool, workers, todo, new)
            busy = [w for w in pool if w.busy]
            # Jobs left but a queue not full: the jobs iterator said IDLE; ask it again soon.
            hungry = more and (len(pool) < workers or any(len(w.jobs) < DEPTH for w in pool))
            if not busy:
                if hungry:
                    continue
                return
            wait_for = POLL if hungry else None
            if timeout is not None:
                left = max(0.0, min(w.started for w in busy) + timeout - time.monotonic())
                wait_for = left if wait_for is None else min(wait_for, left)
            ready = set(wait([w.conn for w in busy] + [w.proc.sentinel for w in busy], wait_for))
            for i, w in enumerate(pool):
                outcome = _collect(w, ready, timeout) if w.busy else None
                if outcome is None:
                    continue
                if not w.proc.is_alive():  # died or killed on timeout: replace it
                    _replace(pool, i, new)
                elif more:  # refill before the caller writes this result
                    more = _feed(pool, workers, todo, new)
                yield outcome
    finally:
        for w in pool:
            w.stop()


def _collect(w: _Worker, ready: set[Any], timeout: float | None) -> Outcome[Any, Any] | None:
    """The outcome of a busy worker's job if it finished, died or ran out of time, else None."""
    if w.conn in ready or w.conn.poll():
        try:
            status, payload = w.conn.recv()
        except (EOFError, OSError):
            w.proc.join(1)
            return Outcome(w.done(), None, "failed", _death_message(w.proc))
        except pickle.UnpicklingError as exc:
            return Outcome(w.done(), None, "failed", f"result could not be read back: {exc}")
        if status == "ok":
            return Outcome(w.done(), payload)
        return Outcome(w.done(), None, "too_large" if status == "too_large" else "failed", payload)
    if w.proc.sentinel in ready or not w.proc.is_alive():
        w.proc.join(1)
        message = _death_message(w.proc)
        logger.warning("%s: %r", message, w.job)
        return Outcome(w.done(), None, "failed", message)
    if timeout is not None and time.monotonic() - w.started >= timeout:
        w.proc.kill()
        w.proc.join(5)
        logger.warning("timeout after %g s: %r", timeout, w.job)
        return Outcome(w.done(), None, "timeout", f"no result after {timeout:g} s; worker killed")
    return None
