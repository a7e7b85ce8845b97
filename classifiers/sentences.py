"""Sentence-level features of each framework hit, and per-(paper, framework) aggregates (pure).

`hit_features` describes one hit's sentence: where it is (section, footnote, table or caption),
which cue words fire and how close they are, first person, tense, list / contrast / citation
context, nearness to the paper's own code link, and the rules' score. `pair_features` turns the
sentence model's probabilities for a framework's hits into the paper-level model's input.
`LinearScorer` applies a fitted logistic model from plain weights, so prediction needs no
scikit-learn.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from classifiers.features import CUES, WINDOW, Hit
from classifiers.rules import COMPARISON, clause
from miner.records import ExtractedDoc

FIRST_PERSON = re.compile(r"\b(?:we|our|us|ours)\b|\bI\b", re.I)
PAST = re.compile(r"\b(?:was|were|had|did|\w{3,}(?<!e)ed|built|ran|wrote|chose)\b", re.I)
PRESENT = re.compile(r"\b(?:is|are|uses|provides|supports|runs|offers|allows|enables)\b", re.I)
MODAL = re.compile(r"\b(?:can|could|may|might|would|should|will|shall)\b", re.I)
CAPTION = re.compile(r"^\s*(?:Table|Tab\.|Figure|Fig\.)\s*\d", re.I)
NUMBER = re.compile(r"^[\d.,%±()x×-]+$")
CODE_URL = re.compile(r"(?:github|gitlab|bitbucket)\.(?:com|org)/", re.I)
SOFTWARE_TITLE = re.compile(
    r"\b(?:library|toolkit|toolbox|package|framework|software|platform|system|api)\b", re.I
)
COMPARISON_TITLE = re.compile(
    r"\b(?:compar\w*|benchmark\w*|versus|vs\.?|evaluation of|survey|review)\b", re.I
)
# Cues whose distance to the hit is a feature (nearest match, 1 at the hit, 0 beyond WINDOW).
DISTANCE_CUES = ("implemented", "we-use", "based-on", "our-code", "library")


@dataclass(frozen=True, slots=True)
class PaperContext:
    """What every hit of a paper shares: its own code link pages and its title."""

    own_link_pages: frozenset[int]
    title: str


def paper_context(doc: ExtractedDoc) -> PaperContext:
    """Pages that hold the paper's own code links (falling back to any code link), and title."""
    own = {lk.page for lk in doc.links if lk.own}
    code = {lk.page for lk in doc.links if lk.kind == "code"}
    return PaperContext(frozenset(own or code), doc.title or "")


def cue_distance(sentence: str, start: int, end: int, pattern: re.Pattern[str]) -> float:
    """1 - (characters between the hit and the nearest cue match) / WINDOW, floored at 0."""
    lo = max(0, start - WINDOW)
    best = WINDOW
    for m in pattern.finditer(sentence, lo, min(len(sentence), end + WINDOW)):
        gap = start - m.end() if m.end() <= start else max(0, m.start() - end)
        best = min(best, gap)
    return max(0.0, 1.0 - best / WINDOW)


