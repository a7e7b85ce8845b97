"""The whole shared corpus and the awkward PDFs go through without a crash (skips without shared/)."""

from __future__ import annotations

from pathlib import Path

from tests.helpers.cli import Miner
from tests.helpers.paths import CORPUS


def test_full_corpus_runs(corpus_db: Path, tmp_path: Path) -> None:
    """`corpus_db` ran ingest, `extract --workers 2` and `classify --all` on the whole corpus."""
    n = len(list((CORPUS / "pdfs").glob("*.pdf")))
    papers = Miner(corpus_db, tmp_path / "data").lines("papers", "--nl")
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
    papers = {p["file"]: p for p in miner.lines("papers", "--nl")}
    assert len(papers) == 5
    no_text = sorted(f for f, p in papers.items() if p["status"] == "no_text")
    assert no_text == [
        "awkward-1965-barker-monte-carlo-scanned.pdf",
        "awkward-1995-optimal-scaling-scanned.pdf",
    ]
    assert all(p["status"] in ("ok", "no_text") for p in papers.values())
