"""Metrics against gold: per-framework P/R/F1, micro/macro F1, confusion, wrong papers; the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from miner.errors import UsageError
from miner.evaluate import score_predictions
from miner.gold import GoldPaper
from miner.records import Evidence, Prediction
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf


def gold(slug: str, uses: set[str], mentions: set[str] = frozenset()) -> GoldPaper:  # type: ignore[assignment]
    return GoldPaper(slug, "", frozenset(uses), frozenset(mentions), "", frozenset())


def pred(fw: str, label: str) -> Prediction:
    return Prediction(fw, label, 0.9, (Evidence(2, "body", f"... {fw} ...", "cue:test", fw),))


def test_scores_per_framework_micro_macro_and_confusion() -> None:
    g = [
        gold("a", {"pytorch"}),
        gold("b", {"tensorflow"}, {"pytorch"}),
        gold("c", set()),
        gold("d", {"pytorch", "jax"}),
    ]
    p = {
        "a": [pred("pytorch", "uses")],
        "b": [pred("tensorflow", "uses"), pred("pytorch", "uses")],  # pytorch: FP (mentions)
        "c": [pred("keras", "mentions")],
        "d": [pred("pytorch", "uses"), pred("jax", "mentions")],  # jax: FN
    }
    r = score_predictions("rules", g, p)
    by = {s.framework: s for s in r.per_framework}
    assert (by["pytorch"].tp, by["pytorch"].fp, by["pytorch"].fn) == (2, 1, 0)
    assert by["pytorch"].precision == pytest.approx(2 / 3) and by["pytorch"].recall == 1.0
    assert (by["jax"].tp, by["jax"].fn) == (0, 1) and by["jax"].f1 == 0.0
    assert by["tensorflow"].f1 == 1.0
    # micro: tp 3, fp 1, fn 1 -> 0.75; macro over the three frameworks some gold paper uses
    assert r.micro_f1 == pytest.approx(0.75)
    assert r.macro_f1 == pytest.approx((0.8 + 0.0 + 1.0) / 3)
    assert r.confusion["mentions"]["uses"] == 1 and r.confusion["uses"]["mentions"] == 1
    assert r.confusion["absent"]["mentions"] == 1
    assert sum(sum(row.values()) for row in r.confusion.values()) == 4 * 14
    wrong = {(w["paper"], w["framework"]) for w in r.wrong}
    assert wrong == {("b", "pytorch"), ("d", "jax")}
    assert r.wrong[0]["evidence"][0]["rule"] == "cue:test"


def test_papers_without_predictions_are_skipped() -> None:
    r = score_predictions("rules", [gold("a", {"pytorch"}), gold("z", {"jax"})], {"a": []})
    assert r.papers == 1 and r.micro_f1 == 0.0
    assert [s.framework for s in r.per_framework] == ["pytorch"]


PAPERS = {
    "p-torch": ["We implemented our model in PyTorch and trained it on one GPU."],
    "p-tf": ["Our code is written with TensorFlow 1.4 on TPUs. Unlike MXNet, it is static."],
    "p-none": ["We prove a regret bound for Thompson sampling in bandits with many arms."],
    "p-both": ["Unlike PyTorch, our library is implemented in JAX and runs on TPUs."],
}
GOLD_CSV = (
    "slug,sha256,uses,mentions_only,official_code,code_links\n"
    "p-torch,,pytorch,,,\n"
    "p-tf,,tensorflow,mxnet,,\n"
    "p-none,,,,,\n"
    "p-both,,jax,pytorch,,\n"
)


@pytest.fixture
def gold_db(miner: Miner, make_pdf: MakePdf, tmp_path: Path) -> Path:
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    for slug, pages in PAPERS.items():
        # a title and heading first: extractor v2 takes a lone first-page sentence for the title
        first = f"A Study Named {slug}\n\n1 Introduction\n{pages[0]}"
        (pdfs / f"{slug}.pdf").write_bytes(make_pdf([first, *pages[1:]]))
    miner("ingest", str(pdfs), "--venue", "t")
    miner("extract", "--workers", "1")
    path = tmp_path / "gold.csv"
    path.write_text(GOLD_CSV)
    return path


def test_cli_evaluate_json_side_by_side(miner: Miner, gold_db: Path) -> None:
    out = json.loads(miner("evaluate", "--gold", str(gold_db), "--json").stdout)
    assert out["papers_evaluated"] == 4
    clf, base = out["classifier"], out["baseline"]
    assert clf["classifier"] == "rules" and base["classifier"] == "keyword-baseline"
    assert clf["micro_f1"] == 1.0 and clf["wrong"] == []
    # the substring baseline counts every hit as `uses` (p-tf's mxnet, p-both's pytorch)
    assert base["micro_f1"] < 1.0 and base["wrong"]


def test_cli_evaluate_table_lists_wrong_papers(miner: Miner, gold_db: Path) -> None:
    result = miner("evaluate", "--gold", str(gold_db), "--classifier", "keyword-baseline")
    assert "micro-F1" in result.stdout and "gold \\ predicted" in result.stdout
    assert "p-tf  mxnet: gold mentions, got uses" in result.stdout


def test_cli_evaluate_without_gold_papers_is_a_usage_error(miner: Miner, tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    path.write_text(GOLD_CSV)
    result = miner.create()("evaluate", "--gold", str(path), ok=False)
    assert result.exit_code == 2 and "no gold paper is extracted" in result.stderr


def test_unknown_classifier_name_is_a_usage_error() -> None:
    from miner.evaluate import predict_gold

    with pytest.raises(UsageError, match="unknown classifier"):
        predict_gold("nope", {}, [], "")


def _runs(db: Path, command: str) -> list[tuple[str, dict, dict, dict]]:
    from sqlalchemy import select
    from sqlalchemy.orm import Session

    from db import make_engine
    from db.schema import Run

    engine = make_engine(str(db))
    with Session(engine) as s:
        rows = s.scalars(select(Run).where(Run.command == command).order_by(Run.id)).all()
        out = [(r.status, r.args, r.versions, r.counts) for r in rows]
    engine.dispose()
    return out


def test_evaluate_records_its_figures(miner: Miner, gold_db: Path) -> None:
    """`miner evaluate` leaves a `runs` row with its arguments, versions and headline figures."""
    out = json.loads(miner("evaluate", "--gold", str(gold_db), "--json").stdout)
    ((status, args, versions, counts),) = _runs(miner.db, "evaluate")
    assert status == "done"
    assert args["gold"] == str(gold_db) and args["classifier"] == "rules"
    assert versions["classifier"].startswith("rules ") and versions["extractor"]
    assert versions["baseline"].startswith("keyword-baseline ") and versions["miner"]
    assert counts["papers"] == 4 and counts["pairs"] == out["classifier"]["papers"] * 14
    assert counts["micro_f1"] == out["classifier"]["micro_f1"] == 1.0
    assert counts["baseline_micro_f1"] == out["baseline"]["micro_f1"] < 1.0
    assert counts["macro_f1"] == out["classifier"]["macro_f1"]
    assert counts["f1:pytorch"] == 1.0


def test_a_failed_evaluate_is_recorded(miner: Miner, tmp_path: Path) -> None:
    path = tmp_path / "gold.csv"
    path.write_text(GOLD_CSV)
    pdfs = tmp_path / "other"
    pdfs.mkdir()
    miner("ingest", str(pdfs))  # the database exists and has no gold paper
    miner("evaluate", "--gold", str(path), ok=False)
    assert [r[0] for r in _runs(miner.db, "evaluate")] == ["failed"]


def test_train_records_its_run(miner: Miner, gold_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "model.joblib"
    miner("train", "--gold", str(gold_db), "--out", str(out))
    ((status, args, _versions, counts),) = _runs(miner.db, "train")
    assert status == "done" and args["out"] == str(out)
    # papers naming a framework (p-none names none, so trains nothing)
    assert counts["papers"] == 3 and counts["pairs"] >= 4 and counts["positives"] >= 1
    assert 0.0 <= counts["cv_micro_f1"] <= 1.0 and "cv_macro_f1" in counts


def test_the_report_shows_the_latest_evaluation(
    miner: Miner, gold_db: Path, tmp_path: Path
) -> None:
    """Issue 15: report.last_evaluation read a `runs` row nothing wrote; now evaluate writes it."""
    out = tmp_path / "report"
    miner("report", "-o", str(out))
    assert "No `miner evaluate` run is recorded" in (out / "report.md").read_text()
    miner("evaluate", "--gold", str(gold_db))
    miner("report", "-o", str(out))
    md = (out / "report.md").read_text()
    assert "Latest `miner evaluate` run (" in md and f"against `{gold_db}`" in md
    assert "micro f1 1.000" in md
    evaluation = json.loads((out / "report.json").read_text())["evaluation"]
    assert evaluation["counts"]["micro_f1"] == 1.0 and evaluation["args"]["classifier"] == "rules"
