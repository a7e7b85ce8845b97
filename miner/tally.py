"""Framework tallies with Wilson intervals and explicit denominators, from the read model's
grouped counts (db.queries; DB reads only, no other IO)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from classifiers import DEFAULT_CLASSIFIER, SIGNAL_NAMES, ClassifierId, identify
from classifiers.combined import NAME as COMBINED
from classifiers.labels import FRAMEWORKS
from db import Engine
from db.decisions import DECIDED, NONE_REASONS, decision_counts, has_predictions, none_reasons
from db.queries import BY_CHOICES, Group, group_denominators, group_label_counts
from miner.errors import UsageError
from miner.extract import EXTRACTOR_VERSION
from miner.views import NONE, UNDETERMINED

BASELINE_CLASSIFIER = "keyword-baseline"
Z95 = 1.959963984540054


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
    """Per-group counts of one classifier version (see db.queries)."""

    uses: dict[Group, dict[str, int]]
    mentions: dict[Group, dict[str, int]]
    denominators: dict[Group, dict[str, int]]
    decided: dict[Group, dict[str, dict[str, int]]] = field(default_factory=dict)
    """Combined verdicts only: per framework, uses decided by text / repo / both, disagree."""
    reasons: dict[Group, dict[str, int]] = field(default_factory=dict)
    """Combined verdicts only: why classified papers have no use (db.decisions.NONE_REASONS)."""

    def classified(self, group: Group) -> int:
        return self.denominators.get(group, {}).get("classified", 0)

    def with_any(self, group: Group) -> int:
        return self.denominators.get(group, {}).get("with_any", 0)


def _counts(
    engine: Engine, clf: ClassifierId, *, by: str, venue: str | None, year: int | None
) -> _Counts:
    counts = _Counts(
        uses=group_label_counts(engine, clf, by=by, label="uses", venue=venue, year=year),
        mentions=group_label_counts(engine, clf, by=by, label="mentions", venue=venue, year=year),
        denominators=group_denominators(engine, clf, by=by, venue=venue, year=year),
    )
    if clf.NAME == COMBINED:
        counts.decided = decision_counts(engine, clf, by=by, venue=venue, year=year)
        counts.reasons = none_reasons(engine, clf, by=by, venue=venue, year=year)
    return counts


def headline_classifier(engine: Engine, classifier: str | None = None) -> str:
    """The classifier an output counts: `classifier` when given; else `combined` (text plus the
    paper's own code) when `miner repos` wrote it for the current versions, else the text
    classifier (`rules`)."""
    if classifier:
        return classifier
    return COMBINED if has_predictions(engine, identify(COMBINED)) else DEFAULT_CLASSIFIER


def tally(
    engine: Engine,
    *,
    classifier: str | None = None,
    venue: str | None = None,
    year: int | None = None,
    framework: str | Sequence[str] | None = None,
    by: str = "venue,year",
    include_mentions: bool = False,
    baseline: bool = False,
) -> list[TallyRow]:
    """Rows per group (`venue`, `year` or `venue,year`) and framework, largest first, then `(none)`
    and `(undetermined)`. Raises UsageError for an unknown classifier, framework or grouping.

    Without a classifier, counts `headline_classifier` (combined when repositories were read).
    Combined rows add who decided (`decided_by_text`, `_code`, `_both`, `disagree`) and, on
    `(none)`, why (`none_no_listed_framework_in_code`, `none_no_own_code`, `none_not_analysed`).
    """
    classifier = headline_classifier(engine, classifier)
    if by not in BY_CHOICES:
        raise UsageError(f"--by must be one of {', '.join(BY_CHOICES)}, not {by!r}")
    only = [framework] if isinstance(framework, str) else list(framework or ())
    for fw in only:
        if fw not in (*FRAMEWORKS, NONE, UNDETERMINED):
            raise UsageError(f"unknown framework {fw!r}; known: {', '.join(FRAMEWORKS)}")
    clf = resolve_classifier(classifier)
    main = _counts(engine, clf, by=by, venue=venue, year=year)
    base = None
    if baseline:
        bclf = resolve_classifier(BASELINE_CLASSIFIER)
        base = _counts(engine, bclf, by=by, venue=venue, year=year)
        if sum(map(main.classified, main.denominators)) and not sum(
            map(base.classified, base.denominators)
        ):
            raise UsageError(
                f"no {bclf.NAME} {bclf.VERSION} predictions for these papers; "
                f"run `miner classify --classifier {bclf.NAME}` first"
            )
    rows: list[TallyRow] = []
    for group in sorted(main.denominators, key=lambda g: (str(g[0] or ""), g[1] or 0)):
        d = Denominators(**main.denominators[group])
        uses = main.uses.get(group, {})
        names = {f for f in FRAMEWORKS if uses.get(f)}
        if include_mentions:
            names |= {f for f in FRAMEWORKS if main.mentions.get(group, {}).get(f)}
        if base is not None:
            names |= {f for f in FRAMEWORKS if base.uses.get(group, {}).get(f)}
        ordered = sorted(names, key=lambda f: (-uses.get(f, 0), f)) + [NONE, UNDETERMINED]
        if only:
            ordered = [fw for fw in (*ordered, *only) if fw in only]
            ordered = list(dict.fromkeys(ordered))
        for fw in ordered:
            rows.append(_row(group, fw, d, main, base, include_mentions, clf))
    return rows


def _row(
    group: Group,
    fw: str,
    d: Denominators,
    main: _Counts,
    base: _Counts | None,
    include_mentions: bool,
    clf: ClassifierId,
) -> TallyRow:
    """One tally row; the pseudo-frameworks count the papers no framework row covers."""
    extras: dict[str, Any] = {}
    if clf.NAME == COMBINED:
        extras.update(_decision_extras(group, fw, main))
    if fw == NONE:
        k = d.classified - d.with_any
        share, low, high = _ratio(k, d.classified), *wilson(k, d.classified)
        any_share = any_low = any_high = None
    elif fw == UNDETERMINED:
        k = d.papers - d.classified
        share = low = high = any_share = any_low = any_high = None
    else:
        k = main.uses.get(group, {}).get(fw, 0)
        share, low, high = _ratio(k, d.classified), *wilson(k, d.classified)
        any_share, any_low, any_high = _ratio(k, d.with_any), *wilson(k, d.with_any)
    if include_mentions:
        pseudo = fw in (NONE, UNDETERMINED)
        extras["mentions_only"] = None if pseudo else main.mentions.get(group, {}).get(fw, 0)
    if base is not None:
        n = base.classified(group)
        if fw == NONE:
            bk: int | None = n - base.with_any(group)
        elif fw == UNDETERMINED:
            bk = None
        else:
            bk = base.uses.get(group, {}).get(fw, 0)
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
        clf.NAME,
        clf.VERSION,
        extras=extras,
    )


def _decision_extras(group: Group, fw: str, main: _Counts) -> dict[str, int | None]:
    """Who decided a combined row's uses and, on `(none)`, why those papers have none (every
    combined row carries every key, None where it does not apply, so CSV columns line up)."""
    cells = main.decided.get(group, {}).get(fw, {})
    framework = fw not in (NONE, UNDETERMINED)
    out: dict[str, int | None] = {
        f"decided_by_{'code' if d == 'repo' else d}": cells.get(d, 0) if framework else None
        for d in DECIDED
    }
    out["disagree"] = cells.get("disagree", 0) if framework else None
    reasons = main.reasons.get(group, {})
    out |= {f"none_{r}": reasons.get(r, 0) if fw == NONE else None for r in NONE_REASONS}
    return out


def resolve_classifier(name: str) -> ClassifierId:
    """Name and version of a registered classifier or of `combined` / `repo` (written by
    `miner repos`); UsageError naming the known ones otherwise."""
    try:
        return identify(name)
    except KeyError as exc:
        raise UsageError(str(exc.args[0])) from None


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
        fix = (
            "`miner repos`"
            if r.classifier in SIGNAL_NAMES
            else f"`miner classify --classifier {r.classifier}`"
        )
        out.append(
            f"{ok - classified} papers read but not classified by {r.classifier} "
            f"{r.classifier_version} are left out of the shares; run {fix}"
        )
    return out


__all__ = [
    "NONE",
    "UNDETERMINED",
    "TallyRow",
    "headline_classifier",
    "resolve_classifier",
    "tally",
    "tally_warnings",
    "wilson",
]
