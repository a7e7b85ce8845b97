"""The learned classifier: a sentence model over each framework hit, a calibrated paper model over
per-(paper, framework) aggregates of its sentences (training with scikit-learn).

Training (`train`, `fit_models`): the sentence model learns from the gold `evidence` quotes (hits
in a quoted sentence are positive, hits of frameworks a paper does not use are negative); the
paper model learns `uses` from the out-of-fold sentence probabilities and is Platt-calibrated on
out-of-fold scores, all folds grouped by paper. `cross_validate` and `holdout_predictions` give
predictions from models never trained on the papers they score. Both fitted models are plain
weights (`classifiers.sentences.LinearScorer`), saved with joblib next to a JSON model card.
Pure apart from save/load (file IO); never downloads.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import joblib
import sklearn
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression

from classifiers import MODEL_VERSION
from classifiers.labels import VOCABULARY_VERSION, compile_terms
from classifiers.learned import (
    FrameworkHits,
    LearnedModel,
    ModelFrameworkClassifier,
    paper_hits,
    predict_with,
    sentence_labels,
)
from classifiers.rules import RULES_VERSION
from classifiers.sentences import LinearScorer, pair_features
from miner.records import ExtractedDoc, Prediction

INNER_FOLDS = 5
C_SENTENCE = 0.5
C_PAPER = 1.0


class GoldLike(Protocol):
    """What training needs of a gold row (miner.gold.GoldPaper fits)."""

    @property
    def slug(self) -> str: ...
    @property
    def uses(self) -> frozenset[str]: ...
    @property
    def evidence(self) -> str: ...


@dataclass(slots=True)
class TrainedModel:
    """The fitted models and their card."""

    model: LearnedModel
    card: dict[str, Any]


Rows = Mapping[str, Mapping[str, FrameworkHits]]
"""Per gold slug, per named framework: its hits (computed once per evaluation)."""


def corpus_rows(docs: Mapping[str, ExtractedDoc]) -> dict[str, dict[str, FrameworkHits]]:
    """paper_hits of every document, keyed like docs."""
    compiled = compile_terms()
    return {slug: paper_hits(doc, compiled) for slug, doc in docs.items()}


def fold_of(slugs: Sequence[str], folds: int, seed: int) -> dict[str, int]:
    """Papers shuffled with a fixed seed and dealt into folds (grouped by paper)."""
    order = sorted(set(slugs))
    random.Random(seed).shuffle(order)
    return {s: i % folds for i, s in enumerate(order)}


def fit_logistic(x: list[dict[str, float]], y: list[int], c: float, balanced: bool) -> LinearScorer:
    """A logistic regression as plain weights; a constant scorer when y has one class."""
    if len(set(y)) < 2:
        share = (sum(y) + 0.5) / (len(y) + 1.0)
        return LinearScorer({}, math.log(share / (1 - share)))
    vec = DictVectorizer(sparse=True)
    clf = LogisticRegression(
        C=c, class_weight="balanced" if balanced else None, max_iter=5000, random_state=0
    )
    clf.fit(vec.fit_transform(x), y)
    coef = clf.coef_.ravel()
    weights = {name: float(coef[i]) for name, i in vec.vocabulary_.items() if coef[i]}
    return LinearScorer(weights, float(clf.intercept_[0]))


def fit_sentences(rows: Rows, gold: Sequence[GoldLike]) -> LinearScorer:
    """The sentence model from evidence-labelled hits of the gold papers."""
    x: list[dict[str, float]] = []
    y: list[int] = []
    for g in gold:
        for fh in rows.get(g.slug, {}).values():
            for feats, label in sentence_labels(fh, fh.framework in g.uses, g.evidence):
                x.append(feats)
                y.append(label)
    return fit_logistic(x, y, C_SENTENCE, balanced=True)


def paper_rows(
    rows: Rows, gold: Sequence[GoldLike], seed: int
) -> tuple[list[dict[str, float]], list[int], list[str]]:
    """Paper-level (features, uses, slug) with sentence probabilities from out-of-fold models."""
    fold = fold_of([g.slug for g in gold if g.slug in rows], INNER_FOLDS, seed)
    sentence = {
        k: fit_sentences(rows, [g for g in gold if fold.get(g.slug, -1) not in (k, -1)])
        for k in range(INNER_FOLDS)
    }
    x, y, groups = [], [], []
    for g in gold:
        if g.slug not in fold:
            continue
        for fw, fh in rows[g.slug].items():
            x.append(pair_input(sentence[fold[g.slug]], fh))
            y.append(int(fw in g.uses))
            groups.append(g.slug)
    return x, y, groups


def pair_input(sentence: LinearScorer, fh: FrameworkHits) -> dict[str, float]:
    """The paper model's input for one framework of a paper."""
    probs = [sentence(f) for f in fh.feats]
    hits = [h for _, _, h in fh.scored]
    return pair_features(probs, hits, [s for s, _, _ in fh.scored], fh.title, fh.n_frameworks)


