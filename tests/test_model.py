"""The trained model: a round trip on a small synthetic gold set, cross-validation, the card, CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from classifiers import MODEL_VERSION
from classifiers.model import (
    ModelFrameworkClassifier,
    cross_validate,
    load_model,
    predict_with,
    save_model,
    train,
)
from miner.gold import GoldPaper
from miner.records import Block, ExtractedDoc
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf

USE = "We implemented our model in {fw} and trained it on one GPU."
MENTION = "Unlike {fw}, dynamic graphs make debugging easy [4]."
NAMES = {"pytorch": "PyTorch", "tensorflow": "TensorFlow", "jax": "JAX", "mxnet": "MXNet"}


def synthetic() -> tuple[dict[str, ExtractedDoc], list[GoldPaper]]:
    docs: dict[str, ExtractedDoc] = {}
    gold: list[GoldPaper] = []
    fws = list(NAMES)
    for i in range(16):
        used, named = fws[i % 4], fws[(i + 1) % 4]
        blocks = (
            Block(1, "front", f"Study number {i} of dynamic graph methods"),
            Block(2, "body", USE.format(fw=NAMES[used])),
            Block(3, "body", MENTION.format(fw=NAMES[named])),
            Block(9, "references", f"[4] Someone. {NAMES[named]}: a library. 2019."),
        )
        docs[f"p{i}"] = ExtractedDoc(status="ok", page_count=9, blocks=blocks)
        gold.append(GoldPaper(f"p{i}", "", frozenset({used}), frozenset({named}), "", frozenset()))
    return docs, gold


def test_train_save_load_round_trip(tmp_path: Path) -> None:
    docs, gold = synthetic()
    model = train(docs, gold, gold_sha256="abc", gold_name="g.csv", metrics={"cv_micro_f1": 1.0})
    card_path = save_model(model, tmp_path / "m.joblib")
    card = json.loads(card_path.read_text())
    assert card["training_data"] == {
        "file": "g.csv",
        "sha256": "abc",
        "papers": 16,
        "pairs": 32,
        "positives": 16,
    }
    assert card["model_version"] and card["metrics"]["cv_micro_f1"] == 1.0 and card["model_id"]
    loaded = load_model(tmp_path / "m.joblib")
    clf = ModelFrameworkClassifier(tmp_path / "m.joblib")
    assert clf.VERSION.endswith(card["model_id"])
    for slug, doc in docs.items():
        want = next(g for g in gold if g.slug == slug)
        got = {p.framework: p.label for p in clf.predict_doc(doc) if p.label != "absent"}
        assert got == {
            **dict.fromkeys(want.uses, "uses"),
            **dict.fromkeys(want.mentions_only, "mentions"),
        }
        # the folded linear scorer and the pipeline agree
        same = predict_with(loaded.model, doc)
        assert [p.label for p in same] == [p.label for p in clf.predict_doc(doc)]
    pred = next(p for p in clf.predict_doc(docs["p0"]) if p.label == "uses")
    assert 0.5 <= pred.confidence <= 1 and pred.evidence[0].rule.startswith("model:p_uses=")


def test_cross_validation_predicts_every_paper_held_out() -> None:
    docs, gold = synthetic()
    preds = cross_validate(docs, gold, folds=4)
    assert set(preds) == set(docs)
    assert all(len(p) == 14 for p in preds.values())


def test_one_class_gold_cannot_train() -> None:
    docs, gold = synthetic()
    only = [GoldPaper(g.slug, "", frozenset(), frozenset(), "", frozenset()) for g in gold]
    with pytest.raises(ValueError, match="training needs"):
        train(docs, only)


def test_without_a_model_file_the_rules_decide(tmp_path: Path) -> None:
    clf = ModelFrameworkClassifier(tmp_path / "missing.joblib")
    assert clf.model is None and "rules" in clf.VERSION
    doc = ExtractedDoc("ok", page_count=1, blocks=(Block(1, "body", USE.format(fw="JAX")),))
    assert {p.framework for p in clf.predict_doc(doc) if p.label == "uses"} == {"jax"}


def test_cli_train_then_evaluate_cross_validates(
    miner: Miner, make_pdf: MakePdf, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs, gold = synthetic()
    pdfs = tmp_path / "pdfs"
    pdfs.mkdir()
    lines = ["slug,sha256,uses,mentions_only,official_code,code_links"]
    for g in gold[:8]:
        (pdfs / f"{g.slug}.pdf").write_bytes(
            make_pdf(["\n\n".join(b.text for b in docs[g.slug].blocks)])
        )
        lines.append(f"{g.slug},,{';'.join(g.uses)},{';'.join(g.mentions_only)},,")
    gold_csv = tmp_path / "gold.csv"
    gold_csv.write_text("\n".join(lines) + "\n")
    miner("ingest", str(pdfs))
    miner("extract", "--workers", "1")
    out = tmp_path / "model" / "m.joblib"
    result = miner("train", "--gold", str(gold_csv), "--out", str(out))
    assert (
        "train: 8 papers" in result.stderr
        and "5-fold grouped by paper" in result.stderr
        and out.is_file()
    )
    assert json.loads(out.with_suffix(".json").read_text())["training_data"]["papers"] == 8
    monkeypatch.setenv("MINER_MODEL", str(out))
    report = json.loads(
        miner("evaluate", "--gold", str(gold_csv), "--classifier", "model", "--json").stdout
    )
    assert report["classifier"]["method"].startswith("5-fold CV")
    assert report["classifier"]["micro_f1"] == 1.0


def test_gold_evidence_quotes_label_the_sentences() -> None:
    """Issue 13: quoted sentences are positive, the used framework's other hits left out."""
    from classifiers.learned import paper_hits, sentence_labels

    doc = ExtractedDoc(
        "ok",
        page_count=3,
        blocks=(
            Block(2, "body", "PyTorch is popular. We implemented the tracker in PyTorch on GPUs."),
            Block(3, "body", "Unlike TensorFlow, it is eager [3]."),
        ),
    )
    rows = paper_hits(doc)
    quote = "p2: We implemented the tracker in PyTorch"
    labels = sentence_labels(rows["pytorch"], True, quote)
    assert [y for _, y in labels] == [1] and labels[0][0]["cue=implemented"] == 1.0
    assert [y for _, y in sentence_labels(rows["tensorflow"], False, quote)] == [0]
    # no matching quote: the rules' best hit stands in as the positive sentence
    fallback = sentence_labels(rows["pytorch"], True, "p9: something else entirely here")
    assert [f["rule_score"] for f, _ in fallback] == [0.9]


