"""Fixtures only; the helpers they use live in tests/helpers/ (paths, CLI runner, PDFs, databases)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from db import make_engine
from miner.records import ExtractedDoc
from tests.helpers.cli import Miner
from tests.helpers.databases import copy_db, load_docs
from tests.helpers.paths import CORPUS
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
