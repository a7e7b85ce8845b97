"""Pipeline commands: ingest, extract, classify, status, demo.

Stage modules are imported inside the commands: `miner.cli` imports every command module, and
`miner crawl` (or `miner tally`) must not load PyMuPDF with miner.stages.extract.
"""

from __future__ import annotations

import csv
import json
from importlib import resources
from pathlib import Path

import click

from classifiers import CLASSIFIERS, DEFAULT_CLASSIFIER
from miner.cli import cli, pass_ctx
from miner.cli.context import Ctx
from miner.cli.options import (
    classifier_option,
    make_scale,
    output_options,
    scale_options,
    workers_option,
)
from miner.cli.output import note, progress, render
from miner.tally import tally


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--venue", help="Venue to record on the papers, e.g. NeurIPS.")
@click.option("--year", type=click.IntRange(1950, 2100), help="Year to record on the papers.")
@pass_ctx
def ingest(ctx: Ctx, paths: tuple[str, ...], venue: str | None, year: int | None) -> None:
    """Record local PDFs (files or folders) as papers; the source id is the PDF's sha256.

    \b
    Example:
      miner ingest ../shared/corpus/pdfs --venue corpus --year 2024
    """
    from miner.stages.ingest import run_ingest

    report = run_ingest(ctx.engine, paths, venue=venue, year=year)
    note(ctx, f"ingest: {report.summary()}")


@cli.command()
@scale_options
@click.option(
    "--max-pages",
    type=click.IntRange(1),
    default=300,
    show_default=True,
    help="Stop reading a document after this many pages (recorded).",
)
@click.option(
    "--time-budget",
    type=click.FloatRange(0.1),
    default=120.0,
    show_default=True,
    help="Seconds per document before extraction stops (recorded).",
)
@click.option("--force", is_flag=True, help="Re-extract papers already done with this version.")
@click.option("--limit", type=click.IntRange(1), help="At most N papers.")
@pass_ctx
def extract(
    ctx: Ctx,
    workers: int,
    executor: str,
    scheduler: str | None,
    doc_timeout: float,
    max_memory_mb: int,
    max_pages: int,
    time_budget: float,
    force: bool,
    limit: int | None,
) -> None:
    """Extract text, sections and links from every pending PDF.

    \b
    Examples:
      miner extract --workers 2
      miner extract --executor dask --scheduler tcp://10.0.0.5:8786
    """
    from miner.stages.extract import count_pending, run_extract

    scale = make_scale(workers, executor, scheduler, doc_timeout, max_memory_mb)
    pending = count_pending(ctx.engine) if not force else 0
    with progress(ctx, min(pending, limit or pending), "extract") as bar:
        report = run_extract(
            ctx.engine,
            workers=workers,
            max_pages=max_pages,
            time_budget=time_budget,
            force=force,
            limit=limit,
            progress=bar.update,
            scale=scale,
        )
    hint = ""
    if not report.counts:
        from db.status import next_step, work_left

        hint = next_step({**work_left(ctx.engine), "extract": 0})
    note(ctx, f"extract: {report.summary()}" + (f" ({hint})" if hint else ""))


@cli.command()
@classifier_option("Which classifier labels the papers.")
@click.option("--all", "all_", is_flag=True, help="Run every registered classifier.")
@click.option("--force", is_flag=True, help="Re-classify papers already done with this version.")
@click.option("--limit", type=click.IntRange(1), help="At most N papers.")
@scale_options
@pass_ctx
def classify(
    ctx: Ctx,
    classifier: str,
    all_: bool,
    force: bool,
    limit: int | None,
    workers: int,
    executor: str,
    scheduler: str | None,
    doc_timeout: float,
    max_memory_mb: int,
) -> None:
    """Label each extracted paper uses / mentions / absent per framework, with evidence.

    \b
    Examples:
      miner classify
      miner classify --classifier keyword-baseline --workers 2
    """
    from db.status import next_step, work_left
    from miner.stages.classify import run_classify
    from miner.tally import resolve_classifier

    scale = make_scale(workers, executor, scheduler, doc_timeout, max_memory_mb)
    for name in sorted(CLASSIFIERS) if all_ else [classifier]:
        clf = resolve_classifier(name)
        left = work_left(ctx.engine, clf)
        todo = left["classify"] if not force else 0
        with progress(ctx, min(todo, limit or todo), f"classify {name}") as bar:
            report = run_classify(
                ctx.engine,
                classifier=name,
                force=force,
                limit=limit,
                scale=scale,
                progress=bar.update,
            )
        hint = "" if report.counts else next_step(left)  # nothing done: nothing changed
        note(ctx, f"classify {name}: {report.summary()}" + (f" ({hint})" if hint else ""))


