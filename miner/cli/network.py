"""Network commands: crawl, fetch, run (crawl -> fetch -> extract -> classify -> tally), reparse.

Stage modules are imported inside the commands (see miner/cli/core.py).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import click

from classifiers import DEFAULT_CLASSIFIER
from miner.cli import cli, pass_ctx
from miner.cli.context import Ctx
from miner.cli.core import TALLY_COLUMNS
from miner.cli.options import workers_option
from miner.cli.output import note, progress, render
from miner.sources import SOURCES, CrawlSpec
from miner.tally import tally

SOURCE_CHOICE = click.Choice(sorted(SOURCES))


@dataclass(frozen=True, slots=True)
class HttpOptions:
    """How to reach a site: the --base-url, --delay, --max-retries, --timeout, --deadline and
    --contact values."""

    base_url: str | None
    delay: float
    max_retries: int
    timeout: float
    deadline: float
    contact: str | None

    def fetcher(self) -> Any:
        """The polite fetcher (rate limit, retries) these options describe."""
        from miner.http import make_fetcher

        extra = {"contact": self.contact} if self.contact else {}
        return make_fetcher(
            base_url=self.base_url,
            delay=self.delay,
            max_retries=self.max_retries,
            timeout=self.timeout,
            deadline=self.deadline,
            **extra,
        )


@dataclass(frozen=True, slots=True)
class Selection:
    """What to crawl: the --year, --track, --volume, --venue, --category, --from, --to, --id,
    --limit and --refresh values."""

    year: int | None
    track: str | None
    volume: int | None
    venue: str | None
    category: str | None
    date_from: str | None
    date_to: str | None
    ids: tuple[str, ...]
    limit: int | None
    refresh: bool

    def spec(self, source: str) -> CrawlSpec:
        """The CrawlSpec of this selection for a source."""
        return CrawlSpec(
            source=source,
            year=self.year,
            track=self.track,
            volume=self.volume,
            venue=self.venue,
            category=self.category,
            date_from=self.date_from,
            date_to=self.date_to,
            ids=tuple(self.ids),
            limit=self.limit,
        )


def _grouped(
    fn: Callable[..., Any], options: list[Any], record: type, name: str
) -> Callable[..., Any]:
    """Add click options to fn and hand their values to it as one record, keyword `name`."""
    names = [f.name for f in dataclasses.fields(record)]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs[name] = record(**{f: kwargs.pop(f) for f in names})
        return fn(*args, **kwargs)

    for opt in reversed(options):
        wrapper = opt(wrapper)
    return wrapper


def http_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--base-url, --delay, --max-retries, --timeout, --deadline, --contact, passed on as `http`."""
    options = [
        click.option(
            "--base-url",
            help="Replace the site's scheme and host, e.g. http://127.0.0.1:8000 (replay, mirror).",
        ),
        click.option(
            "--delay",
            type=click.FloatRange(0),
            default=1.0,
            show_default=True,
            help="Seconds between requests to one host (arXiv is always at least 3).",
        ),
        click.option(
            "--max-retries",
            type=click.IntRange(0, 20),
            default=4,
            show_default=True,
            help="Retries on timeouts, 429 and 5xx (exponential backoff, Retry-After honoured).",
        ),
        click.option(
            "--timeout",
            type=click.FloatRange(0.1),
            default=30.0,
            show_default=True,
            help="Seconds one read or connect may wait.",
        ),
        click.option(
            "--deadline",
            type=click.FloatRange(0.1),
            default=60.0,
            show_default=True,
            help="Seconds one request may take in all (connect, headers, whole body).",
        ),
        click.option(
            "--contact",
            default=None,
            help="Contact URL or mail for the User-Agent (default: the project page).",
        ),
    ]
    return _grouped(fn, options, HttpOptions, "http")


