"""Prediction with the learned classifier: sentence probabilities per hit, a calibrated paper
probability per framework, the most weighted sentences as evidence (pure; no scikit-learn).

`classifiers.model` fits the two models; this module applies them, so `miner classify` with the
model never imports scikit-learn (only joblib, to read the shipped weights).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers import model_path, model_version
from classifiers.labels import FRAMEWORKS, Vocabulary, compile_terms
from classifiers.rules import collect_hits, decide, evidence
from classifiers.sentences import (
    LinearScorer,
    hit_features,
    matches_evidence,
    pair_features,
    paper_context,
    parse_evidence,
)
from miner.records import Evidence, ExtractedDoc, Prediction

logger = logging.getLogger(__name__)
MAX_EVIDENCE = 10


@dataclass(frozen=True, slots=True)
class FrameworkHits:
    """One named framework of a paper: its rule-scored hits, their sentence features, title."""

    framework: str
    scored: list[tuple[float, str, Any]]
    """(rule score, rule, Hit) per hit."""
    feats: list[dict[str, float]]
    title: str
    """The title when it names the framework, else empty."""
    n_frameworks: int
    """Frameworks the paper names."""


def paper_hits(doc: ExtractedDoc, compiled: Vocabulary | None = None) -> dict[str, FrameworkHits]:
    """Per named framework: scored hits and their sentence features."""
    by_fw, titled = collect_hits(doc, compiled)
    ctx = paper_context(doc)
    return {
        fw: FrameworkHits(
            fw,
            scored,
            [hit_features(h, s, ctx) for s, _, h in scored],
            titled.get(fw, ""),
            len(by_fw),
        )
        for fw, scored in by_fw.items()
    }


def sentence_labels(
    fh: FrameworkHits, used: bool, gold_evidence: str
) -> list[tuple[dict[str, float], int]]:
    """Training sentences of one (paper, framework): hits of an unused framework are negative;
    of a used one, hits in a gold evidence quote are positive and the rest unknown (left out).
    Without a matching quote the rules' best hit stands in as the positive."""
    if not used:
        return [(f, 0) for f in fh.feats]
    quotes = parse_evidence(gold_evidence)
    pos = [
        f for (_, _, h), f in zip(fh.scored, fh.feats, strict=True) if matches_evidence(h, quotes)
    ]
    if not pos and fh.feats:
        best = max(range(len(fh.scored)), key=lambda i: fh.scored[i][0])
        pos = [fh.feats[best]]
    return [(f, 1) for f in pos]


@dataclass(frozen=True, slots=True)
class LearnedModel:
    """The sentence model and the calibrated paper model (Platt folded into its weights)."""

    sentence: LinearScorer
    paper: LinearScorer
    calibration: dict[str, float] = field(default_factory=dict)
    """Platt scaling a, b applied to the raw paper logit (kept for the card)."""

    def as_data(self) -> dict[str, Any]:
        """Plain dicts and floats (what the joblib file holds)."""
        return {
            "sentence": {"weights": self.sentence.weights, "bias": self.sentence.bias},
            "paper": {"weights": self.paper.weights, "bias": self.paper.bias},
            "calibration": self.calibration,
        }

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> LearnedModel:
        """The model from as_data's form."""
        s, p = data["sentence"], data["paper"]
        return cls(
            LinearScorer(s["weights"], s["bias"]),
            LinearScorer(p["weights"], p["bias"]),
            dict(data.get("calibration", {})),
        )


def predict_with(
    model: LearnedModel | None,
    doc: ExtractedDoc,
    compiled: Vocabulary | None = None,
    rows: Mapping[str, FrameworkHits] | None = None,
) -> list[Prediction]:
    """Predictions for every framework; unnamed ones are absent, and without a model the rules
    decide. Evidence: the sentences that weighed most, best first."""
    rows = rows if rows is not None else paper_hits(doc, compiled)
    out = []
    for fw in FRAMEWORKS:
        fh = rows.get(fw)
        if fh is None:
            out.append(Prediction(fw, "absent", 1.0))
            continue
        if model is None:
            out.append(decide(fw, fh.scored, fh.title))
            continue
        probs = [model.sentence(f) for f in fh.feats]
        hits = [h for _, _, h in fh.scored]
        p = model.paper(
            pair_features(probs, hits, [s for s, _, _ in fh.scored], fh.title, fh.n_frameworks)
        )
        ranked = sorted(range(len(hits)), key=lambda i: -probs[i])[:MAX_EVIDENCE]
        ev = [evidence(hits[i], f"model:s={probs[i]:.2f};{fh.scored[i][1]}") for i in ranked]
        top = ev[0]
        ev[0] = Evidence(top.page, top.section, top.snippet, f"model:p_uses={p:.3f};{top.rule}", fw)
        if fh.title:
            ev.insert(1, Evidence(1, "front", fh.title[:300], "title", fw))
        label = "uses" if p >= 0.5 else "mentions"
        out.append(Prediction(fw, label, round(max(p, 1 - p), 3), tuple(ev)))
    return out


class ModelFrameworkClassifier:
    """The learned classifier from its shipped weights; without a model file the rules decide."""

    NAME = "model"

    def __init__(self, path: str | Path | None = None) -> None:
        import joblib  # numpy only; scikit-learn is needed to train, never to predict

        self.path = Path(path) if path is not None else model_path()
        self._terms = compile_terms()
        self.model: LearnedModel | None = None
        self.card: dict[str, Any] = {}
        card = self.path.with_suffix(".json")
        if self.path.is_file() and card.is_file():
            import json

            self.card = json.loads(card.read_text())
            self.model = LearnedModel.from_data(joblib.load(self.path))
        else:
            logger.warning("no model at %s: the rules decide", self.path)
        self.VERSION = model_version(self.path)  # the same as classifiers.identify("model")

    def predict_doc(self, doc: ExtractedDoc) -> list[Prediction]:
        """One Prediction per framework: the calibrated probability of `uses` where named."""
        return predict_with(self.model, doc, self._terms)
