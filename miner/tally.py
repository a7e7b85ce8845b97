"""Read-only queries: framework tallies with Wilson intervals and explicit denominators, stage
status, paper listings (DB reads only, no other IO)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from classifiers import FrameworkClassifier, get_classifier
from classifiers.labels import FRAMEWORKS
from db import store
from db.schema import Extraction, Paper, Prediction
from miner.errors import UsageError
from miner.extract import EXTRACTOR_VERSION
from miner.listing import failures, papers_listing, status_counts
from miner.repos.signals import REPO_SIGNALS, ClassifierId
from miner.repos.signals import resolve_classifier as resolve_signal

BASELINE_CLASSIFIER = "keyword-baseline"
NONE = "(none)"
"""Pseudo-framework: papers read and classified where no framework use was found."""
UNDETERMINED = "(undetermined)"
"""Pseudo-framework: papers listed but not classified (PDF missing, unreadable or pending)."""
BY_CHOICES = ("venue", "year", "venue,year", "all")
Z95 = 1.959963984540054

Group = tuple[str | None, int | None]


def wilson(k: int, n: int, z: float = Z95) -> tuple[float | None, float | None]:
    """Wilson score interval for k successes in n trials; (None, None) when n == 0."""
    if n <= 0:
        return None, None
    if not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    # Clamp so float rounding never leaves p outside its own interval (k = 0 or k = n).
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def _ratio(k: int, n: int) -> float | None:
    return k / n if n else None


@dataclass(frozen=True, slots=True)
class Denominators:
    """How many papers of a group reached each stage."""

    papers: int = 0
    """Papers listed."""
    with_pdf: int = 0
    """Papers with a PDF on file."""
    missing_pdf: int = 0
    """Papers listed without a PDF (download failed or pending)."""
    extracted_ok: int = 0
    """Papers whose PDF was read."""
    failed: int = 0
    """Papers whose PDF could not be read (no_text, corrupt, encrypted...)."""
    classified: int = 0
    """Papers read and labelled by the classifier version: the denominator of `share`."""
    with_any: int = 0
    """Classified papers that use at least one framework: the denominator of `share_of_with_any`."""


@dataclass(frozen=True, slots=True)
class TallyRow:
    """Papers of one group that USE one framework, the shares with 95% Wilson intervals, and the
    denominators behind them. `(none)` and `(undetermined)` rows count the rest explicitly."""

    venue: str | None
    year: int | None
    framework: str
    uses: int
    share: float | None
    """uses / classified (papers read and labelled)."""
    share_low: float | None
    share_high: float | None
    share_of_with_any: float | None
    """uses / with_any (papers using any framework)."""
    with_any_low: float | None
    with_any_high: float | None
    papers: int
    with_pdf: int
    missing_pdf: int
    extracted_ok: int
    failed: int
    classified: int
    with_any: int
    classifier: str
    classifier_version: str
    extractor_version: str = EXTRACTOR_VERSION
    extras: dict[str, Any] = field(default_factory=dict)
    """Optional side columns: `mentions_only` (--include-mentions) and `baseline_*` (--baseline)."""

    def as_dict(self) -> dict[str, Any]:
        """Plain flat dict for JSON/CSV (extras merged in as columns)."""
        out = asdict(self)
        out.update(out.pop("extras"))
        return out


@dataclass(slots=True)
class _Counts:
    """Raw per-group counts for one classifier version."""

    uses: dict[Group, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    mentions: dict[Group, Counter[str]] = field(default_factory=lambda: defaultdict(Counter))
    with_any: Counter[Group] = field(default_factory=Counter)
    classified: Counter[Group] = field(default_factory=Counter)


def tally(
    engine: Engine,
    *,
    classifier: str,
    venue: str | None = None,
    year: int | None = None,
    framework: str | None = None,
    by: str = "venue,year",
    include_mentions: bool = False,
    baseline: bool = False,
) -> list[TallyRow]:
    """Rows per group (`venue`, `year` or `venue,year`) and framework, largest first, then `(none)`
    and `(undetermined)`. Raises UsageError for an unknown classifier, framework or grouping."""
    if by not in BY_CHOICES:
        raise UsageError(f"--by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    if framework is not None and framework not in (*FRAMEWORKS, NONE, UNDETERMINED):
        raise UsageError(f"unknown framework {framework!r}; known: {', '.join(FRAMEWORKS)}")
    clf = resolve_classifier(classifier)
    with Session(engine) as session:
        groups, denoms = _denominators(session, venue=venue, year=year, by=by)
        ok_ids = {pid for pid, (_, ok) in groups.items() if ok}
        main = _counts(session, groups, ok_ids, clf.NAME, clf.VERSION)
        base = None
        if baseline:
            bclf = resolve_classifier(BASELINE_CLASSIFIER)
            base = _counts(session, groups, ok_ids, bclf.NAME, bclf.VERSION)
            if sum(main.classified.values()) and not sum(base.classified.values()):
                raise UsageError(
                    f"no {bclf.NAME} {bclf.VERSION} predictions for these papers; "
                    f"run `miner classify --classifier {bclf.NAME}` first"
                )
    rows: list[TallyRow] = []
    for group in sorted(denoms, key=lambda g: (str(g[0] or ""), g[1] or 0)):
        d = replace(denoms[group], classified=main.classified[group], with_any=main.with_any[group])
        uses = main.uses[group]
        names = {f for f in FRAMEWORKS if uses[f]}
        if include_mentions:
            names |= {f for f in FRAMEWORKS if main.mentions[group][f]}
        if base is not None:
            names |= {f for f in FRAMEWORKS if base.uses[group][f]}
        ordered = sorted(names, key=lambda f: (-uses[f], f)) + [NONE, UNDETERMINED]
        if framework is not None:
            ordered = [framework]
        for fw in ordered:
            rows.append(_row(group, fw, d, main, base, include_mentions, clf.NAME, clf.VERSION))
    return rows


def _row(
    group: Group,
    fw: str,
    d: Denominators,
    main: _Counts,
    base: _Counts | None,
    include_mentions: bool,
    name: str,
    version: str,
) -> TallyRow:
    """One tally row; the pseudo-frameworks count the papers no framework row covers."""
    extras: dict[str, Any] = {}
    if fw == NONE:
        k = d.classified - d.with_any
        share, low, high = _ratio(k, d.classified), *wilson(k, d.classified)
        any_share = any_low = any_high = None
    elif fw == UNDETERMINED:
        k = d.papers - d.classified
        share = low = high = any_share = any_low = any_high = None
    else:
        k = main.uses[group][fw]
        share, low, high = _ratio(k, d.classified), *wilson(k, d.classified)
        any_share, any_low, any_high = _ratio(k, d.with_any), *wilson(k, d.with_any)
    if include_mentions:
        pseudo = fw in (NONE, UNDETERMINED)
        extras["mentions_only"] = None if pseudo else main.mentions[group][fw]
    if base is not None:
        n = base.classified[group]
        if fw == NONE:
            bk: int | None = n - base.with_any[group]
        elif fw == UNDETERMINED:
            bk = None
        else:
            bk = base.uses[group][fw]
        extras["baseline_uses"] = bk
        extras["baseline_share"] = None if bk is None else _ratio(bk, n)
        bclf = resolve_classifier(BASELINE_CLASSIFIER)
        extras["baseline_classifier"] = f"{bclf.NAME} {bclf.VERSION}"
    return TallyRow(
        group[0],
        group[1],
        fw,
        k,
        share,
        low,
        high,
        any_share,
        any_low,
        any_high,
        d.papers,
        d.with_pdf,
        d.missing_pdf,
        d.extracted_ok,
        d.failed,
        d.classified,
        d.with_any,
        name,
        version,
        extras=extras,
    )


def resolve_classifier(name: str) -> FrameworkClassifier | ClassifierId:
    """The registered classifier, or `combined` / `repo` (written by `miner repos`, issue 9);
    UsageError naming the known ones otherwise."""
    if name in REPO_SIGNALS:
        return resolve_signal(name)
    try:
        return get_classifier(name)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


def _denominators(
    session: Session, *, venue: str | None, year: int | None, by: str
) -> tuple[dict[int, tuple[Group, bool]], dict[Group, Denominators]]:
    """Each selected paper's group and whether it was read; per-group stage counts."""
    q = select(Paper.id, Paper.venue, Paper.year, Paper.pdf_sha256)
    q = store.where_venue_year(q, venue, year)
    status = dict(
        session.execute(
            select(Extraction.paper_id, Extraction.status).where(
                Extraction.extractor_version == EXTRACTOR_VERSION
            )
        ).all()
    )
    counts: dict[Group, Counter[str]] = defaultdict(Counter)
    groups: dict[int, tuple[Group, bool]] = {}
    for pid, v, y, sha in session.execute(q):
        group = (v if "venue" in by else None, y if "year" in by else None)
        st = status.get(pid)
        groups[pid] = (group, st == "ok")
        c = counts[group]
        c["papers"] += 1
        c["with_pdf" if sha else "missing_pdf"] += 1
        if st == "ok":
            c["extracted_ok"] += 1
        elif st is not None:
            c["failed"] += 1
    return groups, {g: Denominators(**c) for g, c in counts.items()}


