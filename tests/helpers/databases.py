"""Database helpers of the tests: a consistent copy of a SQLite file, extractions read back as docs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db import store
from db.schema import CodeLink, Extraction, Paper
from miner.extract import EXTRACTOR_VERSION
from miner.records import ExtractedDoc


def copy_db(src: Path, dst: Path) -> Path:
    """Copy the SQLite database src to dst with the backup API (the WAL included), return dst.

    For tests that write to a database a session fixture built: they write to the copy.
    """
    source = sqlite3.connect(src)
    target = sqlite3.connect(dst)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    return dst


def load_docs(engine: Engine) -> dict[str, ExtractedDoc]:
    """Every current-version extraction rebuilt as an ExtractedDoc, keyed by file-name stem.

    Links come back in the order the extractor found them (by row id), as `extract_pdf` returns
    them; `truncated` is not stored and stays False.
    """
    out: dict[str, ExtractedDoc] = {}
    with Session(engine) as session:
        rows = session.execute(
            select(Extraction, Paper)
            .join(Paper, Paper.id == Extraction.paper_id)
            .where(Extraction.extractor_version == EXTRACTOR_VERSION)
            .order_by(Paper.id)
        ).all()
        for extraction, paper in rows:
            links = session.scalars(
                select(CodeLink)
                .where(
                    CodeLink.paper_id == paper.id,
                    CodeLink.extractor_version == extraction.extractor_version,
                )
                .order_by(CodeLink.id)
            ).all()
            out[(paper.file_name or "").rsplit(".", 1)[0]] = store.load_doc(extraction, links)
    return out
