"""Stage orchestrators: select pending -> work -> upsert, each run recorded in `runs` (no click).

One module per stage (ingest, crawl, fetch, reparse, extract, classify); `recorded` holds the one
helper that records a run, `leased` the lease-based runs of extract and classify. This package
imports nothing heavy: `miner crawl` never loads PyMuPDF (tests/test_layering.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["PAGE", "Progress", "ScaleOptions", "StageReport"]

Progress = Callable[[int], None]
"""Called with the number of items just finished (a progress bar's update)."""

PAGE = 500
"""Pending papers read from the database at a time."""


@dataclass(slots=True)
class StageReport:
    """What a stage did, as counts (new, updated, unchanged, failed, by status...)."""

    counts: Counter[str] = field(default_factory=Counter)
    figures: dict[str, float] = field(default_factory=dict)
    """Measurements that are not counts (evaluate's F1 scores); recorded beside the counts."""
    checks: list[dict[str, Any]] = field(default_factory=list)
    """Completeness checks (miner.completeness.Check.as_dict) of crawl and reparse runs."""

    def recorded(self) -> dict[str, Any]:
        """What `runs.counts` stores: the counts, the figures and any `completeness` checks."""
        out: dict[str, Any] = {**self.counts, **self.figures}
        if self.checks:
            out["completeness"] = list(self.checks)
        return out

    def summary(self) -> str:
        """One line such as `ok 7, no_text 1`."""
        return ", ".join(f"{k} {v}" for k, v in sorted(self.counts.items())) or "nothing to do"


@dataclass(frozen=True, slots=True)
class ScaleOptions:
    """Where stage functions run: see miner.executor.iter_outcomes."""

    executor: str = "process"
    workers: int = 1
    doc_timeout: float | None = 300.0
    scheduler: Any = None
    max_memory_mb: int | None = 2048
    """Address-space cap of each worker process (process executor); None: no cap."""
