"""Per-host request slots shared by every miner process on this machine (file IO).

Two `miner fetch` (or `crawl`, `run`) processes on one machine each keep their own rate limiter;
without a shared record each would send a request to the same host every `delay` seconds, twice
the rate a site asked for. A small file per host, under a lock (fcntl), holds the wall-clock
time of that host's next free slot; each request reserves the next slot and sleeps until it.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ENV = "MINER_HOST_SLOTS"
"""Folder of the shared slot files (default: framework-miner-hosts in the system temp folder)."""


def default_dir() -> Path:
    """$MINER_HOST_SLOTS, else <tmp>/framework-miner-hosts."""
    return Path(os.environ.get(ENV) or Path(tempfile.gettempdir()) / "framework-miner-hosts")


class HostSlots:
    """Reserve `delay`-spaced request slots per host, shared through lock files in `folder`."""

    def __init__(self, folder: Path | None = None, wall: Callable[[], float] = time.time) -> None:
        self.folder = folder or default_dir()
        self.wall = wall

    def reserve(self, host: str, delay: float) -> float:
        """The wall-clock time at which this process may send its request to host (now or
        later); the slot after it is left for the next request from any process."""
        self.folder.mkdir(parents=True, exist_ok=True)
        name = hashlib.sha256(host.encode()).hexdigest()[:16]
        with open(self.folder / name, "a+b") as fh:
            fcntl.flock(fh, fcntl.LOCK_EX)
            try:
                fh.seek(0)
                text = fh.read().decode("ascii", "replace").strip()
                now = self.wall()
                nxt = now
                with contextlib.suppress(ValueError):
                    nxt = float(text) if text else now
                slot = max(now, nxt if nxt < now + 3600 else now)  # ignore a clock jump
                fh.seek(0)
                fh.truncate()
                fh.write(f"{slot + delay:.6f}".encode())
                fh.flush()
            finally:
                fcntl.flock(fh, fcntl.LOCK_UN)
        return slot
