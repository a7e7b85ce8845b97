"""Rules that separate `uses` from `mentions` over sentences, with evidence (pure)."""

from __future__ import annotations

import re
from collections import defaultdict

from classifiers.labels import FRAMEWORKS, VOCABULARY_VERSION, compile_terms, find_terms
from miner.records import Evidence, ExtractedDoc, Prediction

_SENT_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[A-Z(\[])")

# Cues that the paper's own work is built with the framework.
USE_CUES: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(p, re.I))
    for name, p in (
        (
            "implemented",
            r"\b(implemented|implement|implementation|coded|written|developed|built)\b",
        ),
        (
            "we-use",
            r"\b(we|our|i)\b.{0,60}\b(use|used|using|utilize|utilized|rely|relies|leverage)\b",
        ),
        ("using-x", r"\busing\b"),
        ("based-on", r"\b(based on|built on(?: top of)?|on top of|powered by|backend)\b"),
        ("our-code", r"\b(our|the) (code|software|library|package|toolkit|framework|models?)\b"),
        (
            "trained-with",
            r"\b(trained|train|training|run|ran|experiments?)\b.{0,40}\b(in|with|on)\b",
        ),
        ("version", r"\bv?\d+\.\d+(\.\d+)?\b"),
    )
)
# Cues that the sentence talks about others' work or compares frameworks.
CONTRAST_CUES = re.compile(
    r"\b(unlike|compared (to|with)|in contrast|such as|e\.g\.|popular|frameworks? like|"
    r"alternatives?|existing|other (deep learning )?frameworks|previous|prior work|"
    r"related work|whereas|similar to|inspired by|port(ed)? (of|from))\b",
    re.I,
)

_CITATION_ONLY = ("references",)


def iter_sentences(doc: ExtractedDoc) -> list[tuple[int, str, str]]:
    """(page, section, sentence) over the document in reading order."""
    out = []
    for block in doc.blocks:
        for sent in _SENT_SPLIT.split(block.text):
            if sent:
                out.append((block.page, block.section, sent))
    return out


def _snippet(sentence: str, start: int, end: int) -> str:
    return sentence[max(0, start - 150) : end + 150].strip()


def score_hit(section: str, sentence: str) -> tuple[float, str]:
    """A use score in [0, 1] for one framework hit and the name of the rule that decided it."""
    if section in _CITATION_ONLY:
        return 0.0, "references"
    contrast = CONTRAST_CUES.search(sentence) is not None
    fired = [name for name, pattern in USE_CUES if pattern.search(sentence)]
    strong = [
        f for f in fired if f in ("implemented", "we-use", "based-on", "our-code", "trained-with")
    ]
    if strong and not contrast:
        return 0.9, "cue:" + strong[0]
    if strong and contrast:
        return 0.45, "cue+contrast:" + strong[0]
    if fired and not contrast:
        return 0.6, "cue:" + fired[0]
    if contrast:
        return 0.1, "contrast"
    return 0.3, "mention"


class RulesFrameworkClassifier:
    """Sentence rules: implementation cues in body/appendix make `uses`; other hits `mentions`."""

    NAME = "rules"
    VERSION = f"1+vocab{VOCABULARY_VERSION}"
    USE_THRESHOLD = 0.55

    def __init__(self) -> None:
        self._terms = compile_terms()

    def predict_doc(self, doc: ExtractedDoc) -> list[Prediction]:
        """One Prediction per framework with the evidence of every hit (best first)."""
        hits: dict[str, list[tuple[float, Evidence]]] = defaultdict(list)
        for page, section, sentence in iter_sentences(doc):
            for term, start, end in find_terms(sentence, self._terms):
                score, rule = score_hit(section, sentence)
                ev = Evidence(
                    page,
                    section,
                    _snippet(sentence, start, end),
                    rule,
                    term.library or term.framework,
                )
                hits[term.framework].append((score, ev))
        out = []
        for fw in FRAMEWORKS:
            found = sorted(hits.get(fw, []), key=lambda h: -h[0])
            if not found:
                out.append(Prediction(fw, "absent", 1.0))
                continue
            best = found[0][0]
            evidence = tuple(ev for _, ev in found[:10])
            if best >= self.USE_THRESHOLD:
                out.append(Prediction(fw, "uses", round(best, 3), evidence))
            else:
                out.append(Prediction(fw, "mentions", round(1.0 - best, 3), evidence))
        return out
