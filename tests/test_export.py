"""Export (issue #6): papers with verdicts and evidence as CSV, JSON and Parquet agree with the
tally and with each other."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers.cli import Miner


def test_json_csv_and_tally_agree(demo_db: Path, tmp_path: Path) -> None:
    m = Miner(demo_db, tmp_path / "data")
    papers = json.loads(m("export", "--format", "json").stdout)
    assert len(papers) == 8 and all(p["classified"] for p in papers)
    uses = [
        (p["paper_id"], v["framework"])
        for p in papers
        for v in p["verdicts"]
        if v["label"] == "uses"
    ]
    assert all(v["evidence"] for p in papers for v in p["verdicts"] if v["label"] == "uses"), (
        "every use has evidence"
    )
    tally = m.json("tally", "--by", "all")
    counted = {r["framework"]: r["uses"] for r in tally if not r["framework"].startswith("(")}
    assert sum(counted.values()) == len(uses)
    rows = list(csv.DictReader(io.StringIO(m("export").stdout)))
    assert sorted(
        (int(r["paper_id"]), r["framework"]) for r in rows if r["label"] == "uses"
    ) == sorted(uses)
    assert {r["classifier"] for r in rows} == {"rules"}
    first = next(r for r in rows if r["label"] == "uses")
    assert json.loads(first["evidence"])[0]["snippet"]


def test_parquet(demo_db: Path, tmp_path: Path) -> None:
    pq = pytest.importorskip("pyarrow.parquet")
    m = Miner(demo_db, tmp_path / "data")
    m("export", "--format", "parquet", "-o", str(tmp_path / "p.parquet"))
    table = pq.read_table(tmp_path / "p.parquet")
    csv_rows = list(csv.DictReader(io.StringIO(m("export").stdout)))
    assert table.num_rows == len(csv_rows)
    assert str(table.schema.field("year").type) == "int64"
    bad = m("export", "--format", "parquet", ok=False)
    assert bad.exit_code == 2 and "--output" in bad.stderr


def test_export_filters_and_file_output(demo_db: Path, tmp_path: Path) -> None:
    m = Miner(demo_db, tmp_path / "data")
    m("export", "--format", "csv", "--venue", "JOSS", "-o", str(tmp_path / "j.csv"))
    rows = list(csv.DictReader(io.StringIO((tmp_path / "j.csv").read_text())))
    assert {r["venue"] for r in rows} == {"JOSS"} and len({r["paper_id"] for r in rows}) == 5
