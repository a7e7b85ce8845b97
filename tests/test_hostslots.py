"""Per-host politeness across processes (issue 18): two miner runs on one machine share each
host's request slots, so together they still send one request per delay."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

from miner.hostslots import HostSlots
from miner.http import RateLimiter


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_two_limiters_share_the_slots_of_a_host(tmp_path: Path) -> None:
    clock = Clock()
    slept: list[float] = []

    def limiter() -> RateLimiter:  # one per "process": no shared memory, only the files
        return RateLimiter(delay=2.0, sleep=slept.append, shared=HostSlots(tmp_path, clock))

    a, b = limiter(), limiter()
    a.wait("https://example.org/1")
    b.wait("https://example.org/2")
    a.wait("https://example.org/3")
    b.wait("https://other.org/1")  # another host has its own slots
    assert slept == [2.0, 4.0]


def _reserve(folder: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    slots = HostSlots(Path(folder))
    queue.put([slots.reserve("example.org", 1.0) for _ in range(5)])


def test_processes_get_distinct_slots(tmp_path: Path) -> None:
    """Real processes reserving at once: every slot is taken once, a delay apart."""
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_reserve, args=(str(tmp_path), queue)) for _ in range(2)]
    for p in procs:
        p.start()
    got = sorted(queue.get(timeout=60) + queue.get(timeout=60))
    for p in procs:
        p.join(timeout=60)
    gaps = [b - a for a, b in zip(got, got[1:], strict=False)]
    assert len(got) == 10 and all(g >= 1.0 - 1e-6 for g in gaps), gaps
