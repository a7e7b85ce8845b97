"""Outcome: what became of one job run by an executor (shared by miner.executor and miner.dask_executor)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

J = TypeVar("J")
R = TypeVar("R")


@dataclass(frozen=True, slots=True)
class Outcome(Generic[J, R]):
    """What became of one job: status `ok` with its result, or `timeout` / `failed` with a message."""

    job: J
    result: R | None
    status: str = "ok"
    error: str | None = None
