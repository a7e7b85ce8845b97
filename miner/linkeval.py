"""Score extracted code links against gold labels: precision, recall, official-code accuracy (pure)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from miner.gold import GoldPaper


@dataclass(frozen=True, slots=True)
class PaperLinks:
    """What the extractor found for one paper."""

    sha256: str
    name: str
    """File name stem (the gold `slug` of corpus papers)."""
    code_links: frozenset[str]
    """Lowercase normalized code-host repo URLs."""
    official: str = ""
    """Lowercase URL of the paper's own code repo, or empty."""


@dataclass(slots=True)
class LinkScores:
    """Micro-averaged link scores over the gold papers found in the database."""

    papers: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    official_correct: int = 0
    not_found: list[str] = field(default_factory=list)
    """Gold papers with no extraction in the database."""
    misses: list[dict[str, str]] = field(default_factory=list)
    """One row per false positive, false negative and wrong official-code verdict."""

    @property
    def precision(self) -> float:
        """tp / (tp + fp); 1.0 when nothing was predicted."""
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        """tp / (tp + fn); 1.0 when gold has no links."""
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def official_accuracy(self) -> float:
        """Share of papers whose official-code verdict (a URL or none) matches gold."""
        return self.official_correct / self.papers if self.papers else 0.0

    def as_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output."""
        return {
            "papers": self.papers,
            "precision": round(self.precision, 4),
            "recall": round(self.recall, 4),
            "official_accuracy": round(self.official_accuracy, 4),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "official_correct": self.official_correct,
            "not_found": self.not_found,
            "misses": self.misses,
        }


def match_gold(gold: GoldPaper, found: Mapping[str, PaperLinks]) -> PaperLinks | None:
    """The extraction of a gold paper, matched by sha256, else by file name = slug."""
    if gold.sha256 and gold.sha256 in found:
        return found[gold.sha256]
    if gold.slug:
        for p in found.values():
            if p.name.lower() == gold.slug.lower():
                return p
    return None


def evaluate_links(gold: Sequence[GoldPaper], found: Mapping[str, PaperLinks]) -> LinkScores:
    """Compare found code links and official code with gold (URLs compared lowercase)."""
    scores = LinkScores()
    for g in gold:
        label = g.slug or g.sha256[:12]
        p = match_gold(g, found)
        if p is None:
            scores.not_found.append(label)
            continue
        scores.papers += 1
        expected = {u.lower().rstrip("/") for u in g.code_links}
        got = {u.lower() for u in p.code_links}
        scores.tp += len(expected & got)
        for url in sorted(got - expected):
            scores.fp += 1
            scores.misses.append({"paper": label, "miss": "false_positive", "url": url})
        for url in sorted(expected - got):
            scores.fn += 1
            scores.misses.append({"paper": label, "miss": "false_negative", "url": url})
        if p.official.lower() == g.official_code:
            scores.official_correct += 1
        else:
            scores.misses.append(
                {
                    "paper": label,
                    "miss": "official_code",
                    "url": p.official or "(none)",
                    "expected": g.official_code or "(none)",
                }
            )
    return scores
