"""Rules that separate `uses` from `mentions` over sentences, with evidence (pure).

Every hit of a vocabulary term gets a use score in [0, 1] from its section and the cues around it
(`score_hit`); a framework is `uses` when its best hit reaches USE_THRESHOLD, `mentions` when it
is named otherwise, `absent` when it is not named at all (never guessed).
"""

from __future__ import annotations

import re
from collections import defaultdict

from classifiers.features import Hit, iter_hits, title_frameworks
from classifiers.labels import FRAMEWORKS, VOCABULARY_VERSION, Vocabulary, compile_terms
from miner.records import Evidence, ExtractedDoc, Prediction

RULES_VERSION = "4"
USE_THRESHOLD = 0.55
STRONG = ("implemented", "we-use", "based-on", "our-code")
COMPARISON = re.compile(
    r"\b(?:unlike|compared? (?:to|with|against)|comparison|comparing|in contrast|contrary|versus|"
    r"vs\.?|alternatives?|existing|other (?:deep learning )?frameworks|previous|prior work|"
    r"whereas|similar to|inspired by|port(?:ed)? (?:of|from)|outperform|faster than|slower than|"
    r"benchmark|than)\b",
    re.I,
)
_CLAUSE_END = re.compile(r"[;:]|,\s(?!and\b|or\b)")
_CONTRAST_NEXT = re.compile(r"[\s\d]*(?:\[[\d,\s]+\])?\s*,?\s*(?:rather than|instead of|whereas)\b")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
MAX_EVIDENCE = 10
SNIPPET = 150


def clause(hit: Hit, window: int = 90) -> str:
    """The hit's clause: up to the nearest `,;:` or parenthesis-free boundary on either side."""
    before = hit.sentence[max(0, hit.start - window) : hit.start]
    after = hit.sentence[hit.end : hit.end + window]
    before = _CLAUSE_END.split(before)[-1]
    after = _CLAUSE_END.split(after, maxsplit=1)[0]
    return before + hit.sentence[hit.start : hit.end] + after


def score_hit(hit: Hit) -> tuple[float, str]:
    """A use score in [0, 1] for one hit and the name of the rule that decided it.

    First the rules that make a hit a mention (references, citations, hypotheticals, contrast,
    others' code, URLs, related work), then the implementation cues, strongest first.
    """
    if hit.section == "references":
        return _in_references(hit)
    strong = next((name for name in STRONG if name in hit.cues), None)
    demoted = _demote(hit, strong)
    if demoted is not None:
        return demoted
    c = hit.cues
    if strong:
        return 0.9, "cue:" + strong
    if "using" in c or "trained" in c or "for-work" in c:
        return 0.65, "cue:using"
    if "version" in c:
        return 0.6, "cue:version"
    return 0.3, "mention"


def _in_references(hit: Hit) -> tuple[float, str]:
    # Section detection can file a trailing footnote under References: a sentence there
    # that states an implementation and looks like no bibliography entry still counts.
    c = hit.cues
    if {"implemented", "we-use"} & c and not (
        {"citation", "cited"} & c or _YEAR.search(hit.sentence)
    ):
        return 0.6, "references:implementation-sentence"
    return 0.0, "references"


def _demote(hit: Hit, strong: str | None) -> tuple[float, str] | None:
    """The mention-side verdict of a hit, or None when no such rule applies."""
    c = hit.cues
    if "citation" in c:
        return 0.05, "citation-like"
    if "hypothetical" in c and strong != "we-use":
        return 0.15, "hypothetical"
    after = hit.sentence[hit.end : hit.end + 40]
    if COMPARISON.search(clause(hit)) or _CONTRAST_NEXT.match(after) or hit.n_frameworks >= 3:
        return 0.2, "contrast"
    if "acks" in c and "thanks" in c:
        return 0.7, "acks:thanks-developers"
    for cue, score, rule in (("others", 0.3, "others-code"), ("url", 0.3, "url")):
        if cue in c:
            return score, rule
    if hit.region == "related":
        return 0.25, "related-work"
    if "example" in c:  # an example list ("such as", "e.g.") counts only with our own use
        return (0.7, "example+" + strong) if strong in ("we-use", "our-code") else (0.25, "example")
    return None


def snippet(hit: Hit) -> str:
    """The hit with up to SNIPPET characters either side."""
    return hit.sentence[max(0, hit.start - SNIPPET) : hit.end + SNIPPET].strip()


def evidence(hit: Hit, rule: str) -> Evidence:
    """Evidence record of a scored hit."""
    return Evidence(hit.page, hit.section, snippet(hit), rule, hit.term)


def collect_hits(
    doc: ExtractedDoc, compiled: Vocabulary | None = None
) -> tuple[dict[str, list[tuple[float, str, Hit]]], dict[str, str]]:
    """Scored hits per framework, and the frameworks named in the title (with the title)."""
    compiled = compiled or compile_terms()
    by_fw: dict[str, list[tuple[float, str, Hit]]] = defaultdict(list)
    for hit in iter_hits(doc, compiled):
        score, rule = score_hit(hit)
        by_fw[hit.framework].append((score, rule, hit))
    return by_fw, title_frameworks(doc, compiled)


def decide(framework: str, scored: list[tuple[float, str, Hit]], title: str) -> Prediction:
    """Rules verdict for one framework from its scored hits; `title` is set when it names it."""
    if not scored:
        return Prediction(framework, "absent", 1.0)
    ranked = sorted(scored, key=lambda s: -s[0])
    ev = tuple(evidence(h, rule) for _, rule, h in ranked[:MAX_EVIDENCE])
    best = ranked[0][0]
    if title:
        quoted = Evidence(1, "front", title[: 2 * SNIPPET], "title", framework)
        ev = (*ev[:1], quoted, *ev[1:]) if best >= USE_THRESHOLD else (quoted, *ev)
        return Prediction(framework, "uses", 0.95, ev)
    if best >= USE_THRESHOLD:
        return Prediction(framework, "uses", round(best, 3), ev)
    return Prediction(framework, "mentions", round(1.0 - best, 3), ev)


class RulesFrameworkClassifier:
    """Sentence rules: implementation cues in body/appendix make `uses`; other hits `mentions`."""

    NAME = "rules"
    VERSION = f"{RULES_VERSION}+vocab{VOCABULARY_VERSION}"
    USE_THRESHOLD = USE_THRESHOLD

    def __init__(self) -> None:
        self._terms = compile_terms()

    def predict_doc(self, doc: ExtractedDoc) -> list[Prediction]:
        """One Prediction per framework with the evidence of its best hits (best first)."""
        by_fw, titled = collect_hits(doc, self._terms)
        return [decide(fw, by_fw.get(fw, []), titled.get(fw, "")) for fw in FRAMEWORKS]
