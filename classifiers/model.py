"""A scikit-learn model over per-(paper, framework) aggregates of the rule-scored sentence hits.

`train` fits it on gold labels, `cross_validate` gives held-out predictions (grouped k-fold by
paper), `save_model`/`load_model` write and read it with joblib next to a JSON model card
(version, training data hash, metrics). Pure apart from save/load (file IO); never downloads.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import joblib
import sklearn
from sklearn.feature_extraction import DictVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MaxAbsScaler

from classifiers import MODEL_VERSION, model_path, model_version
from classifiers.features import aggregate
from classifiers.labels import FRAMEWORKS, VOCABULARY_VERSION, Vocabulary, compile_terms
from classifiers.rules import RULES_VERSION, collect_hits, decide
from miner.records import Evidence, ExtractedDoc, Prediction

logger = logging.getLogger(__name__)


class GoldLike(Protocol):
    """What training needs of a gold row (miner.gold.GoldPaper fits)."""

    @property
    def slug(self) -> str: ...
    @property
    def uses(self) -> frozenset[str]: ...


@dataclass(slots=True)
class TrainedModel:
    """A fitted pipeline and its card."""

    pipeline: Pipeline
    card: dict[str, Any]


def build_pipeline(seed: int = 0) -> Pipeline:
    """DictVectorizer -> MaxAbsScaler -> class-balanced logistic regression."""
    return make_pipeline(
        DictVectorizer(sparse=True),
        MaxAbsScaler(),
        LogisticRegression(C=1.0, class_weight="balanced", max_iter=2000, random_state=seed),
    )


def doc_features(doc: ExtractedDoc, compiled: Vocabulary | None = None) -> dict[str, Any]:
    """Per framework with at least one hit: (features, scored hits, in title)."""
    by_fw, titled = collect_hits(doc, compiled)
    n_fw = len(by_fw)
    out: dict[str, Any] = {}
    for fw, scored in by_fw.items():
        feats = aggregate([h for _, _, h in scored], [s for s, _, _ in scored], fw in titled, n_fw)
        feats["fw=" + fw] = 1.0
        out[fw] = (feats, scored, titled.get(fw, ""))
    return out


def training_rows(
    docs: Mapping[str, ExtractedDoc], gold: Sequence[GoldLike]
) -> tuple[list[dict[str, float]], list[int], list[str]]:
    """(features, uses 0/1, paper slug) for every named (paper, framework) pair of the gold papers."""
    compiled = compile_terms()
    x: list[dict[str, float]] = []
    y: list[int] = []
    groups: list[str] = []
    for g in gold:
        doc = docs.get(g.slug)
        if doc is None:
            continue
        for fw, (feats, _, _) in doc_features(doc, compiled).items():
            x.append(feats)
            y.append(int(fw in g.uses))
            groups.append(g.slug)
    return x, y, groups


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
) -> TrainedModel:
    """Fit on every named pair of the gold papers; raises ValueError with one class only."""
    x, y, groups = training_rows(docs, gold)
    if len(set(y)) < 2:
        raise ValueError("training needs papers that use a framework and papers that only name one")
    pipe = build_pipeline(seed).fit(x, y)
    card = {
        "name": "model",
        "model_version": MODEL_VERSION,
        "rules_version": RULES_VERSION,
        "vocabulary_version": VOCABULARY_VERSION,
        "sklearn_version": sklearn.__version__,
        "estimator": "DictVectorizer+MaxAbsScaler+LogisticRegression(class_weight=balanced)",
        "training_data": {
            "file": gold_name,
            "sha256": gold_sha256,
            "papers": len(set(groups)),
            "pairs": len(y),
            "positives": sum(y),
        },
        "metrics": dict(metrics or {}),
    }
    card["model_id"] = hashlib.sha256(
        json.dumps(
            {k: card[k] for k in ("model_version", "training_data")}, sort_keys=True
        ).encode()
        + repr(_coefficients(pipe)).encode()
    ).hexdigest()[:12]
    return TrainedModel(pipe, card)


def _coefficients(pipe: Pipeline) -> list[float]:
    clf = pipe[-1]
    return [round(float(v), 6) for v in (*clf.coef_.ravel(), *clf.intercept_)]


def cross_validate(
    docs: Mapping[str, ExtractedDoc], gold: Sequence[GoldLike], folds: int = 5, seed: int = 0
) -> dict[str, list[Prediction]]:
    """Held-out predictions per gold slug: each paper is predicted by a model not trained on it."""
    slugs = [g.slug for g in gold if g.slug in docs]
    folds = max(2, min(folds, len(slugs)))
    out: dict[str, list[Prediction]] = {}
    splitter = GroupKFold(n_splits=folds)
    for train_idx, test_idx in splitter.split(slugs, groups=slugs):
        train_gold = [g for g in gold if g.slug in {slugs[i] for i in train_idx}]
        x, y, _ = training_rows(docs, train_gold)
        pipe = build_pipeline(seed).fit(x, y) if len(set(y)) == 2 else None
        for i in test_idx:
            out[slugs[i]] = predict_with(pipe, docs[slugs[i]])
    return out


class LinearScorer:
    """The fitted pipeline folded into one weight per feature name: the same probabilities as
    `predict_proba`, without scikit-learn's per-call overhead (classification runs per paper)."""

    def __init__(self, pipe: Pipeline) -> None:
        vec, scaler, clf = pipe[0], pipe[1], pipe[-1]
        coef = clf.coef_.ravel()
        self.weights = {
            name: float(coef[i] / (scaler.scale_[i] or 1.0)) for name, i in vec.vocabulary_.items()
        }
        self.bias = float(clf.intercept_[0])

    def __call__(self, feats: Mapping[str, float]) -> float:
        z = self.bias + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


