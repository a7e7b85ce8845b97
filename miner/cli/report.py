"""Read-only commands: tally, papers."""

from __future__ import annotations

import json

import click

from classifiers import CLASSIFIERS, DEFAULT_CLASSIFIER
from miner.cli import Ctx, cli, output_options, pass_ctx, render
from miner.cli.core import TALLY_COLUMNS
from miner.tally import papers_listing, tally


@cli.command(name="tally")
@click.option("--venue", help="Only this venue (case-insensitive).")
@click.option("--year", type=int, help="Only this year.")
@click.option(
    "--by",
    type=click.Choice(["venue", "year", "venue,year"]),
    default="venue,year",
    show_default=True,
    help="Grouping of the rows.",
)
@click.option(
    "--classifier",
    type=click.Choice(sorted(CLASSIFIERS)),
    default=DEFAULT_CLASSIFIER,
    show_default=True,
)
@output_options
@pass_ctx
def tally_cmd(
    ctx: Ctx, venue: str | None, year: int | None, by: str, classifier: str, fmt: str
) -> None:
    """Venue x year x framework: papers that USE each framework, with denominators.

    The share is uses / papers extracted ok; `(none)` counts papers with no framework detected.

    \b
    Examples:
      miner tally
      miner tally --venue NeurIPS --year 2019 --csv
    """
    rows = [
        r.as_dict() for r in tally(ctx.engine, classifier=classifier, venue=venue, year=year, by=by)
    ]
    render(rows, fmt, TALLY_COLUMNS)


@cli.command()
@click.option("--venue", help="Only this venue.")
@click.option("--year", type=int, help="Only this year.")
@click.option(
    "--classifier",
    type=click.Choice(sorted(CLASSIFIERS)),
    default=DEFAULT_CLASSIFIER,
    show_default=True,
)
@output_options
@pass_ctx
def papers(ctx: Ctx, venue: str | None, year: int | None, classifier: str, fmt: str) -> None:
    """List papers with status, frameworks used and mentioned, and code links.

    \b
    Examples:
      miner papers --json
      miner papers --venue JOSS --csv
    """
    rows = papers_listing(ctx.engine, classifier=classifier, venue=venue, year=year)
    if fmt == "json":
        for row in rows:
            click.echo(json.dumps(row, default=str))
        return
    render(rows, fmt, ["id", "file", "venue", "year", "status", "uses", "mentions", "code_links"])
