"""Charts of tally rows with matplotlib (Agg, no pyplot state): framework share over years per
venue with 95% intervals, and uses per venue as stacked bars. Writes PNG or SVG files."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from classifiers.labels import FRAMEWORKS
from miner.errors import UsageError
from miner.tally import NONE, UNDETERMINED, TallyRow

KINDS = ("trend", "venues")
TOP = 6
"""Frameworks drawn in a trend chart unless asked for by name."""
MIN_INTERVAL_N = 10
"""Groups with fewer classified papers get no interval bar (a 95% interval over a handful of
papers spans most of 0-100% and says nothing) and no line to the next year."""
PSEUDO_COLOURS = {NONE: "#bbbbbb", UNDETERMINED: "#ffffff"}


def _figure(width: float, height: float) -> Any:
    """A Figure on the Agg canvas, never registered with pyplot."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    matplotlib.rcParams["svg.hashsalt"] = "framework-miner"  # stable SVG ids across runs
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def colour(framework: str) -> str:
    """A fixed colour per framework, so every chart agrees."""
    if framework in PSEUDO_COLOURS:
        return PSEUDO_COLOURS[framework]
    palette = [
        "#d62728",
        "#ff7f0e",
        "#1f77b4",
        "#2ca02c",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#7f7f7f",
        "#bcbd22",
        "#17becf",
        "#ff9896",
        "#aec7e8",
        "#98df8a",
        "#c5b0d5",
    ]
    i = FRAMEWORKS.index(framework) if framework in FRAMEWORKS else len(FRAMEWORKS) - 1
    return palette[i % len(palette)]


def _top(rows: Sequence[TallyRow], n: int) -> list[str]:
    """The n frameworks with the most uses over all rows (ties by vocabulary order)."""
    total: dict[str, int] = defaultdict(int)
    for r in rows:
        if r.framework not in (NONE, UNDETERMINED):
            total[r.framework] += r.uses
    ranked = sorted((f for f, k in total.items() if k), key=lambda f: (-total[f], _order(f)))
    return ranked[:n]


def _order(framework: str) -> int:
    return FRAMEWORKS.index(framework) if framework in FRAMEWORKS else len(FRAMEWORKS)


def _title(rows: Sequence[TallyRow]) -> str:
    return f"classifier {rows[0].classifier} {rows[0].classifier_version}" if rows else ""


def trend_figure(rows: Sequence[TallyRow], frameworks: Iterable[str] | None = None) -> Any:
    """One panel per venue: share of classified papers using each framework, per year, with its
    95% Wilson interval as error bars. Needs rows grouped by venue and year."""
    wanted = set(frameworks) if frameworks else set(_top(rows, TOP))
    classified = {(r.venue, r.year): r.classified for r in rows if r.year is not None}
    found: dict[tuple[str | None, str], dict[int, TallyRow]] = defaultdict(dict)
    for r in rows:
        if r.framework in (NONE, UNDETERMINED) or r.year is None or not r.uses:
            continue
        if r.framework in wanted:
            found[(r.venue, r.framework)][r.year] = r
    venues = sorted({v for v, _ in classified}, key=str) or [None]
    n_years = max([len({y for v, y in classified if v == venue}) for venue in venues] + [1])
    fig = _figure(max(4.2, 0.45 * n_years + 2.0) * len(venues) + 1.5, 3.4)
    axes = fig.subplots(1, len(venues), squeeze=False, sharey=True)[0]
    for ax, venue in zip(axes, venues, strict=True):
        # Years where nothing was classified have no share: leave them out, don't draw a 0.
        years = sorted(y for (v, y), n in classified.items() if v == venue and n and y is not None)
        names = sorted({f for v, f in found if v == venue}, key=_order)
        for i, fw in enumerate(names):
            _trend_line(ax, fw, years, found[(venue, fw)], classified, venue, i, len(names))
        ax.set_title(str(venue or "all venues"))
        ax.set_xticks(years, [str(y) for y in years], rotation=45 if len(years) > 6 else 0)
        ax.set_xlabel("year")
        ax.set_ylim(-0.03, 1.05)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("share of classified papers using it")
    handles, labels = axes[0].get_legend_handles_labels()
    for ax in axes[1:]:
        for h, label in zip(*ax.get_legend_handles_labels(), strict=True):
            if label not in labels:
                handles.append(h)
                labels.append(label)
    if handles:
        fig.legend(handles, labels, loc="outside right upper", fontsize="small")
    drawn = len({f for _, f in found})
    note = f", top {drawn}" if not frameworks and len(_top(rows, len(FRAMEWORKS))) > drawn else ""
    fig.suptitle(f"Framework use over time ({_title(rows)}{note})", fontsize="medium")
    fig.supxlabel(
        f"hollow: no paper of that year uses it; bars: 95% Wilson interval, drawn for years "
        f"with at least {MIN_INTERVAL_N} classified papers",
        fontsize="x-small",
    )
    return fig


