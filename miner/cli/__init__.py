"""The `miner` command: a click group, shared options and rendering; commands live in submodules.

Only this package imports click. Each command parses options, opens the DB, calls one
`miner.stages.*.run_*` or read function and renders the result.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import logging
import os
import shlex
import signal
import sys
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import click

from miner import __version__
from miner.errors import MinerError, UsageError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
CREATES_DB = frozenset({"ingest", "crawl", "run", "demo"})
"""Commands that may start a new database; every other command refuses a missing file."""
GLOBAL_OPTIONS = frozenset({"--db", "--data-dir", "-q", "--quiet", "-v", "--verbose", "--version"})


class Ctx:
    """Options of the group, passed to every command."""

    def __init__(
        self, db: str, data_dir: str, quiet: bool, verbose: int, command: str | None = None
    ) -> None:
        self.db = db
        self.data_dir = data_dir
        self.quiet = quiet
        self.verbose = verbose
        self.command = command
        """The subcommand being run (decides whether a missing database may be created)."""
        self._engine: Any = None
        self._new_file: str | None = None

    @property
    def engine(self) -> Any:
        """The database engine, created (and migrated) on first use. Only the commands in
        CREATES_DB start a new SQLite file; the others refuse a missing one (a mistyped --db)."""
        if self._engine is None:
            from db import make_engine

            path = self.db.removeprefix("sqlite:///")
            if "://" not in path and path != ":memory:" and not os.path.exists(path):
                if self.command not in CREATES_DB:
                    folder = os.path.dirname(os.path.abspath(path))
                    where = "" if os.path.isdir(folder) else f" (folder {folder} does not exist)"
                    raise UsageError(
                        f"no database at {path}{where}: check --db (or MINER_DB), or create one "
                        f"with `miner --db {path} ingest PDFS` or `miner --db {path} crawl SOURCE`"
                    )
                self._new_file = path
            self._engine = make_engine(self.db)
        return self._engine

    def close(self) -> None:
        """Close the database connections (PostgreSQL servers see a clean disconnect)."""
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def discard_new_db(self) -> None:
        """After a user mistake, remove the database file this invocation created (nothing written)."""
        self.close()
        if self._new_file:
            for suffix in ("", "-wal", "-shm", "-journal"):
                if os.path.exists(self._new_file + suffix):
                    os.remove(self._new_file + suffix)


def stopped_message(ctx: click.Context, what: str) -> str:
    """What a stopped command kept and how to go on, for Ctrl-C and SIGTERM."""
    argv = " ".join(shlex.quote(a) for a in sys.argv[1:]) or (ctx.invoked_subcommand or "")
    return (
        f"{what}: everything committed before the stop is kept (see `miner status`); "
        f"run `miner {argv}` again to resume where it stopped"
    )


class MinerGroup(click.Group):
    """Turns MinerError and bad options into a one-line message and exit code 2, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            click.echo(f"\n{stopped_message(ctx, 'interrupted (Ctrl-C)')}", err=True)
            ctx.exit(130)
        except SystemExit as exc:
            if exc.code == 128 + signal.SIGTERM:
                click.echo(stopped_message(ctx, "stopped (SIGTERM)"), err=True)
            raise
        except MinerError as exc:
            click.echo(f"Error: {exc}", err=True)
            if isinstance(exc, UsageError) and isinstance(ctx.obj, Ctx):
                ctx.obj.discard_new_db()  # a mistake leaves no file; a failed fetch keeps its record
            ctx.exit(2)
        except click.NoSuchOption as exc:
            if exc.option_name in GLOBAL_OPTIONS and exc.ctx is not None and exc.ctx.parent:
                cmd = exc.ctx.info_name
                click.echo(
                    f"Error: {exc.option_name} is a global option: put it before the command, "
                    f"e.g. `miner {exc.option_name} ... {cmd} ...` (see `miner --help`)",
                    err=True,
                )
            else:
                self._usage(exc)
            ctx.exit(2)
        except click.UsageError as exc:
            self._usage(exc)
            ctx.exit(2)

    @staticmethod
    def _usage(exc: click.UsageError) -> None:
        name = exc.ctx.command_path if exc.ctx else "miner"
        click.echo(f"Error: {exc.format_message()} (see `{name} --help`)", err=True)


@click.group(cls=MinerGroup, context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    default="miner.db",
    envvar="MINER_DB",
    show_default=True,
    help="SQLite file path or SQLAlchemy URL (env MINER_DB).",
)
@click.option(
    "--data-dir",
    default=".miner-data",
    envvar="MINER_DATA_DIR",
    show_default=True,
    type=click.Path(file_okay=False),
    help="Where downloaded PDFs are cached.",
)
@click.option("-q", "--quiet", is_flag=True, help="No progress bars or summaries on stderr.")
@click.option("-v", "--verbose", count=True, help="More logging on stderr (-vv for debug).")
@click.version_option(__version__, prog_name="framework-miner")
@click.pass_context
def cli(ctx: click.Context, db: str, data_dir: str, quiet: bool, verbose: int) -> None:
    """Which deep-learning framework do the papers at a venue actually use?

    \b
    Pipeline: ingest/crawl -> fetch -> extract -> classify -> tally.
    \b
    Examples:
      miner demo
      miner --db icml.db ingest papers/ --venue ICML --year 2019
      miner --db icml.db extract --workers 2 && miner --db icml.db classify
      miner --db icml.db tally --json
    """
    level = logging.WARNING - 10 * min(verbose, 2)
    logging.basicConfig(
        level=level, stream=sys.stderr, format="%(levelname)s %(name)s: %(message)s"
    )
    ctx.obj = Ctx(db, data_dir, quiet, verbose, ctx.invoked_subcommand)
    ctx.call_on_close(ctx.obj.close)


pass_ctx = click.make_pass_decorator(Ctx)


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
    """--workers, --executor, --scheduler, --doc-timeout: where and how a stage's work runs."""
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
        ]
    ):
        fn = opt(fn)
    return workers_option(fn)


def make_scale(workers: int, executor: str, scheduler: str | None, doc_timeout: float) -> Any:
    """The stages' ScaleOptions from the scale_options values."""
    from miner.stages import ScaleOptions

    if executor == "dask" and not scheduler:
        raise UsageError(
            "--executor dask needs --scheduler tcp://HOST:PORT (or MINER_DASK_SCHEDULER)"
        )
    return ScaleOptions(
        executor=executor, workers=workers, doc_timeout=doc_timeout, scheduler=scheduler
    )


def progress(ctx: Ctx, length: int, label: str) -> Any:
    """A progress bar on stderr, or a no-op when --quiet or stderr is not a terminal."""
    if ctx.quiet or length == 0 or not sys.stderr.isatty():
        return NullBar()
    return click.progressbar(length=length, label=label, file=sys.stderr)


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


# The command modules, imported explicitly: each defines its commands on `cli`.
from miner.cli import (  # noqa: E402
    core,
    evaluation,
    inspect,
    network,
    repos,
    results,
    serve,
)

__all__ = ["cli", "core", "evaluation", "inspect", "network", "repos", "results", "serve"]