def fit_models(rows: Rows, gold: Sequence[GoldLike], seed: int = 0) -> LearnedModel:
    """Sentence model, paper model and its Platt calibration, fitted on the given gold papers."""
    gold = [g for g in gold if g.slug in rows]
    x, y, groups = paper_rows(rows, gold, seed)
    if len(set(y)) < 2:
        raise ValueError("training needs papers that use a framework and papers that only name one")
    fold = fold_of(groups, INNER_FOLDS, seed + 1)
    logits: list[float] = []
    for i, xi in enumerate(x):
        k = fold[groups[i]]
        inner = [j for j in range(len(x)) if fold[groups[j]] != k]
        scorer = fit_logistic([x[j] for j in inner], [y[j] for j in inner], C_PAPER, False)
        logits.append(scorer.logit(xi))
    platt = fit_logistic([{"z": z} for z in logits], y, 100.0, balanced=False)
    a, b = platt.weights.get("z", 1.0), platt.bias
    paper = fit_logistic(x, y, C_PAPER, balanced=False)
    calibrated = LinearScorer({k: a * w for k, w in paper.weights.items()}, a * paper.bias + b)
    return LearnedModel(fit_sentences(rows, gold), calibrated, {"a": a, "b": b})


def cross_validate(
    docs: Mapping[str, ExtractedDoc],
    gold: Sequence[GoldLike],
    folds: int = 5,
    seed: int = 0,
    rows: Rows | None = None,
) -> dict[str, list[Prediction]]:
    """Held-out predictions per gold slug: each paper is predicted by a model not trained on it."""
    rows = rows if rows is not None else corpus_rows(docs)
    slugs = [g.slug for g in gold if g.slug in docs]
    fold = fold_of(slugs, max(2, min(folds, len(slugs))), seed)
    out: dict[str, list[Prediction]] = {}
    for k in sorted(set(fold.values())):
        test = [s for s in slugs if fold[s] == k]
        out.update(holdout_predictions(docs, gold, test, seed, rows))
    return out


def holdout_predictions(
    docs: Mapping[str, ExtractedDoc],
    gold: Sequence[GoldLike],
    test: Sequence[str],
    seed: int = 0,
    rows: Rows | None = None,
) -> dict[str, list[Prediction]]:
    """Predictions for the `test` slugs from a model fitted on the other gold papers (rules decide
    when those cannot train a model)."""
    rows = rows if rows is not None else corpus_rows(docs)
    held = set(test)
    try:
        model: LearnedModel | None = fit_models(rows, [g for g in gold if g.slug not in held], seed)
    except ValueError:
        model = None
    return {s: predict_with(model, docs[s], rows=rows.get(s)) for s in test if s in docs}


def _stable(value: Any) -> Any:
    """The model's data with floats to 12 decimals and 10 digits: the id names the model, not the
    last bits of a solver's arithmetic or the order of a dict (so retraining gives the same id)."""
    if isinstance(value, float):
        return float(f"{round(value, 12):.10g}")
    if isinstance(value, Mapping):
        return {str(k): _stable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_stable(v) for v in value]
    return value


def data_hash(data: bytes) -> str:
    """sha256 of the training data file (goes on the card)."""
    return hashlib.sha256(data).hexdigest()


def train(
    docs: Mapping[str, ExtractedDoc],
    gold: Sequence[GoldLike],
    *,
    gold_sha256: str = "",
    gold_name: str = "",
    metrics: Mapping[str, Any] | None = None,
    seed: int = 0,
    rows: Rows | None = None,
) -> TrainedModel:
    """Fit on every labelled paper; raises ValueError when the gold has one class only."""
    rows = rows if rows is not None else corpus_rows(docs)
    model = fit_models(rows, gold, seed)
    named = [(g, fw) for g in gold if g.slug in rows for fw in rows[g.slug]]
    card = {
        "name": "model",
        "model_version": MODEL_VERSION,
        "rules_version": RULES_VERSION,
        "vocabulary_version": VOCABULARY_VERSION,
        "sklearn_version": sklearn.__version__,
        "estimator": "sentence LogisticRegression -> paper LogisticRegression + Platt (folded)",
        "training_data": {
            "file": gold_name,
            "sha256": gold_sha256,
            "papers": len({g.slug for g, _ in named}),
            "pairs": len(named),
            "positives": sum(fw in g.uses for g, fw in named),
        },
        "calibration": model.calibration,
        "metrics": dict(metrics or {}),
    }
    card["model_id"] = hashlib.sha256(
        json.dumps(
            {k: card[k] for k in ("model_version", "training_data")}, sort_keys=True
        ).encode()
        + json.dumps(_stable(model.as_data()), sort_keys=True).encode()
    ).hexdigest()[:12]
    return TrainedModel(model, card)


def save_model(model: TrainedModel, path: str | Path) -> Path:
    """Write the weights (joblib, plain dicts) and the card (same name, .json); returns the card."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.model.as_data(), path, compress=3)
    card_path = path.with_suffix(".json")
    card_path.write_text(json.dumps(model.card, indent=2, sort_keys=True) + "\n")
    return card_path


def load_model(path: str | Path) -> TrainedModel:
    """Read a model written by save_model; FileNotFoundError when either file is missing."""
    path = Path(path)
    card = json.loads(path.with_suffix(".json").read_text())
    return TrainedModel(LearnedModel.from_data(joblib.load(path)), card)


__all__ = [
    "ModelFrameworkClassifier",
    "cross_validate",
    "holdout_predictions",
    "load_model",
    "predict_with",
    "save_model",
    "train",
]