def test_holdout_predictions_come_from_a_model_without_those_papers() -> None:
    from classifiers.model import corpus_rows, fit_models, holdout_predictions

    docs, gold = synthetic()
    rows = corpus_rows(docs)
    held = holdout_predictions(docs, gold, ["p0", "p5"], rows=rows)
    model = fit_models(rows, [g for g in gold if g.slug not in ("p0", "p5")])
    assert set(held) == {"p0", "p5"}
    assert held["p5"] == predict_with(model, docs["p5"])


def test_card_records_the_calibration(tmp_path: Path) -> None:
    docs, gold = synthetic()
    model = train(docs, gold)
    assert (
        set(model.card["calibration"]) == {"a", "b"}
        and model.card["model_version"] == MODEL_VERSION
    )


def _doc(title: str, *texts: str) -> ExtractedDoc:
    blocks = (Block(1, "front", title), *(Block(1, "body", t) for t in texts))
    return ExtractedDoc("ok", page_count=1, blocks=blocks, title=title)


def test_software_papers_use_their_base_and_comparisons_do_not() -> None:
    """Issue 13: a library built on a framework uses it; a comparison of frameworks does not."""
    clf = ModelFrameworkClassifier()  # the shipped model
    lib = _doc(
        "Gridworks: a library for probabilistic state-space models",
        "Gridworks is a Python library built on top of JAX for fast inference.",
    )
    uses = {p.framework for p in clf.predict_doc(lib) if p.label == "uses"}
    assert uses == {"jax"}
    cmp_ = _doc(
        "Benchmarking deep learning frameworks on GPUs",
        "We compare TensorFlow, PyTorch and MXNet on three convolutional networks.",
        "PyTorch is faster than TensorFlow on small batches, whereas MXNet scales better.",
    )
    assert not [p for p in clf.predict_doc(cmp_) if p.label == "uses"]


def test_model_id_ignores_dict_order_and_last_bits() -> None:
    """Retraining on the same data gave a new model id each time: the id hashed repr() of weight
    dicts whose order follows string hashing, and the solver's last bits (#16: README ids)."""
    import json

    from classifiers.model import _stable

    a = {"w": {"x": 0.1 + 0.2, "y": 1.0}, "b": [1e-17, 2.5]}
    b = {"b": [0.0, 2.5], "w": {"y": 1.0, "x": 0.30000000000000004 - 1e-17}}
    assert json.dumps(_stable(a), sort_keys=True) == json.dumps(_stable(b), sort_keys=True)
