"""Peak memory of a process tree, sampled (psutil): what a run really holds at once (#18).

`ru_maxrss` only gives the largest single process; a run with two workers holds both at once, so
the tree's RSS is summed every `every` seconds while it runs.
"""

from __future__ import annotations

import subprocess
import threading
import time

import psutil


class TreePeak:
    """Samples the summed RSS of a process and its descendants until stopped; `peak_mb`."""

    def __init__(self, pid: int, every: float = 0.02) -> None:
        self.root = psutil.Process(pid)
        self.every = every
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                procs = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                return
            for proc in procs:
                try:
                    total += proc.memory_info().rss
                except psutil.Error:
                    continue
            self.peak = max(self.peak, total)
            time.sleep(self.every)

    @property
    def peak_mb(self) -> float:
        return self.peak / (1 << 20)

    def __enter__(self) -> TreePeak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


def run_measured(
    proc: subprocess.Popen[bytes], timeout: float = 240
) -> tuple[int, float, float, str]:
    """Wait for proc; (exit code, peak tree RSS in MB, seconds taken, stderr).

    The timeout is a hang guard (the process is killed), not a speed assertion.
    """
    started = time.monotonic()
    with TreePeak(proc.pid) as peak:
        try:
            _, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            _, err = proc.communicate()
    return proc.returncode, peak.peak_mb, time.monotonic() - started, err.decode(errors="replace")
