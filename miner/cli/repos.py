"""`miner repos`: frameworks of the code repositories papers link to, and the combined verdict."""

from __future__ import annotations

import os
from pathlib import Path

import click

from miner.cli import cli, pass_ctx
from miner.cli.context import Ctx
from miner.cli.options import output_options
from miner.cli.output import note, progress, render
from miner.errors import UsageError
from miner.hostslots import HostSlots
from miner.http import RateLimiter
from miner.repos.backends import MODES, backend_chooser
from miner.repos.discover import count_pending as count_discoverable
from miner.repos.discover import run_discover
from miner.repos.github import API, make_github_client
from miner.repos.search import GitHubSearch
from miner.repos.stage import count_pending, run_repos
from miner.repos.summary import repo_listing, verdict_listing

VERDICT_COLUMNS = [
    "paper_id",
    "file",
    "framework",
    "text",
    "repo",
    "combined",
    "decided_by",
    "found_by",
    "agree",
]
COLUMNS = [
    "paper_id",
    "file",
    "role",
    "found_by",
    "reason",
    "commit",
    "status",
    "frameworks",
    "url",
]


@cli.command()
@click.option(
    "--limit",
    type=click.IntRange(1),
    help="At most N repositories this run (and, with --discover, N papers searched).",
)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Repositories read at once (threads; one process writes).",
)
@click.option(
    "--delay",
    type=click.FloatRange(0),
    default=0.25,
    show_default=True,
    help="Seconds between two clones from one host, over every miner process of the machine "
    "(the API backend follows GitHub's rate-limit headers instead).",
)
@click.option(
    "--token-env",
    default="GITHUB_TOKEN",
    show_default=True,
    help="Environment variable holding a GitHub token (optional; raises the rate limit).",
)
@click.option("--base-url", default=API, show_default=True, help="GitHub API base URL.")
@click.option(
    "--backend",
    type=click.Choice(MODES),
    default="auto",
    show_default=True,
    help="auto: GitHub API for github.com when a token is set (or --base-url is given), "
    "shallow git clone otherwise and for other hosts.",
)
@click.option(
    "--max-files",
    type=click.IntRange(1),
    default=40,
    show_default=True,
    help="Files read per repository through the API.",
)
@click.option(
    "--max-wait",
    type=click.FloatRange(0),
    default=0.0,
    show_default=True,
    help="Seconds to wait for a rate-limit reset before stopping the run.",
)
@click.option(
    "--force",
    is_flag=True,
    help="Re-check repositories done (unchanged commits stay cached); with --discover, search "
    "papers searched before again.",
)
@click.option(
    "--discover",
    is_flag=True,
    help="First search GitHub for papers no source gives own code for (off by default; "
    "accepted repositories are then analysed like the others).",
)
@click.option(
    "--search-delay",
    type=click.FloatRange(0),
    help="Seconds between two searches [default: 2 with a token, 6 without: GitHub's "
    "30 and 10 searches a minute].",
)
@click.option("--show", is_flag=True, help="Only list the stored evidence (no network).")
@click.option(
    "--verdicts",
    is_flag=True,
    help="Only list combined verdicts: text label, repo label, which decided (no network).",
)
@output_options
@pass_ctx
def repos(
    ctx: Ctx,
    limit: int | None,
    workers: int,
    delay: float,
    token_env: str,
    base_url: str,
    backend: str,
    max_files: int,
    max_wait: float,
    force: bool,
    discover: bool,
    search_delay: float | None,
    show: bool,
    verdicts: bool,
    fmt: str,
) -> None:
    """Detect frameworks from each paper's linked code, then write `combined` predictions.

    `--discover` first searches GitHub (by exact title, and by arXiv id) for the papers without
    an own-code repository from their PDF, listing or metadata, and keeps a repository only with
    evidence that it is the authors' release (see README); `--show` lists the rejected ones too,
    with the reason.

    `--show` prints one row per paper and code link: role (own / third_party), whether the repository
    decides the paper's framework and why not (fork, reimplementation, not_found...), and the
    frameworks with their import (i), dependency (d) and prototxt/Lua (o) file counts.
    Only a paper's own code link may decide its framework; forks and READMEs that call the
    repository a reimplementation or mirror do not. Third-party links are analysed and recorded.

    \b
    Examples:
      miner repos --limit 50 --workers 8
      GITHUB_TOKEN=... miner repos --token-env GITHUB_TOKEN
      miner repos --backend git
      GITHUB_TOKEN=... miner repos --discover
      miner repos --show --json
      miner repos --verdicts
    """
    if verdicts:
        render(verdict_listing(ctx.engine), fmt, VERDICT_COLUMNS)
        return
    if show:
        rows = repo_listing(ctx.engine)
        render(rows, fmt, None if fmt in ("json", "nl") else COLUMNS)
        return
    if not token_env.isidentifier():
        raise UsageError(f"--token-env takes a variable name, not {token_env!r}")
    token = os.environ.get(token_env) or None
    if backend == "auto" and token is None and base_url == API:
        note(ctx, f"repos: ${token_env} is not set; reading github.com by shallow git clone")
    choose = backend_chooser(
        Path(ctx.data_dir) / "repos",
        mode=backend,
        base_url=base_url,
        token=token,
        max_files=max_files,
        max_wait=max_wait,
    )
    if discover:
        _discover(ctx, base_url, token, search_delay, max_wait, limit, force)
    pending = count_pending(ctx.engine, force)
    with progress(ctx, min(pending, limit or pending), "repos") as bar:
        report = run_repos(
            ctx.engine,
            choose,
            limit=limit,
            force=force,
            progress=bar.update,
            workers=workers,
            limiter=RateLimiter(delay=delay, shared=HostSlots()),
        )
    note(ctx, f"repos: {report.summary()}  (list them: miner repos --show)")


def _discover(
    ctx: Ctx,
    base_url: str,
    token: str | None,
    delay: float | None,
    max_wait: float,
    limit: int | None,
    force: bool,
) -> None:
    """`--discover`: the search stage before the analysis."""
    if token is None and base_url == API:
        note(ctx, "discover: no token; GitHub allows 10 searches a minute, 60 READMEs an hour")
    searcher = GitHubSearch(
        make_github_client(), base_url=base_url, token=token, interval=delay, max_wait=max_wait
    )
    pending = count_discoverable(ctx.engine, force)
    with progress(ctx, min(pending, limit or pending), "discover") as bar:
        report = run_discover(ctx.engine, searcher, limit=limit, force=force, progress=bar.update)
    note(ctx, f"discover: {report.summary()}")
