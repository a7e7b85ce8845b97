"""The repository signal on the corpus repositories rebuilt from their facts (issue 14).

Usage: python bench/repo_facts.py --db corpus.db [--facts ../shared/fixtures/repos]
       [--gold ../shared/gold/dev.csv] [--workdir DIR] [--backend git|api|both] [--max-files 40]

1. Materializes every facts file as a bare repository (miner.repos.replica) and, per backend,
   reads each one through `https://github.com/owner/name`: the clone backend via git's
   `insteadOf` in an isolated HOME, the API backend via a loopback GitHub REST stand-in. Prints
   repositories per minute, bytes fetched per repository, detector agreement with index.csv's
   top framework (per repository), and whether the two backends reached the same verdicts.
2. With --db (a corpus database after ingest, extract, classify; it is copied, not changed): runs
   `miner repos` (the stage) on a copy against the replicas and prints the targets: how often the
   paper's official code (gold) is found and decides, and text alone vs combined (finds the
   own-code framework; `uses` precision against gold uses plus own-code framework).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from classifiers import DEFAULT_CLASSIFIER, identify
from db import make_engine
from db.queries import paper_views
from miner.repos.backends import backend_chooser
from miner.repos.detect import analyse_snapshot
from miner.repos.git import GitBackend
from miner.repos.github import GitHubBackend, make_github_client
from miner.repos.protocol import RepoAnalysis, parse_repo_url
from miner.repos.replica import git_env, load_facts, materialize, serve_api
from miner.repos.stage import run_repos
from miner.repos.summary import repo_listing
from miner.repos.targets import render, score_targets

SHARED = Path(__file__).resolve().parents[2] / "shared"


def folder_bytes(path: Path) -> int:
    """Bytes of every file under path (what a clone put on disk)."""
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def read_backend(name: str, replicas: dict, api_url: str, work: Path, max_files: int) -> dict:
    """Analysis per repository through one backend, with the time taken."""
    backend: GitBackend | GitHubBackend
    if name == "git":
        backend = GitBackend(work / "clones")
    else:
        backend = GitHubBackend(make_github_client(), base_url=api_url, max_files=max_files)
    out: dict[str, RepoAnalysis] = {}
    for key, r in sorted(replicas.items()):
        ref = parse_repo_url(f"https://github.com/{r.full_name}")
        assert ref is not None
        out[key] = analyse_snapshot(backend.snapshot(ref, backend.resolve(ref)))
    return out


def agreement(analyses: dict[str, RepoAnalysis], index: list[dict[str, str]]) -> tuple[int, list]:
    """Repositories whose primary frameworks are exactly index.csv's top framework."""
    truth = {r["repo"].lower(): r["top_framework_by_imports"] for r in index}
    bad = []
    for key, a in analyses.items():
        want = {truth[key]} if truth[key] != "other" else set()
        if set(a.primary) != want:
            bad.append(f"{key}: {','.join(sorted(a.primary)) or '-'} vs {truth[key]}")
    return len(analyses) - len(bad), bad


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--facts", type=Path, default=SHARED / "fixtures" / "repos")
    parser.add_argument("--gold", type=Path, default=SHARED / "gold" / "dev.csv")
    parser.add_argument("--db", type=Path)
    parser.add_argument("--workdir", type=Path)
    parser.add_argument("--backend", choices=("git", "api", "both"), default="both")
    parser.add_argument("--max-files", type=int, default=40)
    parser.add_argument("--text-classifier", default=DEFAULT_CLASSIFIER)
    args = parser.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="repo-facts-"))
    with (args.facts / "index.csv").open() as fh:
        index = list(csv.DictReader(fh))
    env = git_env(work / "home", work / "remotes")
    start = time.perf_counter()
    replicas = materialize(load_facts(args.facts), work / "remotes", env)
    print(f"materialized {len(replicas)} repositories in {time.perf_counter() - start:.1f} s")
    os.environ.update({k: env[k] for k in ("HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM")})
    backends = ("git", "api") if args.backend == "both" else (args.backend,)
    with serve_api(replicas) as (api_url, stats):
        got = {}
        for name in backends:
            start = time.perf_counter()
            got[name] = read_backend(name, replicas, api_url, work, args.max_files)
            took = time.perf_counter() - start
            fetched = folder_bytes(work / "clones") if name == "git" else stats.bytes
            extra = f", {stats.requests / len(replicas):.1f} requests" if name == "api" else ""
            ok, bad = agreement(got[name], index)
            print(
                f"{name}: {len(replicas) / took * 60:.0f} repositories/min, "
                f"{fetched / len(replicas) / 1024:.1f} KiB fetched per repository{extra}; "
                f"agreement with index.csv {ok}/{len(replicas)} = {ok / len(replicas):.1%}"
                + (f"; disagree: {bad}" if bad else "")
            )
        if len(got) == 2:
            differ = [
                k for k in replicas if set(got["git"][k].primary) != set(got["api"][k].primary)
            ]
            truncated = sum(got["api"][k].truncated for k in differ)
            print(
                f"backends differ on {len(differ)} repositories ({truncated} API reads truncated)"
                + (f": {differ}" if differ else "")
            )
        if args.db:
            db = work / "corpus.db"
            shutil.copy(args.db, db)
            engine = make_engine(str(db))
            mode = "git" if args.backend == "git" else "api"
            choose = backend_chooser(
                work / "stage", mode=mode, base_url=api_url, max_files=args.max_files
            )
            report = run_repos(engine, choose, text_classifier=args.text_classifier)
            print("repos stage:", dict(sorted(report.counts.items())))
            with args.gold.open() as fh:
                gold = list(csv.DictReader(fh))
            views = {
                "text": paper_views(engine, identify(args.text_classifier), evidence=False),
                "combined": paper_views(
                    engine, identify("combined", args.text_classifier), evidence=False
                ),
            }
            for line in render(
                score_targets(gold, index, views, repo_listing(engine, rejected=False))
            ):
                print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
