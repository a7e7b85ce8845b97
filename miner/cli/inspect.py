"""Inspection commands: show one paper; evaluate extracted code links against gold labels."""

from __future__ import annotations

import json
from typing import Any

import click

from miner.cli import cli, pass_ctx
from miner.cli.context import Ctx
from miner.cli.options import formats_option
from miner.cli.output import render
from miner.gold import load_gold
from miner.linkeval import evaluate_links
from miner.show import found_links, paper_detail


@cli.command()
@click.argument("paper")
@formats_option("json", "markdown")
@pass_ctx
def show(ctx: Ctx, paper: str, fmt: str) -> None:
    """One paper: metadata, status, sections with pages, code links (kind, own), verdicts.

    PAPER is an id, a sha256 (or its first 8+ characters) or a file name.

    \b
    Examples:
      miner show 2018-bert.pdf
      miner show 12 --json
    """
    detail = paper_detail(ctx.engine, paper)
    if fmt == "json":
        click.echo(json.dumps(detail, indent=2, default=str))
        return
    _show_text(detail, fmt)


def _show_text(d: dict[str, Any], fmt: str) -> None:
    for key in ("id", "file", "sha256", "title", "venue", "year", "status", "error", "pages"):
        if d.get(key) is not None:
            click.echo(f"{key + ':':<10} {d[key]}")
    if d["official_code"]:
        click.echo(f"{'official:':<10} {d['official_code']}")
    if d["sections"]:
        click.echo("\nsections")
        render(d["sections"], fmt, ["section", "first_page", "last_page", "blocks", "chars"])
    if d["footnotes"]:
        click.echo(f"\nfootnotes: {len(d['footnotes'])}")
    if d["links"]:
        click.echo("\nlinks")
        render(d["links"], fmt, ["url", "kind", "own", "page", "section", "origin"])
    if d["code_candidates"]:
        click.echo("\ncode candidates")
        rows = [{**c, "primary": ";".join(c["primary"])} for c in d["code_candidates"]]
        render(rows, fmt, ["url", "found_by", "role", "reason", "primary"])
    if d["verdicts"]:
        click.echo("\nverdicts")
        rows = [
            {**v, "evidence": (v["evidence"][0]["snippet"][:70] if v["evidence"] else "")}
            for v in d["verdicts"]
        ]
        render(rows, fmt, ["classifier", "framework", "label", "confidence", "evidence"])


@cli.command(name="evaluate-links")
@click.option(
    "--gold",
    "gold_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="CSV with slug or sha256, code_links and official_code.",
)
@formats_option("json", "markdown")
@pass_ctx
def evaluate_links_cmd(ctx: Ctx, gold_path: str, fmt: str) -> None:
    """Code-link precision, recall and official-code accuracy against gold labels, with misses.

    Only github.com, gitlab.com and bitbucket.org repository URLs count (compared
    case-insensitively); run `miner extract` first.

    \b
    Example:
      miner evaluate-links --gold ../shared/gold/dev.csv
    """
    gold = load_gold(gold_path, required=("code_links", "official_code"))
    scores = evaluate_links(gold, found_links(ctx.engine))
    if fmt == "json":
        click.echo(json.dumps(scores.as_dict(), indent=2))
        return
    summary = {k: v for k, v in scores.as_dict().items() if k not in ("misses", "not_found")}
    render([summary], fmt, list(summary))
    if scores.not_found:
        click.echo(f"\nnot extracted ({len(scores.not_found)}): {', '.join(scores.not_found)}")
    if scores.misses:
        click.echo("")
        render(scores.misses, fmt, ["paper", "miss", "url", "expected"])
