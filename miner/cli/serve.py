"""Browse command: serve the database in Datasette with descriptions and canned queries."""

from __future__ import annotations

import importlib.util
import json
import os
import sys
from pathlib import Path

import click

from miner.cli import cli, pass_ctx
from miner.cli.context import Ctx
from miner.cli.options import classifier_option
from miner.cli.output import note
from miner.errors import UsageError


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8001, show_default=True)
@classifier_option("Whose verdicts the canned queries show.", signals=True)
@click.option(
    "--base-url",
    metavar="URL",
    help="Address readers open, for the links between canned queries (behind a proxy, or with "
    "--host 0.0.0.0) [default: http://HOST:PORT, localhost for 0.0.0.0 and ::]",
)
@click.option("--metadata", "metadata_only", is_flag=True, help="Print the metadata JSON and exit.")
@pass_ctx
def serve(
    ctx: Ctx,
    host: str,
    port: int,
    classifier: str | None,
    base_url: str | None,
    metadata_only: bool,
) -> None:
    """Open the database in Datasette: tables described, canned queries from numbers to sentences.

    Canned queries: tally_by_venue_year (each count links to papers_using), papers_using
    (each paper links to paper_evidence), paper_evidence. Needs `pip install 'framework-miner[web]'`.

    \b
    Example:
      miner --db demo.db serve --port 8001
      # then open http://127.0.0.1:8001/demo/tally_by_venue_year
      miner --db demo.db serve --host 0.0.0.0 --base-url https://miner.example.org
    """
    from miner.browse import datasette_metadata, tilde_encode
    from miner.tally import headline_classifier, resolve_classifier

    if "://" in ctx.db and not ctx.db.startswith("sqlite:///"):
        raise UsageError("miner serve needs a SQLite database file; pass --db PATH")
    path = Path(ctx.db.removeprefix("sqlite:///"))
    if not path.is_file():
        raise UsageError(f"no database at {path}; run `miner --db {path} demo` or ingest first")
    clf = resolve_classifier(headline_classifier(ctx.engine, classifier))
    ctx.engine.dispose()  # read-only: refuses a schema older than the canned queries expect
    base = base_url or _default_base(host, port)
    if not base.startswith(("http://", "https://")):
        raise UsageError(f"--base-url {base!r} must start with http:// or https://")
    meta = datasette_metadata(path.stem, clf.NAME, clf.VERSION, base)
    if metadata_only:
        click.echo(json.dumps(meta, indent=2))
        return
    if importlib.util.find_spec("datasette") is None:
        raise UsageError("miner serve needs Datasette: pip install 'framework-miner[web]'")
    meta_path = Path(ctx.data_dir) / "datasette-metadata.json"
    meta_path.parent.mkdir(parents=True, exist_ok=True)
    meta_path.write_text(json.dumps(meta, indent=2))
    url = f"{base.rstrip('/')}/{tilde_encode(path.stem)}/tally_by_venue_year"
    note(ctx, f"serve: {url} (Ctrl-C stops)")
    args = [sys.executable, "-m", "datasette", "serve", str(path), "-m", str(meta_path)]
    args += ["-h", host, "-p", str(port), "--setting", "sql_time_limit_ms", "5000"]
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, args)  # become Datasette: one process to stop, same pid


def _default_base(host: str, port: int) -> str:
    """Where a browser on this machine reaches Datasette (a wildcard address is not one)."""
    if host in ("0.0.0.0", "::", ""):
        host = "localhost"
    elif ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"http://{host}:{port}"
