"""Read-only commands: tally, papers, report, plot, export."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from classifiers import DEFAULT_CLASSIFIER
from classifiers.labels import FRAMEWORKS
from miner.cli import cli, pass_ctx
from miner.cli.context import Ctx
from miner.cli.options import classifier_option, filter_options, output_options
from miner.cli.output import note, render
from miner.errors import UsageError
from miner.repos.signals import SIGNALS, signal_classifier
from miner.tally import (
    NONE,
    UNDETERMINED,
    TallyRow,
    headline_classifier,
    resolve_classifier,
    tally,
    tally_warnings,
)

TABLE_COLUMNS = [
    "venue",
    "year",
    "framework",
    "uses",
    "share",
    "ci95",
    "of_with_any",
    "papers",
    "with_pdf",
    "extracted_ok",
    "failed",
    "classified",
    "with_any",
    "classifier",
]


def chosen_classifier(ctx: Ctx, classifier: str | None) -> str:
    """The classifier to count (headline_classifier), saying so on stderr when it is the
    combined verdict chosen by default."""
    name = headline_classifier(ctx.engine, classifier)
    if classifier is None and name == "combined":
        note(
            ctx,
            "counting the combined verdict (the text, and the paper's own code where "
            "`miner repos` read it); --classifier rules for the text alone",
        )
    return name


def table_columns(include_mentions: bool, baseline: bool) -> list[str]:
    """Columns of the terminal/Markdown table; JSON and CSV carry every field."""
    cols = list(TABLE_COLUMNS)
    if include_mentions:
        cols.insert(cols.index("share"), "mentions_only")
    if baseline:
        at = cols.index("papers")
        cols[at:at] = ["baseline_uses", "baseline_share"]
    return cols


def display(rows: list[TallyRow]) -> list[dict]:
    """Rows with the interval as one `ci95` cell and the classifier as `name version`."""
    out = []
    for r in rows:
        d = r.as_dict()
        low, high = d["share_low"], d["share_high"]
        d["ci95"] = "-" if low is None else f"{low:.3f}-{high:.3f}"
        d["of_with_any"] = d["share_of_with_any"]
        d["classifier"] = f"{r.classifier} {r.classifier_version}"
        out.append(d)
    return out


def echo_tally(ctx: Ctx, rows: list[TallyRow], fmt: str, mentions: bool, baseline: bool) -> None:
    """Print tally rows in a format, and on stderr what the reader must know about them."""
    combined = bool(rows) and "decided_by_text" in rows[0].extras
    if fmt in ("json", "nl", "csv"):
        render([r.as_dict() for r in rows], fmt, list(rows[0].as_dict()) if rows else None)
    else:
        cols = table_columns(mentions, baseline)
        if combined:
            at = cols.index("uses") + 1
            cols[at:at] = ["decided_by_text", "decided_by_code", "decided_by_both", "disagree"]
        render(display(rows), fmt, cols)
    if fmt == "table" and combined:
        for r in rows:
            if r.framework == NONE:
                x = r.extras
                note(
                    ctx,
                    f"{NONE} {r.venue or 'all'} {r.year or 'all'}: own code uses no listed "
                    f"framework {x['none_no_listed_framework_in_code']}, no own code found "
                    f"{x['none_no_own_code']}, not analysed {x['none_not_analysed']}",
                )
    if fmt == "table" and rows:
        note(
            ctx,
            f"uses = papers whose {'text or own code' if combined else 'text'} shows the "
            "framework was used (not merely mentioned); "
            f"share = uses / classified, 95% Wilson CI; {NONE} = no use found; "
            f"{UNDETERMINED} = not classified (PDF missing, unreadable or pending)"
            + ("; mentions_only is NOT counted in uses" if mentions else ""),
        )
    for warning in tally_warnings(rows):
        note(ctx, f"warning: {warning}")


@cli.command(name="tally")
@filter_options
@click.option(
    "--framework",
    "frameworks",
    multiple=True,
    type=click.Choice([*FRAMEWORKS, NONE, UNDETERMINED]),
    help="Only this framework (repeatable; rows with 0 uses included).",
)
@click.option(
    "--by",
    type=click.Choice(["venue", "year", "venue,year", "all"]),
    default="venue,year",
    show_default=True,
    help="Grouping of the rows.",
)
@classifier_option(signals=True)
@click.option(
    "--include-mentions",
    is_flag=True,
    help="Add a separate mentions_only column (papers that mention but do not use).",
)
@click.option(
    "--baseline",
    is_flag=True,
    help="Add the keyword-baseline (2019 substring method) counts side by side.",
)
@click.option(
    "--signals",
    type=click.Choice(SIGNALS),
    default=None,
    help="text: the --classifier's verdicts; repo / combined: written by `miner repos` "
    "(same as --classifier repo / combined).",
)
@output_options
@pass_ctx
def tally_cmd(
    ctx: Ctx,
    venue: str | None,
    year: int | None,
    frameworks: tuple[str, ...],
    by: str,
    classifier: str | None,
    signals: str | None,
    include_mentions: bool,
    baseline: bool,
    fmt: str,
) -> None:
    """Venue x year x framework: papers that USE each framework, with 95% intervals and denominators.

    share = uses / papers extracted and classified; share_of_with_any = uses / papers using any
    framework; both with 95% Wilson intervals. `(none)` counts classified papers with no use
    found, `(undetermined)` papers not classified (PDF missing, unreadable or pending).

    \b
    Examples:
      miner tally
      miner tally --venue NeurIPS --year 2019 --csv
      miner tally --by venue --framework pytorch --baseline --include-mentions
      miner tally --signals combined
    """
    if signals:
        classifier = signal_classifier(signals, classifier or DEFAULT_CLASSIFIER)
    rows = tally(
        ctx.engine,
        classifier=chosen_classifier(ctx, classifier),
        venue=venue,
        year=year,
        framework=frameworks,
        by=by,
        include_mentions=include_mentions,
        baseline=baseline,
    )
    echo_tally(ctx, rows, fmt, include_mentions, baseline)


@cli.command()
@filter_options
@classifier_option(signals=True)
@output_options
@pass_ctx
def papers(ctx: Ctx, venue: str | None, year: int | None, classifier: str | None, fmt: str) -> None:
    """List papers with status, frameworks used and mentioned, and code links.

    \b
    Examples:
      miner papers --json
      miner papers --venue JOSS --csv
    """
    from db.queries import paper_views

    clf = resolve_classifier(chosen_classifier(ctx, classifier))
    rows = [
        v.listing() for v in paper_views(ctx.engine, clf, venue=venue, year=year, evidence=False)
    ]
    render(rows, fmt, ["id", "file", "venue", "year", "status", "uses", "mentions", "code_links"])


@cli.command()
@filter_options
@classifier_option(signals=True)
@click.option(
    "-o",
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("report"),
    show_default=True,
    help="Folder for report.html, report.md, report.json and the charts.",
)
@click.option("--svg", is_flag=True, help="Also write the charts as SVG.")
@pass_ctx
def report(
    ctx: Ctx, venue: str | None, year: int | None, classifier: str | None, out_dir: Path, svg: bool
) -> None:
    """Write a citable report: headline with intervals, tally, charts, methodology, evidence.

    report.html is self-contained (charts embedded); report.md links trend.png and venues.png;
    report.json holds the same figures as `miner tally --json`.

    \b
    Example:
      miner --db demo.db report --venue JOSS -o reports/joss
    """
    from miner.report import make_stamp
    from miner.report_render import write_report

    classifier = chosen_classifier(ctx, classifier)
    stamp = make_stamp(ctx.db, out_dir, classifier=classifier, venue=venue, year=year, svg=svg)
    paths = write_report(
        ctx.engine, out_dir, classifier=classifier, venue=venue, year=year, svg=svg, stamp=stamp
    )
    note(ctx, "report: " + ", ".join(str(p) for p in paths.values()))
    click.echo(str(paths["html"]))


@cli.command()
@click.argument("kind", type=click.Choice(["trend", "venues"]))
@filter_options
@click.option(
    "--framework", "frameworks", multiple=True, type=click.Choice(FRAMEWORKS), help="Repeatable."
)
@classifier_option(signals=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="Image file, .png or .svg.",
)
@pass_ctx
def plot(
    ctx: Ctx,
    kind: str,
    venue: str | None,
    year: int | None,
    frameworks: tuple[str, ...],
    classifier: str | None,
    output: Path,
) -> None:
    """Draw one chart: `trend` (share per year per venue, 95% CI bands) or `venues` (stacked bars).

    \b
    Examples:
      miner plot trend -o trend.png
      miner plot venues --classifier keyword-baseline -o venues.svg
    """
    from miner.plots import save, trend_figure, venues_figure

    by = "venue,year" if kind == "trend" else "venue"
    rows = tally(
        ctx.engine, classifier=chosen_classifier(ctx, classifier), venue=venue, year=year, by=by
    )
    if not rows:
        raise UsageError("no papers match; check --venue/--year or run `miner ingest` first")
    if kind == "trend":
        fig = trend_figure(rows, frameworks or None)
    else:
        fig = venues_figure([r for r in rows if not frameworks or r.framework in frameworks])
    click.echo(str(save(fig, output)))


@cli.command()
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "json", "nl", "parquet"]),
    default="csv",
    show_default=True,
    help="csv/parquet: one row per paper and verdict; json: one array of papers; nl: one paper "
    "per line.",
)
@filter_options
@classifier_option(signals=True)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File to write (default stdout; required for parquet).",
)
@pass_ctx
def export(
    ctx: Ctx,
    fmt: str,
    venue: str | None,
    year: int | None,
    classifier: str | None,
    output: Path | None,
) -> None:
    """Export papers with verdicts and evidence for re-analysis without this tool.

    json: one object per paper with nested verdicts and evidence snippets. csv/parquet: one row
    per paper and verdict (uses/mentions; papers without any get one row), evidence as JSON text.

    \b
    Examples:
      miner export --format csv > papers.csv
      miner export --format parquet -o papers.parquet
    """
    from miner.export import paper_records, write_export

    records = paper_records(
        ctx.engine, classifier=chosen_classifier(ctx, classifier), venue=venue, year=year
    )
    if output is not None:
        output.parent.mkdir(parents=True, exist_ok=True)
    n = write_export(records, fmt, output if output is not None else sys.stdout)
    note(
        ctx,
        f"export: {n} rows ({fmt}) from {len(records)} papers"
        + (f" -> {output}" if output else ""),
    )
