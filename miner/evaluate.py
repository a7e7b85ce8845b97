"""Score framework predictions against gold labels: per-framework P/R/F1 for `uses`, macro and
micro F1, a uses/mentions/absent confusion table, and the wrong papers with their evidence.

`score_predictions` is pure; `load_gold_docs` reads extractions from the database, and
`run_evaluate` / `run_train` record their figures in `runs` (DB IO via db.store).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from classifiers import get_classifier, identify
from classifiers.labels import FRAMEWORKS
from classifiers.model import (
    ModelFrameworkClassifier,
    Rows,
    corpus_rows,
    cross_validate,
    data_hash,
    holdout_predictions,
    save_model,
    train,
)
from db import Engine, Session, store
from miner import __version__
from miner.errors import UsageError
from miner.extract import EXTRACTOR_VERSION
from miner.gold import GoldPaper, load_gold
from miner.heldout import figures, load_batches, reliability
from miner.records import ExtractedDoc, Prediction
from miner.stages.recorded import recorded_run

LABELS = ("uses", "mentions", "absent")
BASELINE = "keyword-baseline"
CV_FOLDS = 5
COMPARED = ("rules", "model", BASELINE)


@dataclass(frozen=True, slots=True)
class FrameworkScore:
    """`uses` figures for one framework."""

    framework: str
    tp: int
    fp: int
    fn: int
    support: int
    """Gold papers that use the framework."""

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        return f1(self.tp, self.fp, self.fn)


@dataclass(slots=True)
class EvalReport:
    """Everything `miner evaluate` prints for one classifier."""

    classifier: str
    papers: int
    per_framework: list[FrameworkScore]
    micro_f1: float
    macro_f1: float
    """Mean F1 over the frameworks some gold paper uses."""
    confusion: dict[str, dict[str, int]]
    """confusion[gold][predicted] over every (paper, framework) pair."""
    wrong: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Plain, JSON-ready form."""
        return {
            "classifier": self.classifier,
            "papers": self.papers,
            "micro_f1": round(self.micro_f1, 4),
            "macro_f1": round(self.macro_f1, 4),
            "per_framework": [
                {
                    "framework": s.framework,
                    "support": s.support,
                    "tp": s.tp,
                    "fp": s.fp,
                    "fn": s.fn,
                    "precision": round(s.precision, 4),
                    "recall": round(s.recall, 4),
                    "f1": round(s.f1, 4),
                }
                for s in self.per_framework
            ],
            "confusion": self.confusion,
            "wrong": self.wrong,
        }


def f1(tp: int, fp: int, fn: int) -> float:
    """F1 from counts (0 when there is nothing to find and nothing found)."""
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def gold_label(paper: GoldPaper, framework: str) -> str:
    """uses / mentions / absent for one framework of a gold paper."""
    if framework in paper.uses:
        return "uses"
    if framework in paper.mentions_only:
        return "mentions"
    return "absent"


def score_predictions(
    classifier: str,
    gold: Sequence[GoldPaper],
    predicted: Mapping[str, Sequence[Prediction]],
    frameworks: Sequence[str] = FRAMEWORKS,
) -> EvalReport:
    """Compare predictions (keyed by gold slug) with gold; papers without predictions are skipped."""
    counts: dict[str, Counter[str]] = {fw: Counter() for fw in frameworks}
    confusion = {g: dict.fromkeys(LABELS, 0) for g in LABELS}
    wrong: list[dict[str, Any]] = []
    papers = 0
    for paper in gold:
        preds = predicted.get(paper.slug)
        if preds is None:
            continue
        papers += 1
        by_fw = {p.framework: p for p in preds}
        for fw in frameworks:
            want = gold_label(paper, fw)
            pred = by_fw.get(fw)
            got = pred.label if pred is not None else "absent"
            confusion[want][got] += 1
            is_use, want_use = got == "uses", want == "uses"
            counts[fw]["tp"] += is_use and want_use
            counts[fw]["fp"] += is_use and not want_use
            counts[fw]["fn"] += want_use and not is_use
            counts[fw]["support"] += want_use
            if is_use != want_use:
                wrong.append(_wrong_row(paper.slug, fw, want, pred))
    scores = [
        FrameworkScore(fw, c["tp"], c["fp"], c["fn"], c["support"]) for fw, c in counts.items()
    ]
    tp = sum(s.tp for s in scores)
    fp = sum(s.fp for s in scores)
    fn = sum(s.fn for s in scores)
    present = [s for s in scores if s.support]
    macro = sum(s.f1 for s in present) / len(present) if present else 0.0
    return EvalReport(
        classifier=classifier,
        papers=papers,
        per_framework=[s for s in scores if s.support or s.fp],
        micro_f1=f1(tp, fp, fn),
        macro_f1=macro,
        confusion=confusion,
        wrong=wrong,
    )


