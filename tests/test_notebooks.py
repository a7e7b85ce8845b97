"""Notebooks (issue #6): saved without outputs, and executed against the demo database with
figures that agree with `miner tally --json` and `miner report`."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from tests.helpers.cli import Miner
from tests.helpers.paths import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
KEYS = ("venue", "year", "framework", "uses", "classified", "share")


def figures(rows: list[dict[str, object]]) -> list[tuple[object, ...]]:
    """The compared fields; shares rounded to 12 digits (JSON float printing differs in the last)."""
    return [
        tuple(round(v, 12) if isinstance(v, float) else v for v in (r[k] for k in KEYS))
        for r in rows
    ]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_saved_without_outputs(path: Path) -> None:
    nb = json.loads(path.read_text())
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_notebook_figures_match_tally_and_report(
    demo_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    pytest.importorskip("nbclient")
    from nbclient import NotebookClient

    nb = nbformat.read(ROOT / "notebooks" / "framework_trends.ipynb", as_version=4)
    monkeypatch.setenv("MINER_DB", str(demo_db))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    NotebookClient(
        nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
    ).execute()
    cell = next(c for c in nb.cells if "figures" in c.metadata.get("tags", []))
    printed = "".join(o.get("text", "") for o in cell.outputs if o.output_type == "stream")
    printed_figures = json.loads(printed)
    m = Miner(demo_db, tmp_path / "data")
    m("report", "-o", str(tmp_path / "r"))
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    for by, name in (("venue", "by_venue"), ("venue,year", "by_venue_year")):
        notebook = figures(printed_figures[name])
        cli = figures(m.json("tally", "--by", by))  # type: ignore[arg-type]
        assert notebook == cli == figures(report[name]), name
        assert len(notebook) > 4 and any(row[3] for row in notebook)
    shares = {row[5] for row in figures(printed_figures["by_venue"])}
    assert any(s not in (None, 0.0, 1.0) for s in shares)  # fractions, not only 0/1, compared
    errors = [o for c in nb.cells for o in c.get("outputs", []) if o.output_type == "error"]
    assert errors == []
