"""Fixtures only; the helpers they use live in tests/helpers/ (paths, CLI runner, PDFs, databases)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import make_engine
from miner.records import ExtractedDoc
from miner.repos.replica import ApiStats, Replica, git_env, load_facts, materialize, serve_api
from tests.helpers.cli import Miner
from tests.helpers.databases import copy_db, load_docs
from tests.helpers.paths import CORPUS, REPO_FACTS
from tests.helpers.pdfs import MakePdf, build_pdf


@pytest.fixture
def make_pdf() -> MakePdf:
    """Factory for PDFs built in memory."""
    return build_pdf


@pytest.fixture
def corpus() -> Path:
    """The shared corpus of real papers, or skip."""
    if not (CORPUS / "pdfs").is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    return CORPUS


@pytest.fixture
def miner(tmp_path: Path) -> Miner:
    """CLI runner bound to a fresh database in tmp_path."""
    return Miner(tmp_path / "test.db", tmp_path / "data")


@pytest.fixture
def mem_engine() -> Iterator[Engine]:
    """A fresh in-memory database with the schema applied (`make_engine(":memory:")`).

    Sessions opened from it in the test's thread share one connection, so they see each other's
    commits; the engine is disposed after the test.
    """
    eng = make_engine(":memory:")
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once per session by `miner demo` on the bundled sample (read-only use)."""
    folder = tmp_path_factory.mktemp("demo")
    Miner(folder / "demo.db", folder / "data")("demo", "--workers", "1")
    return folder / "demo.db"


@pytest.fixture(scope="session")
def corpus_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shared corpus (../shared/corpus/pdfs) ingested, extracted and classified once per session.

    Read-only: tests that write take `corpus_db_copy`. Skips without the shared corpus.
    Ingested with venue `corpus`, year 2024; extracted with two workers; `classify --all`.
    """
    if not (CORPUS / "pdfs").is_dir():
        pytest.skip(f"shared corpus not found at {CORPUS}")
    folder = tmp_path_factory.mktemp("corpus")
    run = Miner(folder / "corpus.db", folder / "data")
    run("ingest", str(CORPUS / "pdfs"), "--venue", "corpus", "--year", "2024")
    run("extract", "--workers", "2")
    run("classify", "--all")
    return run.db


@pytest.fixture
def corpus_db_copy(corpus_db: Path, tmp_path: Path) -> Path:
    """A private copy of `corpus_db` in tmp_path, for tests that write to it."""
    return copy_db(corpus_db, tmp_path / "corpus.db")


@pytest.fixture(scope="session")
def corpus_docs(corpus_db: Path) -> dict[str, ExtractedDoc]:
    """Every corpus paper's extraction from `corpus_db`, keyed by file stem (the gold slug)."""
    eng = make_engine(str(corpus_db))
    try:
        return load_docs(eng)
    finally:
        eng.dispose()


@dataclass(frozen=True)
class RepoReplicas:
    """The corpus repositories rebuilt from their facts (`miner.repos.replica`)."""

    facts: dict[str, dict]
    """Facts record by lower-case `owner/name`."""
    replicas: dict[str, Replica]
    remotes: Path
    git_env: dict[str, str]
    """HOME with `url.file://<remotes>/.insteadOf https://github.com/`."""
    api: str
    """Base URL of the GitHub REST stand-in."""
    api_stats: ApiStats


@pytest.fixture(scope="session")
def repo_replicas(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RepoReplicas]:
    """Every facts file as a bare repository and behind a loopback GitHub API, once per session."""
    if not REPO_FACTS.is_dir():
        pytest.skip(f"repository facts not found at {REPO_FACTS}")
    folder = tmp_path_factory.mktemp("replicas")
    facts = {f["repo"].lower(): f for f in load_facts(REPO_FACTS)}
    env = git_env(folder / "home", folder / "remotes")
    replicas = materialize(facts.values(), folder / "remotes", env)
    with serve_api(replicas) as (base, stats):
        yield RepoReplicas(facts, replicas, folder / "remotes", env, base, stats)


@pytest.fixture
def github_replicas(repo_replicas: RepoReplicas, monkeypatch: pytest.MonkeyPatch) -> RepoReplicas:
    """`repo_replicas`, with this test's git runs in the isolated HOME (github.com -> replicas)."""
    for key in ("HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM"):
        monkeypatch.setenv(key, repo_replicas.git_env[key])
    return repo_replicas


@pytest.fixture(autouse=True, scope="session")
def _own_host_slots(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The per-host request slots of this test run, apart from any real miner run's."""
    from miner.hostslots import ENV

    os.environ[ENV] = str(tmp_path_factory.mktemp("host-slots"))
