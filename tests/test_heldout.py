"""Out-of-sample figures (#13): bootstrap intervals over papers, reliability, batches, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from miner.errors import UsageError
from miner.evaluate import score_predictions
from miner.gold import GoldPaper
from miner.heldout import bootstrap, figures, load_batches, micro_macro, paper_outcomes, reliability
from miner.records import Prediction
from tests.helpers.cli import Miner


def gold(slug: str, uses: set[str], batch: str = "") -> GoldPaper:
    return GoldPaper(slug, "", frozenset(uses), frozenset(), "", frozenset(), batch=batch)


def preds(uses: set[str], named: set[str] = frozenset(), conf: float = 0.9) -> list[Prediction]:  # type: ignore[assignment]
    return [Prediction(fw, "uses", conf) for fw in uses] + [
        Prediction(fw, "mentions", conf) for fw in named - uses
    ]


GOLD = [gold(f"p{i}", {"pytorch"} if i % 2 else {"tensorflow"}) for i in range(20)]
# two papers wrong: p0 predicted pytorch instead of tensorflow, p1 nothing
PRED = {g.slug: preds(set(g.uses)) for g in GOLD} | {"p0": preds({"pytorch"}), "p1": preds(set())}


def test_micro_macro_agree_with_score_predictions() -> None:
    report = score_predictions("x", GOLD, PRED)
    micro, macro = micro_macro(list(paper_outcomes(GOLD, PRED).values()))
    assert micro == pytest.approx(report.micro_f1) and macro == pytest.approx(report.macro_f1)


def test_bootstrap_interval_brackets_the_figure_and_is_reproducible() -> None:
    outcomes = list(paper_outcomes(GOLD, PRED).values())
    ci = bootstrap(outcomes, draws=300, seed=1)
    micro, _ = micro_macro(outcomes)
    lo, hi = ci["micro_f1"]
    assert lo < micro < hi <= 1.0
    assert bootstrap(outcomes, draws=300, seed=1) == ci
    # a perfect classifier has a zero-width interval
    perfect = paper_outcomes(GOLD, {g.slug: preds(set(g.uses)) for g in GOLD})
    assert bootstrap(list(perfect.values()), draws=50)["micro_f1"] == [1.0, 1.0]


def test_figures_carry_intervals_and_counts() -> None:
    fig = figures(GOLD, PRED, "how")
    assert fig["papers"] == 20 and fig["uses_labels"] == 20 and fig["method"] == "how"
    assert fig["micro_f1_95ci"][0] <= fig["micro_f1"] <= fig["micro_f1_95ci"][1]


def test_reliability_bins_named_pairs_by_confidence() -> None:
    g = [gold("a", {"jax"}), gold("b", set()), gold("c", {"jax"})]
    p = {
        "a": preds({"jax"}, conf=0.95),  # right
        "b": preds({"jax"}, conf=0.92) + [Prediction("keras", "absent", 1.0)],  # wrong
        "c": preds(set(), {"jax"}, conf=0.55),  # wrong (says mentions)
    }
    rows = {r["confidence"]: r for r in reliability(g, p)}
    assert set(rows) == {"0.9-1.0", "0.5-0.6"}  # absent pairs are left out
    assert rows["0.9-1.0"]["pairs"] == 2 and rows["0.9-1.0"]["share_correct"] == 0.5
    assert rows["0.5-0.6"]["mean_confidence"] == 0.55 and rows["0.5-0.6"]["share_correct"] == 0.0


def test_batches_come_from_the_gold_column_else_a_csv(tmp_path: Path) -> None:
    assert load_batches([gold("a", set(), "2")]) == {"a": "2"}
    csv = tmp_path / "b.csv"
    csv.write_text("slug,batch\na,1\nb,3\n")
    assert load_batches([gold("a", set()), gold("z", set())], csv) == {"a": "1"}
    assert load_batches([gold("2014-adam", set())])["2014-adam"] == "1"  # the shipped corpus map
    with pytest.raises(UsageError, match="slug,batch"):
        load_batches([gold("a", set())], tmp_path / "missing.csv")


PAPERS = {
    "b1-torch": "We implemented our model in PyTorch and trained it on one GPU.",
    "b1-tf": "Our code is written with TensorFlow 1.4 on TPUs. Unlike MXNet, it is static.",
    "b1-jax": "Unlike PyTorch, our library is implemented in JAX and runs on TPUs.",
    "b2-tf": "We implemented the network in TensorFlow. Unlike PyTorch, graphs are static.",
    "b2-torch": "All models are implemented with PyTorch. Unlike TensorFlow, it is eager.",
    "b2-none": "We prove a regret bound for Thompson sampling in bandits with many arms.",
}
GOLD_CSV = (
    "slug,sha256,uses,mentions_only,official_code,code_links,batch\n"
    "b1-torch,,pytorch,,,,1\nb1-tf,,tensorflow,mxnet,,,1\nb1-jax,,jax,pytorch,,,1\n"
    "b2-tf,,tensorflow,pytorch,,,2\nb2-torch,,pytorch,tensorflow,,,2\nb2-none,,,,,,2\n"
)


@pytest.fixture
def batch_db(miner: Miner, make_pdf, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    for slug, text in PAPERS.items():
        (pdfs / f"{slug}.pdf").write_bytes(make_pdf([f"A Study Named {slug}\n\n1 Intro\n{text}"]))
    miner("ingest", str(pdfs))
    miner("extract", "--workers", "1")
    path = tmp_path / "gold.csv"
    path.write_text(GOLD_CSV)
    return path


def test_cli_evaluate_prints_out_of_sample_side_by_side(miner: Miner, batch_db: Path) -> None:
    out = json.loads(
        miner("evaluate", "--gold", str(batch_db), "--holdout-batch", "1", "--json").stdout
    )
    oos = out["out_of_sample"]
    assert list(oos) == ["rules", "model", "keyword-baseline"]
    model = oos["model"]
    assert model["all"]["method"].startswith("5-fold CV grouped by paper")
    assert model["holdout"]["batch"] == "1" and model["holdout"]["papers"] == 3
    assert model["holdout"]["method"] == "trained on batches 2, scored on batch 1"
    for o in oos.values():
        lo, hi = o["all"]["micro_f1_95ci"]
        assert lo <= o["all"]["micro_f1"] <= hi and o["reliability"]
    table = miner("evaluate", "--gold", str(batch_db), "--no-wrong").stdout
    assert "batch micro-F1" in table and "2: 3 papers" in table and "share_correct" in table


def test_an_unknown_holdout_batch_is_a_usage_error(miner: Miner, batch_db: Path) -> None:
    result = miner("evaluate", "--gold", str(batch_db), "--holdout-batch", "9", ok=False)
    assert result.exit_code == 2 and "no gold paper is in batch '9'" in result.stderr


def test_evaluate_records_out_of_sample_figures(miner: Miner, batch_db: Path) -> None:
    from tests.test_evaluate import _runs

    out = json.loads(miner("evaluate", "--gold", str(batch_db), "--json").stdout)
    ((_, args, _, counts),) = _runs(miner.db, "evaluate")
    assert args["holdout_batch"] is None
    oos = out["out_of_sample"]["model"]
    assert counts["model:all:micro_f1"] == oos["all"]["micro_f1"]
    assert counts["model:holdout:macro_f1:lo"] == oos["holdout"]["macro_f1_95ci"][0]
    assert "keyword-baseline:holdout:micro_f1" in counts and "rules:all:macro_f1:hi" in counts