def hit_features(hit: Hit, score: float, ctx: PaperContext) -> dict[str, float]:
    """Features of one hit's sentence (the sentence model's input)."""
    s, near = hit.sentence, hit.sentence[max(0, hit.start - WINDOW) : hit.end + WINDOW]
    tokens = s.split()
    numeric = sum(bool(NUMBER.match(t)) for t in tokens) / max(1, len(tokens))
    feats: dict[str, float] = {
        "bias_hit": 1.0,
        "rule_score": score,
        "region=" + hit.region: 1.0,
        "footnote": float(hit.footnote),
        "caption": float(bool(CAPTION.match(s))),
        "table_like": float(numeric >= 0.3),
        "first_person": float(bool(FIRST_PERSON.search(s))),
        "first_person_near": float(bool(FIRST_PERSON.search(near))),
        "past": float(bool(PAST.search(near))),
        "present": float(bool(PRESENT.search(near))),
        "modal": float(bool(MODAL.search(near))),
        "contrast": float(bool(COMPARISON.search(clause(hit)))),
        "frameworks_in_sentence": min(hit.n_frameworks, 4) / 4,
        "list_commas": min(near.count(","), 6) / 6,
        "code_url_in_sentence": float(bool(CODE_URL.search(s))),
        "own_link_page": float(hit.page in ctx.own_link_pages),
        "own_link_near": float(any(abs(hit.page - p) <= 1 for p in ctx.own_link_pages)),
        "library_term": float(hit.term != hit.framework),
        "position": hit.position,
    }
    for cue in hit.cues:
        feats["cue=" + cue] = 1.0
    for cue in DISTANCE_CUES:
        feats["near=" + cue] = cue_distance(s, hit.start, hit.end, CUES[cue])
    return feats


def pair_features(
    probs: Sequence[float],
    hits: Sequence[Hit],
    rule_scores: Sequence[float],
    title: str,
    n_paper_frameworks: int,
) -> dict[str, float]:
    """Paper-level features of one framework from its hits' sentence probabilities."""
    ranked = sorted(probs, reverse=True)
    noisy_or = 1.0 - math.prod(1.0 - min(p, 0.999) for p in ranked[:5])
    refs = sum(h.section == "references" for h in hits)
    return {
        "bias_pair": 1.0,
        "s_max": ranked[0] if ranked else 0.0,
        "s_top2": sum(ranked[:2]) / max(1, len(ranked[:2])),
        "s_noisy_or": noisy_or,
        "log_hits": math.log1p(len(hits)),
        "share_references": refs / max(1, len(hits)),
        "rules_max": max(rule_scores, default=0.0),
        "rules_uses": float(max(rule_scores, default=0.0) >= 0.55),
        "in_title": float(bool(title)),
        "software_title": float(bool(title) and bool(SOFTWARE_TITLE.search(title))),
        "comparison_title": float(bool(COMPARISON_TITLE.search(title))),
        "other_frameworks": min(n_paper_frameworks - 1, 4) / 4,
        "library_term": float(any(h.term != h.framework for h in hits)),
    }


class LinearScorer:
    """A logistic model from plain weights: sigmoid(bias + sum of weight * feature)."""

    def __init__(self, weights: Mapping[str, float], bias: float) -> None:
        self.weights = dict(weights)
        self.bias = bias

    def logit(self, feats: Mapping[str, float]) -> float:
        """The linear score of one feature dict."""
        return self.bias + sum(self.weights.get(k, 0.0) * v for k, v in feats.items())

    def __call__(self, feats: Mapping[str, float]) -> float:
        z = self.logit(feats)
        return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))


_WORD = re.compile(r"[a-z0-9]+")


def quote_tokens(quote: str) -> set[str]:
    """Lowercase word tokens of a gold evidence quote (ellipses dropped)."""
    return set(_WORD.findall(quote.lower()))


def parse_evidence(evidence: str) -> list[tuple[int, set[str]]]:
    """Gold `evidence` ("p3: quote | p5: quote") as (page, quote tokens); page 0 when unstated."""
    out = []
    for part in evidence.split(" | "):
        m = re.match(r"\s*p(\d+)\s*:\s*(.*)", part, re.S)
        page, quote = (int(m.group(1)), m.group(2)) if m else (0, part)
        tokens = quote_tokens(quote)
        if len(tokens) >= 3:
            out.append((page, tokens))
    return out


def matches_evidence(hit: Hit, quotes: Sequence[tuple[int, set[str]]], share: float = 0.6) -> bool:
    """True when most of some quote's words are in the hit's sentence (on its page, or +-1)."""
    words = set(_WORD.findall(hit.sentence.lower()))
    return any(
        (not page or abs(page - hit.page) <= 1) and len(q & words) >= share * len(q)
        for page, q in quotes
    )