def _trend_line(
    ax: Any,
    fw: str,
    years: list[int],
    pts: dict[int, TallyRow],
    classified: dict[tuple[str | None, int], int],
    venue: str | None,
    i: int,
    n: int,
) -> None:
    """One framework's share per year: a marker per year (hollow for 0), lines only between
    consecutive years that both have MIN_INTERVAL_N papers, interval bars only for those."""
    # Nudged sideways so overlapping frameworks stay readable.
    xs = [y + 0.5 * (i - (n - 1) / 2) / max(n, 1) for y in years]
    ys = [(pts[y].share or 0.0) if y in pts else 0.0 for y in years]
    big = [classified[(venue, y)] >= MIN_INTERVAL_N for y in years]
    c = colour(fw)
    ax.plot(xs, ys, linestyle="none", marker="o", markersize=4, color=c, label=fw)
    zeros = [(x, y) for x, y, yr in zip(xs, ys, years, strict=True) if yr not in pts]
    if zeros:
        ax.plot(
            *zip(*zeros, strict=True),
            linestyle="none",
            marker="o",
            markersize=4,
            markerfacecolor="white",
            color=c,
        )
    for k in range(len(years) - 1):
        if big[k] and big[k + 1] and years[k + 1] - years[k] == 1:
            ax.plot(xs[k : k + 2], ys[k : k + 2], color=c, linewidth=1.2, alpha=0.85)
    for x, y, yr, ok in zip(xs, ys, years, big, strict=True):
        if ok and yr in pts and pts[yr].share_low is not None:
            low, high = pts[yr].share_low or 0.0, pts[yr].share_high or 0.0
            ax.errorbar(
                [x],
                [y],
                yerr=[[max(0.0, y - low)], [max(0.0, high - y)]],
                color=c,
                capsize=2,
                elinewidth=0.8,
                linestyle="none",
            )


def venues_figure(rows: Sequence[TallyRow]) -> Any:
    """One stacked bar per venue: papers using each framework, then `(none)` and
    `(undetermined)`. A paper using two frameworks counts in both, so bars can exceed the
    number of papers. Needs rows grouped by venue."""
    venues = sorted({r.venue for r in rows}, key=str)
    frameworks = sorted(
        {r.framework for r in rows if r.framework not in (NONE, UNDETERMINED) and r.uses},
        key=_order,
    )
    counts = {(r.venue, r.framework): r.uses for r in rows}
    fig = _figure(max(3.5, 1.3 * len(venues) + 2.5), 3.2)
    ax = fig.subplots()
    x = list(range(len(venues)))
    bottom = [0.0] * len(venues)
    for fw in [*frameworks, NONE, UNDETERMINED]:
        heights = [float(counts.get((v, fw), 0)) for v in venues]
        ax.bar(
            x,
            heights,
            bottom=bottom,
            color=colour(fw),
            edgecolor="#444444",
            linewidth=0.5,
            label=fw,
        )
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    ax.set_xticks(x, [str(v or "all") for v in venues])
    ax.set_ylabel("papers")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    ax.set_title("Papers using each framework", fontsize="medium")
    ax.set_xlabel(_title(rows), fontsize="small")
    return fig


def save(fig: Any, path: Path) -> Path:
    """Write a figure as PNG or SVG (by suffix), without timestamps, so reruns give equal files."""
    suffix = path.suffix.lower().lstrip(".")
    if suffix not in ("png", "svg"):
        raise UsageError(f"plots are written as .png or .svg, not {path.name!r}")
    metadata: dict[str, Any] = {"Software": None} if suffix == "png" else {"Date": None}
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format=suffix, dpi=100, metadata=metadata)
    return path
