"""Combined verdict from the text signal and the code-repository signal, saying which decided (pure).

Rules per framework, when the paper's own repository may decide (not a fork or reimplementation):
- the repository's primary frameworks are `uses` (decided by `repo`, or `both` when text agrees);
- a text `uses` stands unless the repository is substantial (`STRONG_FILES` code files read),
  shows some other primary framework and never imports this one: then it is vetoed to `mentions`;
- otherwise the text label stands (decided by `both` when both say not used).
Without a deciding repository the text label stands, decided by `text`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from miner.records import Evidence, Prediction

NAME = "combined"
REPO_NAME = "repo"
"""Predictions from the repository signal alone (absent without a deciding repository)."""
LOGIC_VERSION = "1"
STRONG_FILES = 3


def combined_version(text_version: str, repo_version: str) -> str:
    """Version stamp of combined predictions: its own logic plus both inputs' versions."""
    return f"{LOGIC_VERSION}+text{text_version}+repo{repo_version}"


def repo_only_version(repo_version: str) -> str:
    """Version stamp of the repository-only predictions."""
    return f"{LOGIC_VERSION}+repo{repo_version}"


@dataclass(frozen=True, slots=True)
class RepoSignal:
    """What the paper's deciding repositories show, merged."""

    primary: frozenset[str]
    """Frameworks labelled primary by the detector."""
    seen: frozenset[str]
    """Every framework with any evidence (imports, dependency files, prototxt, Lua)."""
    code_files: int
    """Code files read across the repositories."""
    urls: tuple[str, ...] = ()
    evidence: tuple[Evidence, ...] = ()
    """One Evidence per repository and framework (files that showed it)."""
    found_by: tuple[str, ...] = ()
    """Where the deciding repositories came from (pdf, listing, ...; miner.repos.candidates)."""


@dataclass(frozen=True, slots=True)
class CombinedVerdict:
    """One framework's combined label and where it came from."""

    framework: str
    label: str
    confidence: float
    text_label: str
    repo_label: str
    """uses | mentions | absent, or empty without a deciding repository."""
    decided_by: str
    """text | repo | both"""
    agree: bool | None
    evidence: tuple[Evidence, ...] = ()
    """Repository evidence (section `repo`) first, then the text passages."""

    def prediction(self) -> Prediction:
        """The combined verdict as a Prediction."""
        return Prediction(self.framework, self.label, self.confidence, self.evidence)

    def repo_prediction(self) -> Prediction:
        """The repository signal alone as a Prediction (`absent` without a deciding repository)."""
        repo_ev = tuple(e for e in self.evidence if e.section == "repo")
        if not self.repo_label:
            return Prediction(self.framework, "absent", 1.0)
        return Prediction(self.framework, self.repo_label, 0.9, repo_ev)


def repo_label(framework: str, repo: RepoSignal) -> str:
    """uses (primary) | mentions (other evidence) | absent."""
    if framework in repo.primary:
        return "uses"
    return "mentions" if framework in repo.seen else "absent"


def combine(text: Sequence[Prediction], repo: RepoSignal | None) -> list[CombinedVerdict]:
    """Combined verdicts for every framework of the text predictions (plus repo-only ones)."""
    by_fw = {p.framework: p for p in text}
    frameworks = list(by_fw) + sorted((repo.primary if repo else frozenset()) - set(by_fw))
    out = []
    for fw in frameworks:
        t = by_fw.get(fw, Prediction(fw, "absent", 1.0))
        if repo is None:
            out.append(
                CombinedVerdict(fw, t.label, t.confidence, t.label, "", "text", None, t.evidence)
            )
            continue
        r = repo_label(fw, repo)
        ev = tuple(e for e in repo.evidence if e.term == fw) + t.evidence
        text_uses = t.label == "uses"
        if r == "uses":
            verdict = ("uses", 0.9, "both" if text_uses else "repo", text_uses)
        elif text_uses:
            veto = repo.code_files >= STRONG_FILES and r == "absent" and bool(repo.primary)
            verdict = (
                ("mentions", 0.7, "repo", False) if veto else ("uses", t.confidence, "text", False)
            )
        else:
            verdict = (t.label, t.confidence, "both", True)
        label, conf, decided, agree = verdict
        out.append(CombinedVerdict(fw, label, conf, t.label, r, decided, agree, ev))
    return out
