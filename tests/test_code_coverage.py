"""Issue 20: README's own-code coverage table is what bench/code_candidates.py measures over the
recorded listings."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from miner.repos.coverage import COLUMNS, candidate_coverage
from miner.sources.pmlr import parse_volume_html
from tests.helpers.recorded import SHARED, shared

ROOT = Path(__file__).resolve().parents[1]


def _bench() -> object:
    spec = importlib.util.spec_from_file_location(
        "code_candidates", ROOT / "bench/code_candidates.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_coverage_counts_repository_links_per_source() -> None:
    (row,) = candidate_coverage(parse_volume_html(shared("pmlr/listing/v97_icml2019.html"), 97))
    assert row == {
        "venue": "ICML",
        "year": 2019,
        "papers": 773,
        "code_links": 518,
        "listing": 502,
        "openreview": 0,
        "arxiv-metadata": 0,
    }


def test_readme_table_is_the_measured_one(capsys: object) -> None:
    shared("pmlr/listing/v97_icml2019.html")  # skips without the recorded listings
    bench = _bench()
    bench.main(["--fixtures", str(SHARED), "--markdown"])  # type: ignore[attr-defined]
    printed = capsys.readouterr().out  # type: ignore[attr-defined]
    readme = (ROOT / "README.md").read_text()
    table = readme.split("<!-- coverage:start -->\n", 1)[1].split("<!-- coverage:end -->", 1)[0]
    assert table == printed
    assert printed.splitlines()[0] == "| " + " | ".join(COLUMNS) + " |"