def spec_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--year, --track, --volume, --venue, --category, --from, --to, --id, --limit, --refresh,
    passed on as `selection`."""
    options = [
        click.option("--year", type=click.IntRange(1987, 2100), help="Conference year."),
        click.option(
            "--track",
            help="neurips: main|datasets_and_benchmarks|position; cvf: CVPR|ICCV|WACV; "
            "acl: volume id (long, short...).",
        ),
        click.option("--volume", type=click.IntRange(1), help="pmlr: any PMLR volume number."),
        click.option(
            "--venue", help="openreview: ICLR|NeurIPS|ICML (default ICLR); acl: event (acl)."
        ),
        click.option("--category", help="arxiv: category such as cs.LG."),
        click.option("--from", "date_from", help="arxiv: first submission date YYYY-MM-DD."),
        click.option("--to", "date_to", help="arxiv: last submission date YYYY-MM-DD."),
        click.option("--id", "ids", multiple=True, help="arxiv: an id to fetch (repeatable)."),
        click.option("--limit", type=click.IntRange(1), help="At most N papers."),
        click.option("--refresh", is_flag=True, help="Fetch listing pages again even when stored."),
    ]
    return _grouped(fn, options, Selection, "selection")


def _crawl(ctx: Ctx, source: str, selection: Selection, http: HttpOptions) -> None:
    from miner.stages.crawl import run_crawl

    spec = selection.spec(source)
    fetcher = http.fetcher()
    with fetcher.client, progress(ctx, spec.limit, "crawl: papers") as bar:
        report = run_crawl(
            ctx.engine, fetcher, spec, refresh=selection.refresh, progress=bar.update
        )
    note(ctx, f"crawl {spec.scope}: {report.summary()}")
    warn_checks(report.checks)


def warn_checks(checks: list[dict[str, Any]]) -> None:
    """Print each completeness check that differs by more than 1%, with both numbers (stderr)."""
    from miner.completeness import check_from_dict

    for check in checks:
        for line in check_from_dict(check).warnings():
            click.echo(f"warning: {line}", err=True)


def _fetch(
    ctx: Ctx, http: HttpOptions, *, workers: int, limit: int | None, retry: bool, max_mb: float
) -> None:
    from db.status import work_left
    from miner.stages.fetch import run_fetch

    left = work_left(ctx.engine)
    todo = left["fetch"] + (left["fetch_failed"] if retry else 0)
    fetcher = http.fetcher()
    with fetcher.client, progress(ctx, min(todo, limit or todo), "fetch") as bar:
        report = run_fetch(
            ctx.engine,
            fetcher,
            ctx.data_dir,
            workers=workers,
            limit=limit,
            retry_failed=retry,
            max_bytes=int(max_mb * 1024 * 1024),
            progress=bar.update,
        )
    note(ctx, f"fetch: {report.summary()}")


max_mb_option = click.option(
    "--max-mb",
    type=click.FloatRange(0.001),
    default=100.0,
    show_default=True,
    help="Largest PDF accepted, in MB.",
)


@cli.command()
@click.argument("source", type=SOURCE_CHOICE)
@spec_options
@http_options
@pass_ctx
def crawl(ctx: Ctx, source: str, selection: Selection, http: HttpOptions) -> None:
    """List a venue's papers (title, authors, PDF URL, ids, code links) into the database.

    Listing responses are kept compressed in raw_payloads; run it again and stored pages are
    replayed, so an interrupted crawl resumes without refetching (--refresh to refetch).

    \b
    Examples:
      miner crawl neurips --year 2019
      miner crawl pmlr --year 2019            # ICML 2019 = PMLR volume 97
      miner crawl openreview --venue ICLR --year 2024
      miner crawl cvf --track CVPR --year 2020
      miner crawl acl --venue acl --year 2022 --track long
      miner crawl arxiv --category cs.LG --from 2019-01-01 --to 2019-06-30 --limit 500
    """
    _crawl(ctx, source, selection, http)


@cli.command()
@click.option("--limit", type=click.IntRange(1), help="At most N papers.")
@click.option(
    "--workers",
    type=click.IntRange(1, 32),
    default=2,
    show_default=True,
    help="Parallel downloads (each host still gets its own rate limit).",
)
@click.option("--retry-failed", is_flag=True, help="Also retry papers whose download failed.")
@max_mb_option
@http_options
@pass_ctx
def fetch(
    ctx: Ctx, limit: int | None, workers: int, retry_failed: bool, max_mb: float, http: HttpOptions
) -> None:
    """Download pending PDFs into the content-addressed cache under --data-dir.

    Each PDF is checked (size cap, content type, %PDF magic, complete body) and written atomically;
    failures are recorded on the paper (fetch_status, fetch_error), never abort the run.

    \b
    Example:
      miner fetch --limit 100 --workers 2
    """
    _fetch(ctx, http, workers=workers, limit=limit, retry=retry_failed, max_mb=max_mb)


@cli.command()
@click.argument("source", type=SOURCE_CHOICE)
@spec_options
@http_options
@max_mb_option
@workers_option
@pass_ctx
def run(
    ctx: Ctx, source: str, workers: int, max_mb: float, selection: Selection, http: HttpOptions
) -> None:
    """crawl -> fetch -> extract -> classify -> tally for one venue, in one go (resumable).

    Papers are extracted and classified as their PDFs land, so a run takes about as long as
    its downloads; each stage is recorded as its own run, as if run one after the other.

    \b
    Example:
      miner --db neurips.db run neurips --year 2019 --limit 50
    """
    from db.status import work_left
    from miner.stages import ScaleOptions
    from miner.stages.overlap import OverlapOptions, run_overlapped

    _crawl(ctx, source, selection, http)
    options = OverlapOptions(
        fetch_workers=min(workers, 4),
        scale=ScaleOptions(workers=workers),
        max_bytes=int(max_mb * 1024 * 1024),
    )
    fetcher = http.fetcher()
    todo = work_left(ctx.engine)["fetch"]
    with fetcher.client, progress(ctx, todo, "fetch") as bar:
        reports = run_overlapped(
            ctx.engine,
            fetcher,
            ctx.data_dir,
            classifier=DEFAULT_CLASSIFIER,
            options=options,
            progress=bar.update,
        )
    note(ctx, f"fetch: {reports['fetch'].summary()}")
    note(ctx, f"extract: {reports['extract'].summary()}")
    note(ctx, f"classify {DEFAULT_CLASSIFIER}: {reports['classify'].summary()}")
    rows = [r.as_dict() for r in tally(ctx.engine, classifier=DEFAULT_CLASSIFIER, by="venue,year")]
    render(rows, "table", TALLY_COLUMNS)


@cli.command()
@click.option("--source", type=SOURCE_CHOICE, help="Only payloads of this source.")
@pass_ctx
def reparse(ctx: Ctx, source: str | None) -> None:
    """Parse the stored listing responses again with the current parsers (no network), and
    check each crawl's completeness again.

    \b
    Example:
      miner reparse --source neurips
    """
    from miner.stages.reparse import run_reparse

    report = run_reparse(ctx.engine, source=source)
    note(ctx, f"reparse: {report.summary()}")
    warn_checks(report.checks)
