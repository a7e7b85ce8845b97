"""The `miner` command: the click group and its error handling; shared options live in
`options.py`, output in `output.py`, the group's context in `context.py`, commands in submodules.

Only this package imports click. Each command parses options, opens the DB, calls one
`miner.stages.*.run_*` or read function and renders the result.
"""

from __future__ import annotations

import logging
import shlex
import signal
import sys
import threading
from typing import Any

import click

from miner import __version__
from miner.cli.context import Ctx
from miner.errors import MinerError, UsageError

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
GLOBAL_OPTIONS = frozenset({"--db", "--data-dir", "-q", "--quiet", "-v", "--verbose", "--version"})
SIGTERM_EXIT = 128 + signal.SIGTERM


def _sigterm_exit(_signum: int, _frame: Any) -> None:
    sys.exit(SIGTERM_EXIT)


def resume_command() -> str:
    """The command line this process was started with, as `miner ...` (to run it again)."""
    return " ".join(["miner", *(shlex.quote(a) for a in sys.argv[1:])])


class MinerGroup(click.Group):
    """Turns MinerError and bad options into a one-line message and exit code 2, never a traceback;
    Ctrl-C and SIGTERM into one line saying what was kept and how to resume (exit 130 / 143)."""

    def invoke(self, ctx: click.Context) -> Any:
        if threading.current_thread() is threading.main_thread():
            signal.signal(signal.SIGTERM, _sigterm_exit)  # so `finally` blocks stop the workers
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt:
            self._interrupted(ctx, "Ctrl-C", 130)
        except SystemExit as exc:
            if exc.code != SIGTERM_EXIT:
                raise
            self._interrupted(ctx, "SIGTERM", SIGTERM_EXIT)
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
        except Exception as exc:
            from db import storage_failure

            message = storage_failure(exc)  # a full disk: one line, not a traceback
            if message is None:
                raise
            click.echo(f"Error: {message}", err=True)
            ctx.exit(1)

    @staticmethod
    def _interrupted(ctx: click.Context, why: str, code: int) -> None:
        """One line on stderr (even with --quiet): what stopped, what was kept, how to resume."""
        command = ctx.invoked_subcommand or "miner"
        click.echo(
            f"miner {command} interrupted ({why}): everything committed before the stop is kept "
            f"(its run reads `interrupted`, see `miner status`); run `{resume_command()}` again "
            "to resume where it stopped",
            err=True,
        )
        ctx.exit(code)

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
