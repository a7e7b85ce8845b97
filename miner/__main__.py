"""Lets `python -m miner` run the CLI."""

from miner.cli import cli

cli()
