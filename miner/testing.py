"""Stage functions that misbehave on demand, for testing executors and run isolation (no IO).

They live in the package (not in tests/) so worker processes import them as fast as any stage
function: the fork server preloads a function's module only when it is importable by name.
"""

from __future__ import annotations

import os
import signal
import time


def misbehave(job: tuple[str, int]) -> int:
    """("ok", n) -> n*n; "hang" sleeps n s (60 if 0); "exit" exits with code n; "segv" crashes
    with SIGSEGV; "raise" raises ValueError; "pid" returns the worker's process id."""
    kind, n = job
    if kind == "hang":
        time.sleep(n or 60)
    elif kind == "exit":
        os._exit(n)
    elif kind == "segv":
        os.kill(os.getpid(), signal.SIGSEGV)
    elif kind == "raise":
        raise ValueError(f"bad job {n}")
    elif kind == "pid":
        return os.getpid()
    return n * n