def predict_with(
    pipe: Pipeline | LinearScorer | None, doc: ExtractedDoc, compiled: Vocabulary | None = None
) -> list[Prediction]:
    """Predictions for every framework; without a model the rules decide."""
    feats = doc_features(doc, compiled)
    probs: dict[str, float] = {}
    if isinstance(pipe, LinearScorer):
        probs = {fw: pipe(f[0]) for fw, f in feats.items()}
    elif pipe is not None and feats:
        names = list(feats)
        p = pipe.predict_proba([feats[fw][0] for fw in names])[:, 1]
        probs = {fw: float(v) for fw, v in zip(names, p, strict=True)}
    out = []
    for fw in FRAMEWORKS:
        if fw not in feats:
            out.append(Prediction(fw, "absent", 1.0))
            continue
        _, scored, title = feats[fw]
        rules = decide(fw, scored, title)
        if fw not in probs:
            out.append(rules)
            continue
        p = probs[fw]
        ev = (Evidence(0, "", "", f"model:p_uses={p:.3f}", fw), *rules.evidence)
        label = "uses" if p >= 0.5 else "mentions"
        out.append(Prediction(fw, label, round(max(p, 1 - p), 3), ev))
    return out


def save_model(model: TrainedModel, path: str | Path) -> Path:
    """Write the pipeline (joblib) and its card (same name, .json); returns the card path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model.pipeline, path)
    card_path = path.with_suffix(".json")
    card_path.write_text(json.dumps(model.card, indent=2, sort_keys=True) + "\n")
    return card_path


def load_model(path: str | Path) -> TrainedModel:
    """Read a model written by save_model; raises FileNotFoundError when either file is missing."""
    path = Path(path)
    card = json.loads(path.with_suffix(".json").read_text())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pipe = joblib.load(path)
    for w in caught:  # e.g. a model saved by another scikit-learn version
        logger.warning("loading %s: %s", path, w.message)
    return TrainedModel(pipe, card)


class ModelFrameworkClassifier:
    """The trained model over rule features; without a model file the rules decide."""

    NAME = "model"
    VERSION = MODEL_VERSION

    def __init__(self, path: str | Path | None = None) -> None:
        self.path = Path(path) if path is not None else model_path()
        self._terms = compile_terms()
        self.model: TrainedModel | None = None
        self._scorer: LinearScorer | None = None
        if self.path.is_file() and self.path.with_suffix(".json").is_file():
            self.model = load_model(self.path)
            self._scorer = LinearScorer(self.model.pipeline)
        else:
            logger.warning("no model at %s: the rules decide", self.path)
        self.VERSION = model_version(self.path)  # the same as classifiers.identify("model")

    def predict_doc(self, doc: ExtractedDoc) -> list[Prediction]:
        """One Prediction per framework: the model's probability of `uses` where named."""
        return predict_with(self._scorer, doc, self._terms)