@cli.command()
@output_options
@pass_ctx
def status(ctx: Ctx, fmt: str) -> None:
    """Per-stage counts (done / pending / failed), each crawl's completeness check per venue and
    year (papers crawled against the listing's own count and the published count), and the
    papers that failed.

    \b
    Example:
      miner status --json
    """
    from classifiers import identify
    from db.status import CHECK_COLUMNS, completeness, failures, stage_counts

    registered = [(c.NAME, c.VERSION) for c in map(identify, sorted(CLASSIFIERS))]
    counts = stage_counts(ctx.engine, registered)
    checks = completeness(ctx.engine)
    failed = failures(ctx.engine)
    if fmt == "json":
        import json

        out = {"stages": counts, "completeness": checks, "failures": failed}
        click.echo(json.dumps(out, indent=2, default=str))
        return
    rows = [
        {"stage": stage, "count": k, "n": v} for stage, d in counts.items() for k, v in d.items()
    ]
    render(rows, fmt, ["stage", "count", "n"])
    if checks and fmt == "table":
        click.echo("")
        render(checks, fmt, CHECK_COLUMNS[:-1])
    if failed and fmt == "table":
        click.echo("")
        render(failed, fmt, ["id", "file_name", "status", "pages", "error"])


@cli.command()
@workers_option
@pass_ctx
def demo(ctx: Ctx, workers: int) -> None:
    """Run the whole pipeline offline on the bundled sample of real papers and print the tally.

    \b
    Example:
      miner --db demo.db demo
    """
    from miner.stages.classify import run_classify
    from miner.stages.extract import run_extract
    from miner.stages.ingest import run_ingest

    sample = resources.files("miner") / "data" / "sample"
    with resources.as_file(sample) as folder, (folder / "sample.csv").open() as fh:
        rows = list(csv.DictReader(fh))
        for row in rows:
            run_ingest(
                ctx.engine, [str(folder / row["file"])], venue=row["venue"], year=int(row["year"])
            )
    note(ctx, f"ingest: {len(rows)} bundled papers")
    report = run_extract(ctx.engine, workers=workers)
    note(ctx, f"extract: {report.summary()}")
    for name in sorted(CLASSIFIERS):
        note(ctx, f"classify {name}: {run_classify(ctx.engine, classifier=name).summary()}")
    from miner.cli.results import echo_tally
    from miner.report import make_stamp
    from miner.report_render import write_report

    out_dir = report_dir(ctx.db)
    stamp = make_stamp(ctx.db, out_dir, classifier=DEFAULT_CLASSIFIER)
    paths = write_report(ctx.engine, out_dir, classifier=DEFAULT_CLASSIFIER, stamp=stamp)
    tallied = tally(ctx.engine, classifier=DEFAULT_CLASSIFIER, by="venue")
    echo_tally(ctx, tallied, "table", False, False)
    click.echo("")
    for sentence in json.loads(paths["json"].read_text())["headline"]:
        click.echo(sentence)
    click.echo(f"\ndatabase: {ctx.db}  (try: miner --db {ctx.db} tally --by venue,year)")
    click.echo(
        f"report:   {paths['html']}  (charts: {paths['trend'].name}, {paths['venues'].name})"
    )


def report_dir(db: str) -> Path:
    """Where `demo` writes its report: `<db stem>-report/` beside a SQLite file, else ./demo-report."""
    if "://" in db:
        return Path("demo-report")
    path = Path(db)
    return path.with_name(f"{path.stem}-report")


# Columns for commands that print TallyRow.as_dict() rows directly (e.g. `miner run`);
# `miner tally`/`demo` use miner.cli.results.echo_tally, which adds ci95 and the legend.
TALLY_COLUMNS = [
    "venue",
    "year",
    "framework",
    "uses",
    "share",
    "share_low",
    "share_high",
    "papers",
    "extracted_ok",
    "failed",
    "classified",
    "with_any",
    "classifier",
    "classifier_version",
]
