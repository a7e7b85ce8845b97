"""Issue 14's targets measured against gold labels and repository facts (pure, no IO).

Truth per paper: the gold `uses` plus the framework of the paper's own code, where the gold
`official_code` is the repository `index.csv` records for that paper and its imports show a
listed framework. `score_targets` compares a text signal and the combined verdict with it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from miner.views import PaperView

GITHUB = "https://github.com/"


def repo_key(url: str) -> str:
    """`owner/name` of a normalized GitHub URL, lower case ('' for other hosts)."""
    url = url.strip().lower().rstrip("/").removesuffix(".git")
    return url.removeprefix(GITHUB) if url.startswith(GITHUB) else ""


def own_frameworks(
    gold: Iterable[Mapping[str, str]], index: Iterable[Mapping[str, str]]
) -> dict[str, str]:
    """slug -> framework of the paper's own code, for papers whose official code is the index's
    repository and shows a listed framework."""
    top = {row["slug"]: (row["repo"].lower(), row["top_framework_by_imports"]) for row in index}
    out = {}
    for row in gold:
        repo, fw = top.get(row["slug"], ("", "other"))
        if repo and repo == repo_key(row.get("official_code", "")) and fw != "other":
            out[row["slug"]] = fw
    return out


@dataclass
class SignalScore:
    """`uses` of one signal against the truth."""

    name: str
    found: int = 0
    """Target papers whose own-code framework the signal calls `uses`."""
    correct: int = 0
    claimed: int = 0
    """(paper, framework) `uses` pairs, and how many are in the truth."""
    missed: list[str] = field(default_factory=list)
    wrong: list[str] = field(default_factory=list)
    """`slug:framework` of the `uses` pairs not in the truth."""

    def precision(self) -> float:
        """Share of `uses` pairs that are true."""
        return self.correct / self.claimed if self.claimed else 0.0


@dataclass
class TargetReport:
    """Everything the bench prints."""

    papers: int = 0
    target: int = 0
    """Papers whose PDF links their own code in a listed framework."""
    official: int = 0
    extracted: int = 0
    """Official code among the PDF's extracted repository links (any kind)."""
    linked: int = 0
    """... and among the code links the repository stage reads."""
    flagged_own: int = 0
    deciding: int = 0
    deciding_other: list[str] = field(default_factory=list)
    """Papers decided by a repository other than their official code."""
    lost: list[str] = field(default_factory=list)
    """Papers whose official code is linked in the PDF but does not decide, with the reason."""
    signals: list[SignalScore] = field(default_factory=list)


def _uses(view: PaperView) -> set[str]:
    return {v.framework for v in view.verdicts if v.label == "uses"}


def score_targets(
    gold: Sequence[Mapping[str, str]],
    index: Sequence[Mapping[str, str]],
    views: Mapping[str, Sequence[PaperView]],
    links: Sequence[Mapping[str, Any]],
) -> TargetReport:
    """Compare each signal's PaperViews (name -> views) and the repository links
    (`miner.repos.summary.repo_listing` rows) with gold and facts."""
    own_fw = own_frameworks(gold, index)
    first = next(iter(views.values()))
    pid_by_sha = {v.sha256: v.id for v in first if v.sha256}
    first_by_id = {v.id: v for v in first}
    by_signal = {name: {v.id: v for v in vs} for name, vs in views.items()}
    rows_by_pid: dict[int, list[Mapping[str, Any]]] = {}
    for row in links:
        rows_by_pid.setdefault(int(row["paper_id"]), []).append(row)
    report = TargetReport(signals=[SignalScore(name) for name in views])
    for g in gold:
        pid = pid_by_sha.get(g["sha256"])
        if pid is None:
            continue
        report.papers += 1
        official = repo_key(g.get("official_code", ""))
        in_pdf = official and official in {repo_key(u) for u in g.get("code_links", "").split(";")}
        rows = rows_by_pid.get(pid, [])
        mine = [r for r in rows if repo_key(str(r["url"])) == official] if official else []
        if official:
            report.official += 1
            report.extracted += official in {repo_key(u) for u in first_by_id[pid].code_links}
            report.linked += bool(mine)
            report.flagged_own += any(r["role"] == "own" for r in mine)
            report.deciding += any(r["decides"] for r in mine)
            if in_pdf and not any(r["decides"] for r in mine):
                why = ",".join(sorted({str(r["reason"]) for r in mine})) or "not extracted"
                report.lost.append(f"{g['slug']} ({why})")
        if any(r["decides"] and repo_key(str(r["url"])) != official for r in rows):
            report.deciding_other.append(g["slug"])
        truth = {fw for fw in g.get("uses", "").split(";") if fw}
        target = own_fw.get(g["slug"]) if in_pdf else None
        report.target += target is not None
        if target:
            truth.add(target)
        for score in report.signals:
            used = _uses(by_signal[score.name][pid])
            score.claimed += len(used)
            score.correct += len(used & truth)
            score.wrong += [f"{g['slug']}:{fw}" for fw in sorted(used - truth)]
            if target:
                if target in used:
                    score.found += 1
                else:
                    score.missed.append(g["slug"])
    return report


def render(report: TargetReport) -> list[str]:
    """The report as text lines."""
    pct = lambda n, d: f"{n}/{d} = {n / d:.1%}" if d else f"{n}/0"  # noqa: E731
    lines = [
        f"gold papers in the database: {report.papers}; with official code: {report.official}",
        f"official code among the PDF's extracted links: {pct(report.extracted, report.official)};"
        f" among the stage's code links: {pct(report.linked, report.official)};"
        f" flagged own: {pct(report.flagged_own, report.official)};"
        f" deciding: {pct(report.deciding, report.official)}",
        f"papers decided by another repository than their official code: "
        f"{len(report.deciding_other)} {report.deciding_other}",
        f"linked in the PDF but not deciding: {len(report.lost)} {report.lost}",
        f"target papers (PDF links own code in a listed framework): {report.target}",
        "signal        finds own-code framework     uses precision",
    ]
    for s in report.signals:
        lines.append(
            f"{s.name:12}  {pct(s.found, report.target):26}  {pct(s.correct, s.claimed)}"
            + (f"  missed: {s.missed}" if s.missed else "")
            + (f"  wrong: {s.wrong}" if s.wrong else "")
        )
    return lines