def _wrong_row(slug: str, framework: str, want: str, pred: Prediction | None) -> dict[str, Any]:
    evidence = [
        {"page": e.page, "section": e.section, "rule": e.rule, "snippet": e.snippet}
        for e in (pred.evidence[:3] if pred else ())
    ]
    return {
        "paper": slug,
        "framework": framework,
        "gold": want,
        "predicted": pred.label if pred else "absent",
        "confidence": pred.confidence if pred else 1.0,
        "evidence": evidence,
    }


def load_gold_docs(engine: Engine, gold: Sequence[GoldPaper]) -> dict[str, ExtractedDoc]:
    """Extracted docs of the gold papers keyed by slug; matched by sha256, else file name slug.

    Raises UsageError when no gold paper is in the database.
    """
    by_sha = {g.sha256: g.slug for g in gold if g.sha256}
    by_name = {g.slug: g.slug for g in gold if g.slug}
    out: dict[str, ExtractedDoc] = {}
    with Session(engine) as session:
        for paper_id, sha, file_name in store.ok_extractions(session, EXTRACTOR_VERSION):
            stem = (file_name or "").rsplit(".", 1)[0]
            slug = by_sha.get(sha or "") or by_name.get(stem)
            if slug is None or slug in out:
                continue
            doc = store.load_extracted_doc(session, paper_id, EXTRACTOR_VERSION)
            if doc is not None:
                out[slug] = doc
    if not out:
        raise UsageError(
            "no gold paper is extracted in this database; run `miner ingest` and `miner extract` "
            "on the gold papers first"
        )
    return out


def predict_gold(
    classifier: str,
    docs: Mapping[str, ExtractedDoc],
    gold: Sequence[GoldPaper],
    gold_sha: str,
    rows: Rows | None = None,
) -> tuple[dict[str, list[Prediction]], str]:
    """Predictions per slug and how they were made; a model trained on this gold is cross-validated."""
    if classifier == "model":
        clf = ModelFrameworkClassifier()
        if clf.model is None or clf.card.get("training_data", {}).get("sha256") == gold_sha:
            folds = min(CV_FOLDS, len(docs))
            preds = cross_validate(docs, gold, folds=folds, rows=rows)
            return preds, f"{folds}-fold CV grouped by paper"
        return {s: clf.predict_doc(d) for s, d in docs.items()}, f"model {clf.VERSION}"
    try:
        clf_ = get_classifier(classifier)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None
    return {s: clf_.predict_doc(d) for s, d in docs.items()}, f"{clf_.NAME} {clf_.VERSION}"


def classifier_version(name: str) -> str:
    """VERSION of the classifier called name; UsageError for an unknown one."""
    try:
        return identify(name).VERSION
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


def headline(result: dict[str, Any]) -> dict[str, float]:
    """The figures of an evaluation that `runs.counts` keeps (JSON numbers)."""
    clf, base = result["classifier"], result["baseline"]
    counts: dict[str, float] = {
        "gold_papers": result["gold_papers"],
        "papers": result["papers_evaluated"],
        "pairs": sum(sum(row.values()) for row in clf["confusion"].values()),
        "micro_f1": clf["micro_f1"],
        "macro_f1": clf["macro_f1"],
        "baseline_micro_f1": base["micro_f1"],
        "baseline_macro_f1": base["macro_f1"],
    }
    counts.update({f"f1:{r['framework']}": r["f1"] for r in clf["per_framework"]})
    for name, oos in result["out_of_sample"].items():
        for part in ("all", "holdout"):
            fig = oos.get(part)
            for avg in ("micro_f1", "macro_f1") if fig else ():
                key = f"{name}:{part}:{avg}"
                counts[key] = fig[avg]
                counts[key + ":lo"], counts[key + ":hi"] = fig[avg + "_95ci"]
    return counts


