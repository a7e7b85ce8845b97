"""Gold-label commands: train (fit and save the model) and evaluate (score against gold)."""

from __future__ import annotations

import json

import click

from miner.cli import cli, pass_ctx
from miner.cli.context import Ctx
from miner.cli.options import classifier_option
from miner.cli.output import echo_lines, note, render

# miner.evaluate (scikit-learn) is imported inside the commands: every `miner` command, and
# the fork server its workers start from, would otherwise load it.

GOLD = click.option(
    "--gold",
    required=True,
    type=click.Path(dir_okay=False),
    help="Gold CSV (format: shared/gold/README.md); papers match by sha256, else file name.",
)


@cli.command()
@GOLD
@click.option(
    "-o",
    "--output",
    "--out",
    "out",
    type=click.Path(dir_okay=False),
    default="model.joblib",
    show_default=True,
    help="Where to write the model (folders created); the JSON card goes next to it (.json). "
    "Use it with MINER_MODEL=PATH; the shipped model stays as it is.",
)
@pass_ctx
def train(ctx: Ctx, gold: str, out: str) -> None:
    """Train the `model` classifier on gold labels of papers extracted in the database.

    Reports 5-fold cross-validated F1 (grouped by paper) on the card, then fits on all papers.
    The `model` classifier reads $MINER_MODEL, else the shipped default.

    \b
    Example:
      miner --db corpus.db train --gold ../shared/gold/dev.csv -o model.joblib
      MINER_MODEL=model.joblib miner --db corpus.db classify --classifier model
    """
    from miner.evaluate import run_train

    card = run_train(ctx.engine, gold, out)
    data = card["training_data"]
    m = card["metrics"]
    note(
        ctx,
        f"train: {data['papers']} papers, {data['pairs']} named pairs, {data['positives']} uses; "
        f"{m['cv']} micro-F1 {m['cv_micro_f1']:.3f} macro-F1 {m['cv_macro_f1']:.3f}",
    )
    click.echo(f"model {card['model_id']} -> {card['model']} (card {card['card']})")


@cli.command()
@GOLD
@classifier_option("Which classifier to score.")
@click.option("--json", "as_json", is_flag=True, help="The whole report as JSON on stdout.")
@click.option("--wrong/--no-wrong", default=True, show_default=True, help="List wrong papers.")
@click.option(
    "--holdout-batch",
    metavar="N",
    help="Batch scored out of sample (the model trained on the other batches); default: the last.",
)
@click.option(
    "--batches",
    type=click.Path(dir_okay=False, exists=True),
    help="CSV slug,batch when the gold file has no `batch` column (default: the corpus batches).",
)
@pass_ctx
def evaluate(
    ctx: Ctx,
    gold: str,
    classifier: str,
    as_json: bool,
    wrong: bool,
    holdout_batch: str | None,
    batches: str | None,
) -> None:
    """Score a classifier against gold labels, side by side with the keyword baseline.

    Per framework precision/recall/F1 for `uses`, micro and macro F1, the confusion table
    uses/mentions/absent, and the papers it got wrong with their evidence. A model trained on
    the same gold file is cross-validated, never scored on its training papers. Then rules,
    model and baseline out of sample: 5-fold CV grouped by paper (model), one held-out batch
    (`--holdout-batch`), 95% bootstrap intervals over papers, and reliability tables.

    \b
    Example:
      miner --db corpus.db evaluate --gold ../shared/gold/dev.csv --holdout-batch 3
    """
    from miner.evaluate import run_evaluate

    result = run_evaluate(ctx.engine, gold, classifier, holdout_batch, batches)
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    clf, base = result["classifier"], result["baseline"]
    note(
        ctx,
        f"evaluate: {result['papers_evaluated']} of {result['gold_papers']} gold papers; "
        f"{clf['classifier']} ({clf['method']}) vs {base['classifier']} ({base['method']})",
    )
    render(side_by_side(clf, base), "table")
    click.echo("")
    render(confusion_rows(clf), "table")
    click.echo("")
    render(out_of_sample_rows(result["out_of_sample"]), "table")
    click.echo("")
    render(reliability_rows(result["out_of_sample"]), "table")
    if wrong and clf["wrong"]:
        click.echo("")
        echo_lines(wrong_lines(clf["wrong"]))


def _ci(fig: dict, avg: str) -> str:
    lo, hi = fig[avg + "_95ci"]
    return f"{fig[avg]:.3f} [{lo:.3f}, {hi:.3f}]"


def out_of_sample_rows(oos: dict) -> list[dict]:
    """One row per classifier: all-papers and held-out-batch F1 with 95% intervals."""
    rows = []
    for name, o in oos.items():
        a, h = o["all"], o["holdout"]
        row = {
            "classifier": f"{name} {o['version']}",
            "all papers (how)": f"{a['papers']} ({a['method']})",
            "micro-F1 [95% CI]": _ci(a, "micro_f1"),
            "macro-F1 [95% CI]": _ci(a, "macro_f1"),
        }
        if h:
            row["held-out batch"] = f"{h['batch']}: {h['papers']} papers, {h['uses_labels']} uses"
            row["batch micro-F1"] = _ci(h, "micro_f1")
            row["batch macro-F1"] = _ci(h, "macro_f1")
        rows.append(row)
    return rows


def reliability_rows(oos: dict) -> list[dict]:
    """Per classifier and confidence decile: pairs, mean confidence, share correct."""
    return [{"classifier": name, **r} for name, o in oos.items() for r in o["reliability"]]


def side_by_side(clf: dict, base: dict) -> list[dict]:
    """One row per framework plus micro/macro rows, classifier then baseline columns."""
    a = {r["framework"]: r for r in clf["per_framework"]}
    b = {r["framework"]: r for r in base["per_framework"]}
    rows = []
    support = {fw: r["support"] for fw, r in (*b.items(), *a.items())}
    for fw in sorted(support, key=lambda f: (-support[f], f)):
        ra, rb = a.get(fw, {}), b.get(fw, {})
        rows.append(
            {
                "framework": fw,
                "support": (ra or rb).get("support", 0),
                "P": ra.get("precision", 0.0),
                "R": ra.get("recall", 0.0),
                "F1": ra.get("f1", 0.0),
                "baseline_P": rb.get("precision", 0.0),
                "baseline_R": rb.get("recall", 0.0),
                "baseline_F1": rb.get("f1", 0.0),
            }
        )
    for avg in ("micro_f1", "macro_f1"):
        rows.append(
            {"framework": avg.replace("_f1", "-F1"), "F1": clf[avg], "baseline_F1": base[avg]}
        )
    return rows


def confusion_rows(clf: dict) -> list[dict]:
    """gold x predicted counts over every (paper, framework) pair."""
    return [
        {"gold \\ predicted": g, **{p: n for p, n in row.items()}}
        for g, row in clf["confusion"].items()
    ]


def wrong_lines(wrong: list[dict]) -> list[str]:
    """Readable lines for each wrong (paper, framework)."""
    lines = []
    for w in wrong:
        lines.append(f"{w['paper']}  {w['framework']}: gold {w['gold']}, got {w['predicted']}")
        for e in w["evidence"][:2]:
            snippet = " ".join(e["snippet"].split())[:200]
            lines.append(f"    p{e['page']} {e['section']} [{e['rule']}] {snippet}")
    return lines
