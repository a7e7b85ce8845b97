"""`miner ingest`: record local PDF files as papers (file reads, DB IO)."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path

from db import Engine, Session, store
from miner import __version__
from miner.errors import UsageError
from miner.records import PaperRecord
from miner.stages import Progress, StageReport
from miner.stages.recorded import recorded_run


def iter_pdf_paths(paths: Iterable[str]) -> Iterator[Path]:
    """PDF files named or found (recursively, sorted) under the given paths."""
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            yield from sorted(
                p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".pdf"
            )
        elif path.is_file():
            yield path
        else:
            raise UsageError(f"no such file or folder: {raw}; check the path")


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def run_ingest(
    engine: Engine,
    paths: Iterable[str],
    *,
    venue: str | None,
    year: int | None,
    progress: Progress | None = None,
) -> StageReport:
    """Record local PDFs as papers (source `local`, source id = sha256); idempotent.

    Every path is checked (exists, readable) before anything is written: UsageError otherwise.
    """
    paths = list(paths)
    files = list(iter_pdf_paths(paths))
    for f in files:
        if not os.access(f, os.R_OK):
            raise UsageError(f"cannot read {f}: check its permissions")
    args = {"paths": paths, "venue": venue, "year": year}
    versions = {"miner": __version__}
    with Session(engine) as session, recorded_run(session, "ingest", args, versions) as report:
        for f in files:
            sha = sha256_file(f)
            rec = PaperRecord(
                source="local",
                source_id=sha,
                venue=venue,
                year=year,
                file_path=str(f.resolve()),
                file_name=f.name,
            )
            before = store.listed_as(session, "local", sha)
            store.upsert_papers(session, [rec])
            store.upsert_pdf(session, sha, f.stat().st_size, str(f.resolve()))
            if before is None:
                report.counts["new"] += 1
            else:  # a new --venue/--year is recorded: say so
                report.counts["unchanged" if before == (venue, year) else "updated"] += 1
            if progress:
                progress(1)
        session.commit()
    return report
