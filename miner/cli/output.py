"""What commands print: tables as text, JSON, newline JSON, CSV or Markdown on stdout; progress
bars and summaries on stderr."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Sequence
from typing import Any

import click

from miner.cli.context import Ctx


def progress(ctx: Ctx, length: int | None, label: str) -> Any:
    """A progress bar on stderr (with ETA); length None: a running count, for work of unknown
    size such as a crawl. A no-op when --quiet, when stderr is not a terminal, or for 0 items."""
    if ctx.quiet or length == 0 or not sys.stderr.isatty():
        return NullBar()
    if length is None:
        return CountBar(label)
    return click.progressbar(length=length, label=label, file=sys.stderr)


class CountBar:
    """`label: N` rewritten in place on stderr as items finish (no total known)."""

    def __init__(self, label: str) -> None:
        self.label, self.done = label, 0

    def __enter__(self) -> CountBar:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.done:
            click.echo("", err=True)

    def update(self, n: int) -> None:
        """Count n more items and show the total."""
        self.done += n
        click.echo(f"\r{self.label}: {self.done}", err=True, nl=False)


class NullBar:
    """Progress bar that shows nothing."""

    def __enter__(self) -> NullBar:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def update(self, n: int) -> None:
        """Ignore progress."""


def note(ctx: Ctx, message: str) -> None:
    """A summary line on stderr unless --quiet."""
    if not ctx.quiet:
        click.echo(message, err=True)


def render(rows: Sequence[dict[str, Any]], fmt: str, columns: Sequence[str] | None = None) -> None:
    """Rows as a table, JSON, CSV or Markdown on stdout."""
    cols = list(columns or (rows[0].keys() if rows else []))
    if fmt == "json":
        click.echo(json.dumps(list(rows), indent=2, default=str))
        return
    if fmt == "nl":
        for item in rows:
            click.echo(json.dumps(item, default=str))
        return
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=cols, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        click.echo(buf.getvalue(), nl=False)
        return
    cells = [[fmt_cell(r.get(c)) for c in cols] for r in rows]
    if fmt == "markdown":
        click.echo("| " + " | ".join(cols) + " |")
        click.echo("|" + "|".join("---" for _ in cols) + "|")
        for row in cells:
            click.echo("| " + " | ".join(row) + " |")
        return
    widths = [max([len(c)] + [len(row[i]) for row in cells]) for i, c in enumerate(cols)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(cols, widths, strict=True)).rstrip())
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())


def fmt_cell(value: Any) -> str:
    """Human rendering of one cell."""
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list | tuple):
        return ";".join(str(v) for v in value)
    return str(value)


def echo_lines(lines: Iterable[str]) -> None:
    """Print lines on stdout."""
    for line in lines:
        click.echo(line)