def run_evaluate(
    engine: Engine,
    gold_path: str | Path,
    classifier: str,
    holdout_batch: str | None = None,
    batches_path: str | Path | None = None,
) -> dict[str, Any]:
    """Score a classifier and the keyword baseline on the gold papers found in the database, and
    rules, model and baseline side by side out of sample (see miner.heldout.compare).

    Recorded as an `evaluate` run whose counts are the headline figures (see `headline`).
    """
    gold = load_gold(gold_path)
    gold_sha = data_hash(Path(gold_path).read_bytes())
    base = BASELINE if classifier != BASELINE else "rules"
    args = {
        "gold": str(gold_path),
        "gold_sha256": gold_sha,
        "classifier": classifier,
        "holdout_batch": holdout_batch,
    }
    versions = {
        "miner": __version__,
        "extractor": EXTRACTOR_VERSION,
        "classifier": f"{classifier} {classifier_version(classifier)}",
        "baseline": f"{base} {classifier_version(base)}",
    }
    with Session(engine) as session, recorded_run(session, "evaluate", args, versions) as run:
        docs = load_gold_docs(engine, gold)
        rows = corpus_rows(docs)
        batches = load_batches(gold, batches_path)
        result: dict[str, Any] = {"gold": str(gold_path), "gold_papers": len(gold)}
        result["papers_evaluated"] = len(docs)
        for key, name in (("classifier", classifier), ("baseline", base)):
            preds, how = predict_gold(name, docs, gold, gold_sha, rows)
            result[key] = score_predictions(name, gold, preds).as_dict()
            result[key]["method"] = how
        result["out_of_sample"] = compare(docs, gold, rows, batches, holdout_batch)
        run.figures.update(headline(result))
    return result


def compare(
    docs: Mapping[str, ExtractedDoc],
    gold: Sequence[GoldPaper],
    rows: Rows,
    batches: Mapping[str, str],
    holdout: str | None,
) -> dict[str, Any]:
    """Rules, model and keyword baseline: F1 with 95% intervals on all papers (the model
    cross-validated) and on one held-out batch (the model trained on the others), and
    each one's reliability table."""
    known = sorted({batches[g.slug] for g in gold if g.slug in docs and g.slug in batches})
    if holdout is None and len(known) > 1:
        holdout = known[-1]
    elif holdout is not None and holdout not in known:
        raise UsageError(f"no gold paper is in batch {holdout!r}; batches: {', '.join(known)}")
    test = [g.slug for g in gold if g.slug in docs and batches.get(g.slug) == holdout]
    held_gold = [g for g in gold if g.slug in test]
    others = ", ".join(b for b in known if b != holdout)
    out: dict[str, Any] = {}
    for name in COMPARED:
        if name == "model":
            folds = min(CV_FOLDS, len(docs))
            preds = cross_validate(docs, gold, folds=folds, rows=rows)
            how = f"{folds}-fold CV grouped by paper"
            held = holdout_predictions(docs, gold, test, rows=rows) if test else {}
            held_how = f"trained on batches {others}, scored on batch {holdout}"
        else:
            clf = get_classifier(name)
            preds = {s: clf.predict_doc(d) for s, d in docs.items()}
            how = "hand-written rules (see README)" if name == "rules" else "no training"
            held = {s: preds[s] for s in test}
            held_how = f"scored on batch {holdout}"
        out[name] = {
            "version": classifier_version(name),
            "all": figures(gold, preds, how),
            "holdout": figures(held_gold, held, held_how) | {"batch": holdout} if test else None,
            "reliability": reliability(gold, preds),
        }
    return out


def run_train(engine: Engine, gold_path: str | Path, out: str | Path) -> dict[str, Any]:
    """Cross-validate, then fit on every gold paper in the database and save model + card.

    Recorded as a `train` run (counts: papers, pairs, positives and the CV figures).
    """
    gold = load_gold(gold_path)
    gold_sha = data_hash(Path(gold_path).read_bytes())
    args = {"gold": str(gold_path), "gold_sha256": gold_sha, "out": str(out)}
    versions = {"miner": __version__, "extractor": EXTRACTOR_VERSION, "classifier": "model"}
    with Session(engine) as session, recorded_run(session, "train", args, versions) as run:
        docs = load_gold_docs(engine, gold)
        rows = corpus_rows(docs)
        cv = score_predictions("model", gold, cross_validate(docs, gold, CV_FOLDS, rows=rows))
        metrics = {
            "cv": f"{min(CV_FOLDS, len(docs))}-fold grouped by paper",
            "cv_micro_f1": round(cv.micro_f1, 4),
            "cv_macro_f1": round(cv.macro_f1, 4),
            "cv_per_framework_f1": {s.framework: round(s.f1, 4) for s in cv.per_framework},
        }
        try:
            model = train(
                docs,
                gold,
                gold_sha256=gold_sha,
                gold_name=Path(gold_path).name,
                metrics=metrics,
                rows=rows,
            )
        except ValueError as exc:
            raise UsageError(f"{exc}; add such papers to {gold_path}") from None
        card_path = save_model(model, out)
        data = model.card["training_data"]
        run.figures.update(
            {
                "papers": data["papers"],
                "pairs": data["pairs"],
                "positives": data["positives"],
                "cv_micro_f1": round(cv.micro_f1, 4),
                "cv_macro_f1": round(cv.macro_f1, 4),
            }
        )
    return {"model": str(out), "card": str(card_path), **model.card}
