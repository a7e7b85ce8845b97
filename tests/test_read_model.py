"""One read model (issue 15): every output counts the same papers the same way.

One database holds every kind of paper: read and classified, classified by one classifier only,
without a text layer (with a stale prediction, as older versions wrote), corrupt, missing its PDF,
never fetched, and ingested after extraction (pending). `tally --json`, `papers --json`,
`export --format json`, report.json, the report's appendix, the notebook frames and Datasette's
`tally_by_venue_year` must agree on every count and denominator.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from classifiers import get_classifier
from db import make_engine
from db.schema import Extraction, Paper, PredictionRow
from db.store import upsert_papers
from miner.records import PaperRecord
from tests.helpers.cli import Miner
from tests.helpers.pdfs import build_pdf

USES = {
    "a-torch.pdf": "We implement our model in PyTorch 1.4. " * 30,
    "b-tf.pdf": "All experiments were implemented in TensorFlow 2. " * 30,
    "c-none.pdf": "We study a theoretical bound for convex losses. " * 30,
    "d-both.pdf": "Our code is written in PyTorch and JAX and released openly. " * 30,
}
Group = tuple[str | None, int | None]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> tuple[Miner, Path]:
    """The database with every kind of paper, classified by rules (all) and the baseline (one)."""
    folder = tmp_path_factory.mktemp("world")
    m = Miner(folder / "w.db", folder / "data")
    pdfs = folder / "pdfs"
    pdfs.mkdir()
    for name, text in USES.items():
        (pdfs / name).write_bytes(build_pdf(pages=[text, text]))
    (pdfs / "e-scan.pdf").write_bytes(build_pdf(pages=["", ""]))  # no text layer
    (pdfs / "f-corrupt.pdf").write_bytes(b"%PDF-1.7\n" + b"\x00garbage" * 50)
    m(
        "ingest",
        str(pdfs / "a-torch.pdf"),
        str(pdfs / "b-tf.pdf"),
        "--venue",
        "ICML",
        "--year",
        "2019",
    )
    m(
        "ingest",
        str(pdfs / "c-none.pdf"),
        str(pdfs / "e-scan.pdf"),
        "--venue",
        "ICML",
        "--year",
        "2019",
    )
    m(
        "ingest",
        str(pdfs / "d-both.pdf"),
        str(pdfs / "f-corrupt.pdf"),
        "--venue",
        "NeurIPS",
        "--year",
        "2020",
    )
    engine = make_engine(str(m.db))
    with Session(engine) as s:  # listed by a crawl: one download failed, one never fetched
        upsert_papers(
            s,
            [
                PaperRecord(
                    source="test", source_id="gone", venue="NeurIPS", year=2020, title="Gone"
                ),
                PaperRecord(
                    source="test", source_id="later", venue="ICML", year=2019, title="Later"
                ),
            ],
        )
        s.query(Paper).filter_by(source_id="gone").update(
            {"fetch_status": "failed", "fetch_error": "HTTP 404"}
        )
        s.commit()
    m("extract", "--workers", "1")
    m("classify", "--classifier", "rules")
    m("classify", "--classifier", "keyword-baseline", "--limit", "1")
    late = folder / "late"
    late.mkdir()
    (late / "g-late.pdf").write_bytes(build_pdf(pages=[USES["a-torch.pdf"]]))
    m("ingest", str(late), "--venue", "NeurIPS", "--year", "2020")  # pending: not extracted
    rules = get_classifier("rules")
    with Session(engine) as s:  # a stale verdict on the scan, as classify wrote before #15
        scan = s.query(Extraction).filter(Extraction.status == "no_text").one()
        s.query(PredictionRow).filter_by(paper_id=scan.paper_id).delete()
        s.add(
            PredictionRow(
                paper_id=scan.paper_id,
                classifier=rules.NAME,
                classifier_version=rules.VERSION,
                framework="pytorch",
                label="uses",
                confidence=0.9,
                extractor_version=scan.extractor_version,
            )
        )
        s.commit()
    engine.dispose()
    m("report", "-o", str(folder / "report"))
    return m, folder


def tally_counts(rows: list[dict[str, Any]]) -> dict[Group, dict[str, Any]]:
    """Per group: denominators and uses per framework (with (none)/(undetermined)) of tally rows."""
    out: dict[Group, dict[str, Any]] = {}
    for r in rows:
        g = out.setdefault(
            (r["venue"], r["year"]),
            {k: r[k] for k in ("papers", "with_pdf", "extracted_ok", "failed", "classified")},
        )
        g[r["framework"]] = r["uses"]
    return out


def paper_counts(papers: list[dict[str, Any]]) -> dict[Group, dict[str, Any]]:
    """The same figures counted from one record per paper (papers or export)."""
    out: dict[Group, dict[str, Any]] = {}
    for p in papers:
        g = out.setdefault(
            (p["venue"], p["year"]),
            {"papers": 0, "with_pdf": 0, "extracted_ok": 0, "failed": 0, "classified": 0},
        )
        g["papers"] += 1
        g["with_pdf"] += p["sha256"] is not None
        g["extracted_ok"] += p["status"] == "ok"
        g["failed"] += p["status"] not in ("ok", "pending", "no_pdf", "missing_pdf")
        g["classified"] += p["classified"]
        uses = [v["framework"] for v in p.get("verdicts", []) if v["label"] == "uses"]
        uses = p.get("uses", uses)
        for fw in uses:
            g[fw] = g.get(fw, 0) + 1
        if p["classified"] and not uses:
            g["(none)"] = g.get("(none)", 0) + 1
        if not p["classified"]:
            g["(undetermined)"] = g.get("(undetermined)", 0) + 1
    for g in out.values():
        g.setdefault("(none)", 0)
        g.setdefault("(undetermined)", 0)
    return out


def test_every_output_agrees(world: tuple[Miner, Path]) -> None:
    m, folder = world
    tallied = tally_counts(m.json("tally", "--by", "venue,year"))  # type: ignore[arg-type]
    assert tallied[("ICML", 2019)]["papers"] == 5
    assert tallied[("ICML", 2019)]["classified"] == 3  # a, b, c; not the scan nor `later`
    assert tallied[("NeurIPS", 2020)]["failed"] == 1  # the corrupt file
    listed = m.lines("papers", "--nl")
    assert paper_counts(listed) == tallied
    exported = json.loads(m("export", "--format", "json").stdout)
    assert paper_counts(exported) == tallied
    report = json.loads((folder / "report" / "report.json").read_text())
    assert tally_counts(report["by_venue_year"]) == tallied
    pytest.importorskip("pandas")
    from miner.analysis import papers_frame, tally_frame

    frame = tally_frame(str(m.db), by="venue,year")
    assert tally_counts(frame.to_dict("records")) == tallied
    pf = papers_frame(str(m.db))
    assert pf.groupby(["venue", "year"])["paper_id"].nunique().to_dict() == {
        g: c["papers"] for g, c in tallied.items()
    }


def test_datasette_tally_is_the_same_query(world: tuple[Miner, Path]) -> None:
    """Every row of `tally --by venue,year`, (none) and (undetermined) too, with its interval
    and denominators, as Datasette's canned query gives it (the CLI table's 3 decimals)."""
    m, _ = world
    meta = json.loads(m("serve", "--metadata").stdout)
    sql = meta["databases"]["w"]["queries"]["tally_by_venue_year"]["sql"]
    cols = ("uses", "share", "share_low", "share_high", "papers", "classified", "with_any")

    def key(r: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(round(r[c], 3) if isinstance(r[c], float) else r[c] for c in cols)

    tallied = m.json("tally", "--by", "venue,year")
    want = [((r["venue"], r["year"], r["framework"]), key(r)) for r in tallied]  # type: ignore[union-attr]
    with sqlite3.connect(m.db) as conn:
        conn.row_factory = sqlite3.Row
        rows = [dict(r) for r in conn.execute(sql, {"venue": "", "year": ""})]
        lower = conn.execute(sql, {"venue": "icml", "year": "2019"}).fetchall()
    got = [((r["venue"], r["year"], r["framework"]), key(r)) for r in rows]
    assert got == want
    assert {tuple(r)[:3] for r in lower} == {k for k, _ in want if k[:2] == ("ICML", 2019)}


def test_report_appendix_backs_every_linked_count(world: tuple[Miner, Path]) -> None:
    """Every linked count in report.md has its appendix entry, listing that many papers."""
    _, folder = world
    md = (folder / "report" / "report.md").read_text()
    links = {aid: n for n, aid in re.findall(r"\[(\d+)\]\(#([a-z0-9-]+)\)", md)}
    sections = re.split(r'<a id="([a-z0-9-]+)"></a>', md)
    entries = {sections[i]: sections[i + 1] for i in range(1, len(sections), 2)}
    assert links and set(links) == set(entries)
    for aid, count in links.items():
        assert f": {count} paper(s)" in entries[aid]
    undetermined = next(a for a in links if a.endswith("undetermined"))
    assert "e-scan.pdf" in entries[undetermined] or "no_text" in entries[undetermined]


def test_status_counts_only_ok_extractions_as_classified(world: tuple[Miner, Path]) -> None:
    m, _ = world
    stages = m.json("status")["stages"]  # type: ignore[index]
    rules = get_classifier("rules")
    assert stages[f"classify rules {rules.VERSION}"] == {"done": 4, "pending": 0}
    base = get_classifier("keyword-baseline")
    assert stages[f"classify keyword-baseline {base.VERSION}"]["pending"] == 3
    statuses = Counter(p["status"] for p in m.lines("papers", "--nl"))
    assert statuses == {
        "ok": 4,
        "no_text": 1,
        "corrupt": 1,
        "missing_pdf": 1,
        "no_pdf": 1,
        "pending": 1,
    }


@pytest.mark.parametrize("command", ["export", "report", "plot", "papers", "tally"])
def test_every_filtered_command_refuses_an_unknown_venue(
    world: tuple[Miner, Path], command: str, tmp_path: Path
) -> None:
    m, _ = world
    args = {
        "report": ["report", "-o", str(tmp_path / "r")],
        "plot": ["plot", "trend", "-o", str(tmp_path / "t.png")],
    }.get(command, [command])
    result = m(*args, "--venue", "Nope", ok=False)
    assert result.exit_code == 2
    assert "unknown venue 'Nope'" in result.stderr
    assert not list(tmp_path.iterdir())


def test_show_says_what_papers_says(world: tuple[Miner, Path]) -> None:
    m, _ = world
    for row in m.lines("papers", "--nl"):
        detail = m.json("show", str(row["id"]))
        assert detail["status"] == row["status"], row["file"] or row["title"]  # type: ignore[index]


def test_no_duplicate_evidence_rows(demo_db: Path) -> None:
    """Issue 16: 23 of 342 evidence rows repeated a passage already quoted for that verdict."""
    with sqlite3.connect(demo_db) as conn:
        dup = conn.execute(
            "SELECT paper_id, classifier, framework, lower(snippet), count(*) FROM evidence "
            "GROUP BY 1, 2, 3, 4 HAVING count(*) > 1"
        ).fetchall()
        total = conn.execute("SELECT count(*) FROM evidence").fetchone()[0]
    assert total > 50 and dup == []


def test_titles_carry_no_margin_line_numbers(demo_db: Path) -> None:
    with sqlite3.connect(demo_db) as conn:
        titles = [t for (t,) in conn.execute("SELECT title FROM extractions") if t]
    assert len(titles) == 8
    assert not [t for t in titles if re.search(r" \d$| \d \w", t)], titles
