"""Shared fixtures: PDF factory, CLI runner, paths to the shared corpus."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path

import pymupdf
import pytest
from click.testing import CliRunner, Result

ROOT = Path(__file__).resolve().parent.parent


def find_shared() -> Path:
    """The shared material: $MINER_SHARED, else the nearest `shared/` beside the checkout or above it."""
    if os.environ.get("MINER_SHARED"):
        return Path(os.environ["MINER_SHARED"])
    for parent in ROOT.parents:
        if (parent / "shared").is_dir():
            return parent / "shared"
    return ROOT.parent / "shared"


SHARED = find_shared()
CORPUS = SHARED / "corpus"
GOLD = SHARED / "gold"
FIXTURES = SHARED / "fixtures" / "http"

MakePdf = Callable[..., bytes]


def build_pdf(
    pages: Sequence[str] = ("Hello world.",),
    links: Sequence[tuple[int, str]] = (),
    encrypt: bool = False,
) -> bytes:
    """A real PDF made with PyMuPDF: one text page per string, URI links as (page_index, uri)."""
    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page(width=595, height=842)
        page.insert_textbox(pymupdf.Rect(50, 50, 545, 800), text, fontsize=10)
    for index, uri in links:
        doc[index].insert_link(
            {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 780, 300, 795), "uri": uri}
        )
    if encrypt:
        data = doc.tobytes(
            encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner"
        )
    else:
        data = doc.tobytes()
    doc.close()
    return data


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


class Miner:
    """Runs `miner` in-process against one database file."""

    def __init__(self, db: Path, data_dir: Path) -> None:
        self.db = db
        self.data_dir = data_dir
        self.runner = CliRunner()

    def __call__(self, *args: str, ok: bool = True) -> Result:
        from miner.cli import cli

        result = self.runner.invoke(
            cli, ["--db", str(self.db), "--data-dir", str(self.data_dir), *args]
        )
        if ok and result.exit_code != 0:
            raise AssertionError(
                f"miner {' '.join(args)} exited {result.exit_code}:\n{result.output}\n"
                f"{result.stderr if result.stderr_bytes is not None else ''}"
            )
        return result

    def json(self, *args: str) -> object:
        return json.loads(self(*args, "--json").stdout)

    def lines(self, *args: str) -> list[dict[str, object]]:
        return [json.loads(line) for line in self(*args).stdout.splitlines() if line.strip()]


@pytest.fixture
def miner(tmp_path: Path) -> Miner:
    """CLI runner bound to a fresh database in tmp_path."""
    return Miner(tmp_path / "test.db", tmp_path / "data")


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database built once per session by `miner demo` on the bundled sample (read-only use)."""
    folder = tmp_path_factory.mktemp("demo")
    Miner(folder / "demo.db", folder / "data")("demo", "--workers", "1")
    return folder / "demo.db"
