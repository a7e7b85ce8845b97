"""Option decorators shared by the commands: output formats, filters, classifier, scale."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from typing import Any

import click

from miner.cli.context import Ctx
from miner.errors import UsageError

FORMAT_HELP = {
    "json": "JSON on stdout (one array).",
    "nl": "Newline-delimited JSON on stdout (one object per line).",
    "csv": "CSV on stdout.",
    "markdown": "Markdown table on stdout.",
}


def output_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--json / --nl / --csv / --markdown, mutually exclusive (passed on as `fmt`); default is a
    table."""
    return formats_option(*FORMAT_HELP)(fn)


def formats_option(*formats: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Only some of the output flags, for commands whose output is not one table."""
    return lambda fn: _with_formats(fn, formats)


def _with_formats(fn: Callable[..., Any], formats: tuple[str, ...]) -> Callable[..., Any]:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        chosen = [f for f in formats if kwargs.pop(f"fmt_{f}")]
        if len(chosen) > 1:
            raise click.UsageError(f"choose one of {', '.join('--' + f for f in chosen)}")
        return fn(*args, fmt=chosen[0] if chosen else "table", **kwargs)

    for f in reversed(formats):
        wrapper = click.option(f"--{f}", f"fmt_{f}", is_flag=True, help=FORMAT_HELP[f])(wrapper)
    return wrapper


def filter_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--venue and --year, checked against the database before the command runs: a value that
    matches no paper is a one-line error naming the values there are (exit 2, nothing written)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from miner.validate import check_filters

        venue, year = kwargs.get("venue"), kwargs.get("year")
        if venue is not None or year is not None:
            obj = click.get_current_context().find_object(Ctx)
            if obj is not None:
                check_filters(obj.engine, venue=venue, year=year)
        return fn(*args, **kwargs)

    wrapper = click.option("--year", type=int, help="Only this year.")(wrapper)
    return click.option("--venue", help="Only this venue (case-insensitive).")(wrapper)


def classifier_option(
    help: str = "Whose verdicts to count.", default: str | None = None, *, signals: bool = False
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--classifier NAME among the registered classifiers (names from classifiers.CLASSIFIERS;
    versions come from classifiers.identify, which loads no model). Read commands pass
    `signals=True`: `combined` and `repo` (written by `miner repos`) are offered too, and the
    default is None, which miner.tally.headline_classifier resolves (combined when it exists)."""
    from classifiers import CLASSIFIERS, DEFAULT_CLASSIFIER, SIGNAL_NAMES

    if signals:
        return click.option(
            "--classifier",
            type=click.Choice([*sorted(CLASSIFIERS), *SIGNAL_NAMES]),
            default=default,
            help=help + " [default: combined when `miner repos` has run, else rules]",
        )
    return click.option(
        "--classifier",
        type=click.Choice(sorted(CLASSIFIERS)),
        default=default or DEFAULT_CLASSIFIER,
        show_default=True,
        help=help,
    )


def workers_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--workers N (default: all cores)."""
    return click.option(
        "--workers",
        type=click.IntRange(1, 512),
        default=lambda: os.cpu_count() or 1,
        show_default="all cores",
        help="Worker processes.",
    )(fn)


def scale_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """--workers, --executor, --scheduler, --doc-timeout, --max-memory-mb: where and how a
    stage's work runs."""
    for opt in reversed(
        [
            click.option(
                "--executor",
                type=click.Choice(["process", "inline", "dask"]),
                default="process",
                show_default=True,
                help="process: isolated worker processes; inline: no isolation; dask: a cluster.",
            ),
            click.option(
                "--scheduler",
                envvar="MINER_DASK_SCHEDULER",
                help="Dask scheduler address for --executor dask, e.g. tcp://10.0.0.5:8786.",
            ),
            click.option(
                "--doc-timeout",
                type=click.FloatRange(0, min_open=True),
                default=300.0,
                show_default=True,
                help="Seconds per document before its worker is killed (recorded as timeout).",
            ),
            click.option(
                "--max-memory-mb",
                type=click.IntRange(0),
                default=2048,
                show_default=True,
                help="Memory cap of each worker process, MB (recorded as too_large); 0: none.",
            ),
        ]
    ):
        fn = opt(fn)
    return workers_option(fn)


def make_scale(
    workers: int,
    executor: str,
    scheduler: str | None,
    doc_timeout: float,
    max_memory_mb: int = 2048,
) -> Any:
    """The pipeline's ScaleOptions from the scale_options values."""
    from miner.stages import ScaleOptions

    if executor == "dask" and not scheduler:
        raise UsageError(
            "--executor dask needs --scheduler tcp://HOST:PORT (or MINER_DASK_SCHEDULER)"
        )
    return ScaleOptions(
        executor=executor,
        workers=workers,
        doc_timeout=doc_timeout,
        scheduler=scheduler,
        max_memory_mb=max_memory_mb or None,
    )
