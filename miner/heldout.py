"""Out-of-sample figures: per-paper outcomes, bootstrap intervals over papers, reliability tables,
and the batches of the gold papers (pure, apart from reading a batch CSV).

Every F1 here comes with a 95% percentile interval from resampling papers with replacement
(BOOTSTRAP draws, fixed SEED), so a reader sees how much a change of a few points means.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from classifiers.labels import FRAMEWORKS
from miner.errors import UsageError
from miner.gold import GoldPaper
from miner.records import Prediction

BOOTSTRAP = 1000
SEED = 0
BINS = 10
DEV_BATCHES = Path(__file__).parent / "data" / "dev_batches.csv"
"""Batch of each paper of ../shared/corpus (slug, batch): 2 = corpus/new_slugs_batch2.txt,
3 = the 14 manifest rows after the last batch-2 row, 1 = the rest (corpus README)."""

Outcome = dict[str, tuple[int, int, int]]
"""Per framework of one paper: (tp, fp, fn) for `uses`."""


def paper_outcomes(
    gold: Sequence[GoldPaper], predicted: Mapping[str, Sequence[Prediction]]
) -> dict[str, Outcome]:
    """(tp, fp, fn) per paper and framework, for the papers with predictions."""
    out: dict[str, Outcome] = {}
    for g in gold:
        preds = predicted.get(g.slug)
        if preds is None:
            continue
        got = {p.framework for p in preds if p.label == "uses"}
        out[g.slug] = {
            fw: (int(fw in got and fw in g.uses), int(fw in got and fw not in g.uses),
                 int(fw in g.uses and fw not in got))
            for fw in FRAMEWORKS
        }  # fmt: skip
    return out


def micro_macro(outcomes: Sequence[Outcome]) -> tuple[float, float]:
    """Micro F1 and macro F1 (mean over frameworks some paper uses) of a set of papers."""
    tot = {fw: [0, 0, 0] for fw in FRAMEWORKS}
    for o in outcomes:
        for fw, counts in o.items():
            for i, n in enumerate(counts):
                tot[fw][i] += n
    f1s = [_f1(*c) for c in tot.values() if c[0] + c[2]]
    tp, fp, fn = (sum(c[i] for c in tot.values()) for i in range(3))
    return _f1(tp, fp, fn), (sum(f1s) / len(f1s) if f1s else 0.0)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def bootstrap(
    outcomes: Sequence[Outcome], draws: int = BOOTSTRAP, seed: int = SEED
) -> dict[str, list[float]]:
    """95% percentile intervals of micro and macro F1, resampling papers with replacement."""
    if not outcomes:
        return {"micro_f1": [0.0, 0.0], "macro_f1": [0.0, 0.0]}
    rng = random.Random(seed)
    micro, macro = [], []
    n = len(outcomes)
    for _ in range(draws):
        mi, ma = micro_macro([outcomes[rng.randrange(n)] for _ in range(n)])
        micro.append(mi)
        macro.append(ma)
    return {"micro_f1": _interval(micro), "macro_f1": _interval(macro)}


def _interval(values: list[float]) -> list[float]:
    v = sorted(values)
    return [round(v[int(0.025 * (len(v) - 1))], 4), round(v[int(0.975 * (len(v) - 1))], 4)]


def figures(
    gold: Sequence[GoldPaper], predicted: Mapping[str, Sequence[Prediction]], method: str
) -> dict[str, Any]:
    """Micro/macro F1 of the predicted gold papers with their bootstrap intervals."""
    outcomes = paper_outcomes(gold, predicted)
    micro, macro = micro_macro(list(outcomes.values()))
    ci = bootstrap(list(outcomes.values()))
    uses = sum(len(g.uses) for g in gold if g.slug in outcomes)
    return {
        "method": method,
        "papers": len(outcomes),
        "uses_labels": uses,
        "micro_f1": round(micro, 4),
        "macro_f1": round(macro, 4),
        "micro_f1_95ci": ci["micro_f1"],
        "macro_f1_95ci": ci["macro_f1"],
    }


def reliability(
    gold: Sequence[GoldPaper], predicted: Mapping[str, Sequence[Prediction]], bins: int = BINS
) -> list[dict[str, Any]]:
    """Per confidence decile, over named (paper, framework) pairs: how many, the mean confidence
    and the share whose uses/not-uses verdict is right. `absent` pairs (never named) are left out:
    their confidence is 1 by construction."""
    by_slug = {g.slug: g for g in gold}
    cells: dict[int, list[tuple[float, bool]]] = {}
    for slug, preds in predicted.items():
        g = by_slug.get(slug)
        if g is None:
            continue
        for p in preds:
            if p.label == "absent":
                continue
            right = (p.label == "uses") == (p.framework in g.uses)
            cells.setdefault(min(bins - 1, int(p.confidence * bins)), []).append(
                (p.confidence, right)
            )
    return [
        {
            "confidence": f"{b / bins:.1f}-{(b + 1) / bins:.1f}",
            "pairs": len(v),
            "mean_confidence": round(sum(c for c, _ in v) / len(v), 3),
            "share_correct": round(sum(r for _, r in v) / len(v), 3),
        }
        for b, v in sorted(cells.items())
    ]


def load_batches(gold: Sequence[GoldPaper], path: str | Path | None = None) -> dict[str, str]:
    """Batch per gold slug: the gold file's own `batch` column, else the CSV at path (slug,
    batch), else the shipped DEV_BATCHES. Papers in none of them have no batch."""
    own = {g.slug: g.batch for g in gold if g.batch}
    if own:
        return own
    source = Path(path) if path else DEV_BATCHES
    try:
        with open(source, newline="", encoding="utf-8") as fh:
            rows = {r["slug"]: r["batch"] for r in csv.DictReader(fh) if r.get("slug")}
    except (OSError, KeyError) as exc:
        raise UsageError(f"cannot read batches from {source} (columns slug,batch): {exc}") from exc
    return {g.slug: rows[g.slug] for g in gold if rows.get(g.slug)}
