"""`miner show` and `miner evaluate-links` on generated PDFs (issue 3)."""

from __future__ import annotations

import hashlib
from pathlib import Path

from sqlalchemy import create_engine, inspect, text

from db.migrations import apply
from miner.gold import GoldPaper
from miner.linkeval import PaperLinks, evaluate_links
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf


def _corpus(tmp_path: Path, make_pdf: MakePdf) -> Path:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "alpha.pdf").write_bytes(
        make_pdf(
            pages=[
                "Alpha Title\n\nAbstract\nOur code is available at https://github.com/alice/alpha.",
                "1 Introduction\nWe build on https://github.com/pytorch/pytorch here."
                "\n\nReferences\n[1] B. Bob. Tool. https://github.com/bob/tool",
            ]
        )
    )
    (folder / "beta.pdf").write_bytes(make_pdf(pages=["Beta. " * 30]))
    (folder / "broken.pdf").write_bytes(b"")
    return folder


def test_show_prints_sections_links_and_status(
    miner: Miner, tmp_path: Path, make_pdf: MakePdf
) -> None:
    miner("ingest", str(_corpus(tmp_path, make_pdf)))
    miner("extract", "--workers", "1")
    detail = miner.json("show", "alpha.pdf")
    assert isinstance(detail, dict)
    assert detail["status"] == "ok" and detail["pages"] == 2
    assert [s["section"] for s in detail["sections"]] == ["front", "body", "references"]
    assert detail["sections"][0]["first_page"] == 1 and detail["sections"][-1]["last_page"] == 2
    links = {lk["url"]: lk for lk in detail["links"]}
    assert links["https://github.com/alice/alpha"]["own"] is True
    assert links["https://github.com/pytorch/pytorch"]["kind"] == "framework"
    assert links["https://github.com/bob/tool"]["section"] == "references"
    assert detail["official_code"] == "https://github.com/alice/alpha"
    table = miner("show", "alpha").stdout
    assert "official:  https://github.com/alice/alpha" in table and "references" in table
    assert miner.json("show", "broken.pdf")["status"] == "empty"  # type: ignore[index]


def test_show_unknown_paper_is_a_usage_error(miner: Miner) -> None:
    result = miner.create()("show", "nope.pdf", ok=False)
    assert result.exit_code == 2 and "no paper" in result.output


def test_evaluate_links_reports_precision_recall_and_misses(
    miner: Miner, tmp_path: Path, make_pdf: MakePdf
) -> None:
    folder = _corpus(tmp_path, make_pdf)
    miner("ingest", str(folder))
    miner("extract", "--workers", "1")
    sha = hashlib.sha256((folder / "beta.pdf").read_bytes()).hexdigest()
    gold = tmp_path / "gold.csv"
    gold.write_text(
        "slug,sha256,code_links,official_code\n"
        "alpha,,https://github.com/Alice/alpha;https://github.com/bob/tool;"
        "https://github.com/pytorch/pytorch;https://github.com/carol/missing,"
        "https://github.com/alice/alpha\n"
        f"other-name,{sha},,https://github.com/x/y\n"
        "gamma,,,\n"
    )
    out = miner.json("evaluate-links", "--gold", str(gold))
    assert isinstance(out, dict)
    assert (out["papers"], out["tp"], out["fp"], out["fn"]) == (2, 3, 0, 1)
    assert out["recall"] == 0.75 and out["precision"] == 1.0
    assert out["official_accuracy"] == 0.5 and out["not_found"] == ["gamma"]
    misses = {(m["paper"], m["miss"]) for m in out["misses"]}
    assert misses == {("alpha", "false_negative"), ("other-name", "official_code")}
    table = miner("evaluate-links", "--gold", str(gold)).stdout
    assert "false_negative" in table and "https://github.com/carol/missing" in table


def test_papers_json_code_links_are_the_set_evaluate_links_scores(
    miner: Miner, tmp_path: Path, make_pdf: MakePdf
) -> None:
    """Issue 13: `papers --json` dropped framework repositories that evaluate-links scores."""
    from db import make_engine
    from miner.show import found_links

    miner("ingest", str(_corpus(tmp_path, make_pdf)))
    miner("extract", "--workers", "1")
    papers = miner.lines("papers", "--nl")
    listed = {
        Path(str(p["file"])).stem: {str(u).lower() for u in p["code_links"]}  # type: ignore[attr-defined]
        for p in papers
    }
    engine = make_engine(str(miner.db))
    scored = {pl.name: set(pl.code_links) for pl in found_links(engine).values()}
    engine.dispose()
    assert (
        listed["alpha"]
        == scored["alpha"]
        == {
            "https://github.com/alice/alpha",
            "https://github.com/pytorch/pytorch",
            "https://github.com/bob/tool",
        }
    )
    assert {k: v for k, v in listed.items() if k in scored} == scored


def test_evaluate_links_needs_the_columns(miner: Miner, tmp_path: Path) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_text("slug,uses\na,pytorch\n")
    result = miner("evaluate-links", "--gold", str(gold), ok=False)
    assert result.exit_code == 2 and "code_links" in result.output


def test_scores_are_micro_averaged() -> None:
    def g(slug: str, links: str, official: str) -> GoldPaper:
        return GoldPaper(
            slug, "", frozenset(), frozenset(), official, frozenset(links.split(";")) - {""}
        )

    found = {
        "1": PaperLinks("1", "a", frozenset({"https://github.com/a/b", "https://github.com/c/d"})),
        "2": PaperLinks("2", "b", frozenset(), official=""),
    }
    s = evaluate_links([g("a", "https://github.com/a/b", ""), g("b", "", "")], found)
    assert (s.tp, s.fp, s.fn, s.precision, s.recall, s.official_accuracy) == (1, 1, 0, 0.5, 1, 1)


def test_migration_adds_link_columns_to_an_old_database(tmp_path: Path) -> None:
    engine = create_engine(f"sqlite:///{tmp_path / 'old.db'}")
    with engine.begin() as conn:
        apply(conn)
        conn.execute(text("ALTER TABLE links DROP COLUMN context"))
        conn.execute(text("ALTER TABLE links DROP COLUMN footnote"))
        conn.execute(text("DELETE FROM schema_migrations WHERE name = '0004_issue3_link_context'"))
    with engine.begin() as conn:
        assert apply(conn) == ["0004_issue3_link_context"]
        cols = {c["name"] for c in inspect(conn).get_columns("links")}
    assert {"context", "footnote"} <= cols
