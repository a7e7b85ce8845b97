"""The same stage functions on a Dask distributed cluster (a LocalCluster on loopback) (#7)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from miner.executor import iter_outcomes
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf

distributed = pytest.importorskip(
    "distributed", reason="needs the scale extra: pip install -e '.[scale]'"
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning", "ignore::ResourceWarning")


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """Address of a small in-process cluster (threads, loopback only, no dashboard)."""
    cluster = distributed.LocalCluster(
        n_workers=1,
        threads_per_worker=2,
        processes=False,
        dashboard_address=None,
        host="127.0.0.1",
        protocol="tcp",
        scheduler_port=0,
    )
    try:
        yield cluster.scheduler_address
    finally:
        cluster.close()


def slow_square(n: int) -> int:
    if n < 0:
        time.sleep(-n)
    if n == 13:
        raise ValueError("unlucky")
    return n * n


def test_dask_outcomes_timeouts_and_errors(scheduler: str) -> None:
    got = {
        o.job: (o.status, o.result)
        for o in iter_outcomes(
            slow_square, [1, 2, 13, -3, 4], executor="dask", scheduler=scheduler, timeout=1.0
        )
    }
    assert got == {
        1: ("ok", 1),
        2: ("ok", 4),
        13: ("failed", None),
        -3: ("timeout", None),
        4: ("ok", 16),
    }


def test_extract_and_classify_on_dask_match_local(
    scheduler: str, tmp_path: Path, make_pdf: MakePdf
) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for i in range(4):
        (folder / f"p{i}.pdf").write_bytes(
            make_pdf(pages=[f"Paper {i}. " + "We implemented the model in PyTorch 2.1. " * 4])
        )
    (folder / "bad.pdf").write_bytes(b"not a pdf")
    results = []
    for name, opts in (
        ("dask", ["--executor", "dask", "--scheduler", scheduler]),
        ("local", ["--workers", "1"]),
    ):
        m = Miner(tmp_path / f"{name}.db", tmp_path / "data")
        m("ingest", str(folder), "--venue", "V", "--year", "2022")
        m("extract", *opts)
        m("classify", *opts)
        results.append(
            sorted((p["file"], p["status"], tuple(p["uses"])) for p in m.lines("papers", "--nl"))
        )
    assert results[0] == results[1]
    assert ("p0.pdf", "ok", ("pytorch",)) in results[0] and ("bad.pdf", "not_pdf", ()) in results[0]


def test_dask_without_scheduler_is_a_one_line_error(miner: Miner, make_pdf: MakePdf) -> None:
    result = miner("extract", "--executor", "dask", ok=False)
    assert result.exit_code == 2 and "--scheduler" in result.stderr
