"""The headline uses the code (issue 14, item 4): after `miner repos`, tally, papers, export,
report.json and the notebook frames count the combined verdict by default and agree, with who
decided per framework and why `(none)`. The repositories are the replicas of the corpus's
(`repo_replicas`), read by the real CLI through git's insteadOf rewriting."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import RepoReplicas
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf

# file -> (text, own code link): keras code behind a silent text, code in no listed framework,
# a TensorFlow text with TensorFlow code, no code at all, and a repository that does not exist.
PAPERS = {
    "a-keras.pdf": ("We propose a model for dialogue.", "https://github.com/golsun/StyleFusion"),
    "b-other.pdf": ("We study a Metropolis test.", "https://github.com/DanielTakeshi/New_MH_Test"),
    "c-tf.pdf": ("We implemented it in TensorFlow.", "https://github.com/zhengchuanpan/GMAN"),
    "d-nocode.pdf": ("A theoretical note on convex losses.", ""),
    "e-gone.pdf": ("We propose a new loss.", "https://github.com/nobody/vanished"),
}


@pytest.fixture
def analysed(
    github_replicas: RepoReplicas, miner: Miner, tmp_path: Path, make_pdf: MakePdf
) -> Miner:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name, (text, link) in PAPERS.items():
        code = f"\nOur code is available at {link}" if link else ""
        (folder / name).write_bytes(make_pdf(pages=[f"Title\n\n{text}{code}\n" * 3]))
    miner("ingest", str(folder), "--venue", "T", "--year", "2020")
    miner("extract", "--workers", "1")
    miner("classify")
    assert miner("tally", "--json").stderr.find("combined") == -1  # no repos yet: text
    miner("repos", "--backend", "git", "--delay", "0")
    return miner


def by_framework(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["framework"]: r for r in rows}


def test_outputs_default_to_the_combined_verdict_and_agree(analysed: Miner, tmp_path: Path) -> None:
    out = analysed("tally", "--by", "all", "--json")
    assert "counting the combined verdict" in out.stderr
    rows = by_framework(json.loads(out.stdout))
    assert {r["classifier"] for r in rows.values()} == {"combined"}
    papers = json.loads(analysed("papers", "--json").stdout)
    explicit = json.loads(analysed("papers", "--classifier", "combined", "--json").stdout)
    assert papers == explicit
    uses = {p["file"]: p["uses"] for p in papers}
    assert uses["a-keras.pdf"] == ["keras"] and uses["c-tf.pdf"] == ["tensorflow"]
    assert uses["b-other.pdf"] == [] and uses["d-nocode.pdf"] == []
    for fw in ("keras", "tensorflow"):
        assert rows[fw]["uses"] == sum(fw in u for u in uses.values())
    assert rows["keras"]["decided_by_code"] == 1 and rows["keras"]["decided_by_text"] == 0
    assert rows["tensorflow"]["decided_by_both"] == 1 and rows["tensorflow"]["disagree"] == 0
    none = rows["(none)"]
    assert none["uses"] == 3
    assert (
        none["none_no_listed_framework_in_code"],
        none["none_no_own_code"],
        none["none_not_analysed"],
    ) == (1, 2, 0)
    analysed("report", "-o", str(tmp_path / "report"))
    report = json.loads((tmp_path / "report" / "report.json").read_text())
    assert "combined" in json.dumps(report)
    from miner.analysis import tally_frame

    frame = tally_frame(str(analysed.db), by="all")
    assert dict(zip(frame["framework"], frame["uses"], strict=True)) == {
        fw: r["uses"] for fw, r in rows.items()
    }
    text = by_framework(
        json.loads(analysed("tally", "--by", "all", "--classifier", "rules", "--json").stdout)
    )
    assert "keras" not in text and text["(none)"]["uses"] == 4
    assert "decided_by_text" not in text["(none)"]


def test_datasette_tally_shows_who_decided(analysed: Miner) -> None:
    """Datasette's tally of the combined verdict carries the same who-decided and (none)
    columns as `miner tally --by venue,year`, and its papers and evidence queries answer."""
    import sqlite3

    meta = json.loads(analysed("serve", "--metadata").stdout)
    queries = meta["databases"][analysed.db.stem]["queries"]
    assert "Combined verdict" in queries["tally_by_venue_year"]["description"]
    cols = ["uses", "decided_by_text", "decided_by_code", "decided_by_both", "disagree"]
    cols += ["none_no_listed_framework_in_code", "none_no_own_code", "none_not_analysed"]
    want = {
        r["framework"]: [r[c] for c in cols] for r in analysed.json("tally", "--by", "venue,year")
    }
    with sqlite3.connect(analysed.db) as conn:
        conn.row_factory = sqlite3.Row
        sql = queries["tally_by_venue_year"]["sql"]
        got = {
            r["framework"]: [r[c] for c in cols]
            for r in conn.execute(sql, {"venue": "", "year": ""})
        }
        using = conn.execute(
            queries["papers_using"]["sql"], {"framework": "keras", "venue": "", "year": ""}
        ).fetchall()
        evidence = conn.execute(
            queries["paper_evidence"]["sql"], {"paper_id": using[0]["paper_id"]}
        ).fetchall()
    assert got == want
    assert got["keras"][:3] == [1, 0, 1] and got["(none)"][-3:] == [1, 2, 0]
    assert len(using) == 1
    assert any(e["framework"] == "keras" and e["label"] == "uses" for e in evidence)
