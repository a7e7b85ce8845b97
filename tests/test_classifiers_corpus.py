"""Rules, cross-validated model and keyword baseline on the shared gold set (skips without shared/).

Floors are what was measured on gold/dev (rules 1.000 micro, model CV 1.000, baseline 0.741)
minus a margin for extraction changes; the targets of issue 4 are micro >= 0.93, macro >= 0.90,
and >= 0.15 above the baseline.
"""

from __future__ import annotations

import functools
import os

import pytest
from conftest import CORPUS, GOLD

from classifiers import get_classifier
from classifiers.model import cross_validate
from miner.evaluate import score_predictions
from miner.executor import iter_results
from miner.gold import GoldPaper, load_gold
from miner.records import ExtractedDoc
from miner.stages.extract import extract_path

MICRO_FLOOR = 0.95
MACRO_FLOOR = 0.93
BASELINE_GAP = 0.15


@pytest.fixture(scope="module")
def gold_docs() -> tuple[list[GoldPaper], dict[str, ExtractedDoc]]:
    """The dev gold labels and their papers, extracted once for the module."""
    if not (GOLD / "dev.csv").is_file() or not (CORPUS / "pdfs").is_dir():
        pytest.skip(f"shared gold/corpus not found under {GOLD.parent}")
    gold = load_gold(GOLD / "dev.csv")
    paths = [str(CORPUS / "pdfs" / f"{g.slug}.pdf") for g in gold]
    extract = functools.partial(extract_path, max_pages=300, time_budget=120.0)
    docs = iter_results(extract, paths, workers=min(2, os.cpu_count() or 1))
    return gold, {g.slug: d for g, d in zip(gold, docs, strict=True) if d.status == "ok"}


def test_rules_beat_the_floor_and_the_baseline(
    gold_docs: tuple[list[GoldPaper], dict[str, ExtractedDoc]],
) -> None:
    gold, docs = gold_docs
    assert len(docs) == len(gold)
    rules, base = get_classifier("rules"), get_classifier("keyword-baseline")
    r = score_predictions("rules", gold, {s: rules.predict_doc(d) for s, d in docs.items()})
    b = score_predictions("baseline", gold, {s: base.predict_doc(d) for s, d in docs.items()})
    assert r.micro_f1 >= MICRO_FLOOR and r.macro_f1 >= MACRO_FLOOR, r.wrong
    assert r.micro_f1 >= b.micro_f1 + BASELINE_GAP
    # the 2019 method's figure on this set is micro 0.73 / macro 0.76 (gold README); extractor v2
    # repairs ligatures ("tensorﬂow"), so the substring method finds more and scores ~0.79 here
    assert 0.68 <= b.micro_f1 <= 0.82


def test_model_cross_validated_beats_the_floor(
    gold_docs: tuple[list[GoldPaper], dict[str, ExtractedDoc]],
) -> None:
    gold, docs = gold_docs
    r = score_predictions("model", gold, cross_validate(docs, gold, folds=5))
    assert r.micro_f1 >= MICRO_FLOOR and r.macro_f1 >= MACRO_FLOOR, r.wrong


def test_no_framework_named_means_absent_everywhere(
    gold_docs: tuple[list[GoldPaper], dict[str, ExtractedDoc]],
) -> None:
    _, docs = gold_docs
    rules = get_classifier("rules")
    for slug in ("2014-adam", "2015-distilling-knowledge"):
        assert {p.label for p in rules.predict_doc(docs[slug])} == {"absent"}