def _counts(
    session: Session,
    groups: dict[int, tuple[Group, bool]],
    ok_ids: set[int],
    name: str,
    version: str,
) -> _Counts:
    """Per group: papers classified, using each framework, mentioning it only, using any."""
    out = _Counts()
    seen: set[int] = set()
    users: set[int] = set()
    for pid, fw, label in session.execute(
        select(Prediction.paper_id, Prediction.framework, Prediction.label).where(
            Prediction.classifier == name, Prediction.classifier_version == version
        )
    ):
        if pid not in ok_ids:
            continue
        group = groups[pid][0]
        if pid not in seen:
            seen.add(pid)
            out.classified[group] += 1
        if label == "uses":
            out.uses[group][fw] += 1
            if pid not in users:
                users.add(pid)
                out.with_any[group] += 1
        elif label == "mentions":
            out.mentions[group][fw] += 1
    return out


def tally_warnings(rows: list[TallyRow]) -> list[str]:
    """What a reader of these rows must be told: papers read but not classified, failures."""
    seen: dict[Group, TallyRow] = {}
    for r in rows:
        seen.setdefault((r.venue, r.year), r)
    ok = sum(r.extracted_ok for r in seen.values())
    classified = sum(r.classified for r in seen.values())
    out = []
    if ok > classified and rows:
        r = rows[0]
        out.append(
            f"{ok - classified} papers read but not classified by {r.classifier} "
            f"{r.classifier_version} are left out of the shares; "
            f"run `miner classify --classifier {r.classifier}`"
        )
    return out


__all__ = [
    "NONE",
    "UNDETERMINED",
    "TallyRow",
    "failures",
    "resolve_classifier",
    "papers_listing",
    "status_counts",
    "tally",
    "tally_warnings",
    "wilson",
]
