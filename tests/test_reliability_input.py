"""Bad user input: each mistake is a one-line `Error: ...` naming the fix, exit 2, nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import Result

from miner.errors import UsageError
from miner.gold import load_gold
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf


def dump(db: Path) -> list[str]:
    """Every row and schema statement of a SQLite file (to prove nothing was written)."""
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def assert_one_line_error(result: Result, *words: str) -> None:
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert "Traceback" not in result.output
    for word in words:
        assert word in lines[0], (word, lines[0])


@pytest.fixture
def filled(miner: Miner, tmp_path: Path, make_pdf: MakePdf) -> Miner:
    """A database with two papers of one venue and year, extracted."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    for name in ("a", "b"):
        (folder / f"{name}.pdf").write_bytes(make_pdf(pages=[f"Paper {name}. " * 20]))
    miner("ingest", str(folder), "--venue", "ICML", "--year", "2019")
    miner("extract", "--workers", "1")
    return miner


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["tally", "--venue", "ICLM"], ["unknown venue 'ICLM'", "ICML"]),
        (["papers", "--venue", "NeurIPS"], ["unknown venue", "ICML"]),
        (["tally", "--year", "2091"], ["no papers of year 2091", "2019"]),
        (["tally", "--json", "--csv"], ["--json", "--csv", "--help"]),
        (["papers", "--csv", "--markdown"], ["--csv", "--markdown"]),
        (["extract", "--workers", "0"], ["--workers", "--help"]),
        (["classify", "--classifier", "nope"], ["--classifier", "rules"]),
        (["no-such-command"], ["no-such-command", "--help"]),
    ],
)
def test_mistakes_on_a_database_change_nothing(
    filled: Miner, args: list[str], words: list[str]
) -> None:
    before = dump(filled.db)
    assert_one_line_error(filled(*args, ok=False), *words)
    assert dump(filled.db) == before


def test_matching_filters_still_work(filled: Miner) -> None:
    assert filled.json("tally", "--venue", "icml", "--year", "2019")
    assert len(filled.lines("papers", "--venue", "ICML", "--nl")) == 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["ingest", "{tmp}/missing", "--venue", "X"], ["no such file", "missing"]),
        (["ingest", "{tmp}", "--year", "3000"], ["--year", "3000"]),
        (["ingest", "{tmp}", "--year", "twenty"], ["--year"]),
        (["tally", "--json", "--markdown"], ["--json", "--markdown"]),
        (["crawl", "nosuch", "--year", "2019"], ["nosuch", "neurips"]),
        (["crawl", "neurips", "--year", "1900"], ["--year", "1900"]),
        (["crawl", "openreview", "--venue", "NOPE", "--year", "2024"], ["--venue", "ICLR"]),
        (["crawl", "neurips", "--year", "2019", "--base-url", "ftp://x"], ["--base-url"]),
        (["fetch", "--max-mb", "0"], ["--max-mb"]),
    ],
)
def test_mistakes_create_no_database(tmp_path: Path, args: list[str], words: list[str]) -> None:
    m = Miner(tmp_path / "new.db", tmp_path / "data")
    assert_one_line_error(m(*(a.format(tmp=tmp_path) for a in args), ok=False), *words)
    assert not list(tmp_path.glob("new.db*"))
    assert not (tmp_path / "data").exists()


def test_unreadable_pdf_is_refused_before_writing(tmp_path: Path, make_pdf: MakePdf) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads every file: permissions cannot make a file unreadable")
    pdf = tmp_path / "locked.pdf"
    pdf.write_bytes(make_pdf())
    pdf.chmod(0)
    m = Miner(tmp_path / "new.db", tmp_path / "data")
    assert_one_line_error(m("ingest", str(pdf), ok=False), "cannot read", "permissions")
    assert not list(tmp_path.glob("new.db*"))


@pytest.mark.parametrize(
    ("make_db", "words"),
    [
        (lambda t: str(t / "folder-not-there" / "x.db"), ["does not exist"]),
        (lambda t: f"sqlite:///{t}/nowhere/x.db", ["does not exist"]),
        (lambda t: "nosuchdialect://host/db", ["cannot open database", "SQLAlchemy URL"]),
        (lambda t: str(t), ["cannot open database", "--db"]),  # a folder
    ],
)
def test_database_that_cannot_be_opened(tmp_path: Path, make_db: object, words: list[str]) -> None:
    db = make_db(tmp_path)  # type: ignore[operator]
    before = sorted(p.name for p in tmp_path.iterdir())
    m = Miner(db, tmp_path / "data")
    assert_one_line_error(m("status", ok=False), *words)
    assert sorted(p.name for p in tmp_path.iterdir()) == before


def test_file_that_is_not_a_database_is_left_alone(tmp_path: Path) -> None:
    """Regression: a non-SQLite file given as --db raised DatabaseError with a traceback."""
    notdb = tmp_path / "notes.db"
    notdb.write_bytes(b"my precious notes, not a database\n" * 100)
    m = Miner(notdb, tmp_path / "data")
    assert_one_line_error(m("status", ok=False), "not a database", "--db")
    assert notdb.read_bytes() == b"my precious notes, not a database\n" * 100
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.db"]


def test_database_of_a_newer_schema_is_refused_untouched(filled: Miner) -> None:
    with sqlite3.connect(filled.db) as conn:
        conn.execute("INSERT INTO schema_migrations VALUES ('9999_future_table', '2030-01-01')")
    before = dump(filled.db)
    assert_one_line_error(filled("extract", ok=False), "newer", "upgrade framework-miner")
    assert dump(filled.db) == before


GOLD_HEADER = "slug,sha256,uses,mentions_only,official_code,code_links,confidence,evidence,notes\n"


@pytest.mark.parametrize(
    ("content", "words"),
    [
        (b"slug,frameworks\nx,pytorch\n", ["lacks column", "uses", "mentions_only"]),
        (b"title,uses,mentions_only\nx,pytorch,\n", ["lacks column", "slug or sha256"]),
        (b"", ["lacks column"]),
        (GOLD_HEADER.encode() + b"x,,\xff\xfe\x00pytorch,,,,,,\n", ["not UTF-8"]),
    ],
)
def test_gold_file_with_wrong_columns(tmp_path: Path, content: bytes, words: list[str]) -> None:
    gold = tmp_path / "gold.csv"
    gold.write_bytes(content)
    with pytest.raises(UsageError) as err:
        load_gold(gold)
    message = str(err.value)
    assert "\n" not in message and "README" in message or "UTF-8" in message
    for word in words:
        assert word in message


def test_gold_file_missing_or_a_folder(tmp_path: Path) -> None:
    for path in (tmp_path / "none.csv", tmp_path):
        with pytest.raises(UsageError, match="cannot read gold file"):
            load_gold(path)
