"""The whole shared corpus and the awkward PDFs go through without a crash (skips without shared/)."""

from __future__ import annotations

from pathlib import Path

from conftest import Miner


def test_full_corpus_runs(miner: Miner, corpus: Path) -> None:
    n = len(list((corpus / "pdfs").glob("*.pdf")))
    miner("ingest", str(corpus / "pdfs"), "--venue", "corpus", "--year", "2024")
    miner("extract", "--workers", "2")
    miner("classify", "--all")
    papers = miner.lines("papers", "--json")
    assert len(papers) == n
    assert all(p["status"] == "ok" for p in papers), [p for p in papers if p["status"] != "ok"]
    for key in (
        "id",
        "sha256",
        "file",
        "title",
        "venue",
        "year",
        "status",
        "uses",
        "mentions",
        "code_links",
    ):
        assert key in papers[0]


def test_awkward_pdfs_get_statuses(miner: Miner, corpus: Path) -> None:
    miner("ingest", str(corpus / "awkward"), "--venue", "awkward", "--year", "2000")
    miner("extract", "--workers", "1")
    papers = {p["file"]: p for p in miner.lines("papers", "--json")}
    assert len(papers) == 5
    no_text = sorted(f for f, p in papers.items() if p["status"] == "no_text")
    assert no_text == [
        "awkward-1965-barker-monte-carlo-scanned.pdf",
        "awkward-1995-optimal-scaling-scanned.pdf",
    ]
    assert all(p["status"] in ("ok", "no_text") for p in papers.values())
