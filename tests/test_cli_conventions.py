"""CLI conventions a newcomer relies on (issue 16): a mistyped --db is refused, not created;
global options after the command are explained; one output convention for data commands."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from tests.helpers.cli import Miner

READ_COMMANDS = [
    ["tally"],
    ["status"],
    ["papers"],
    ["report", "-o", "rep"],
    ["export"],
    ["show", "1"],
    ["classify"],
    ["extract"],
    ["fetch"],
    ["plot", "trend", "-o", "t.png"],
]


@pytest.mark.parametrize("args", READ_COMMANDS, ids=lambda a: a[0])
def test_a_missing_database_is_refused_and_not_created(
    tmp_path: Path, args: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = Miner(tmp_path / "nope.db", tmp_path / "data")(*args, ok=False)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "no database at" in result.stderr
    assert "miner --db" in result.stderr  # says how to make one
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_creating_commands_still_start_a_database(tmp_path: Path) -> None:
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    Miner(tmp_path / "new.db", tmp_path / "data")("ingest", str(pdfs))
    assert (tmp_path / "new.db").is_file()


def test_global_option_after_the_command_is_explained(demo_db: Path, tmp_path: Path) -> None:
    result = Miner(demo_db, tmp_path / "data")("tally", "--db", str(demo_db), ok=False)
    assert result.exit_code == 2
    assert "--db is a global option: put it before the command" in result.stderr
    assert "Did you mean" not in result.stderr


def test_json_is_one_array_and_nl_one_object_per_line(demo_db: Path, tmp_path: Path) -> None:
    m = Miner(demo_db, tmp_path / "data")
    for command in (["papers"], ["tally"], ["repos", "--show"]):
        array = json.loads(m(*command, "--json").stdout)
        lines = [json.loads(line) for line in m(*command, "--nl").stdout.splitlines()]
        assert isinstance(array, list) and array == lines, command
    rows = list(csv.DictReader(io.StringIO(m("papers", "--csv").stdout)))
    assert len(rows) == len(m.json("papers")) == 8  # type: ignore[arg-type]
    exported = m("export", "--format", "nl").stdout.splitlines()
    assert [json.loads(x)["paper_id"] for x in exported] == [p["id"] for p in m.json("papers")]  # type: ignore[union-attr]


def test_repeatable_framework_filter(demo_db: Path, tmp_path: Path) -> None:
    m = Miner(demo_db, tmp_path / "data")
    rows = m.json("tally", "--by", "all", "--framework", "jax", "--framework", "pytorch")
    assert {r["framework"] for r in rows} == {"jax", "pytorch"}  # type: ignore[index]


def test_export_creates_missing_folders(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "a" / "b" / "papers.json"
    Miner(demo_db, tmp_path / "data")("export", "--format", "json", "-o", str(out))
    assert len(json.loads(out.read_text())) == 8


def test_steps_out_of_order_say_what_to_run(tmp_path: Path) -> None:
    from tests.helpers.pdfs import build_pdf

    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    for i in range(2):
        (pdfs / f"p{i}.pdf").write_bytes(
            build_pdf(pages=[f"Paper {i} is implemented in JAX. " * 20])
        )
    m = Miner(tmp_path / "m.db", tmp_path / "data")
    m("ingest", str(pdfs))
    result = m("classify")
    assert "nothing to do (2 papers await extraction: run `miner extract`)" in result.stderr
    assert "ingest: updated 2" in m("ingest", str(pdfs), "--venue", "ICML").stderr
    assert "ingest: unchanged 2" in m("ingest", str(pdfs), "--venue", "ICML").stderr
    m("extract", "--workers", "1")
    stages = m.json("status")["stages"]  # type: ignore[index]
    assert [k for k in stages if k.startswith("classify ")] == [
        f"classify {_v(n)}" for n in ("keyword-baseline", "model", "rules")
    ]
    warned = m("tally", "--signals", "repo").stderr
    assert "run `miner repos`" in warned and "--classifier repo" not in warned


def _v(name: str) -> str:
    from classifiers import identify

    return f"{name} {identify(name).VERSION}"
