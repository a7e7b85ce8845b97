"""Papers with their verdicts and evidence as plain records, and writers for CSV, JSON and
Parquet (DB reads; the writers write one file or stream)."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import IO, Any

from db import Engine
from db.queries import paper_views
from miner.errors import UsageError
from miner.tally import headline_classifier, resolve_classifier

FORMATS = ("csv", "json", "nl", "parquet")
FLAT_COLUMNS = [
    "paper_id",
    "source",
    "source_id",
    "venue",
    "year",
    "title",
    "file",
    "sha256",
    "status",
    "classifier",
    "classifier_version",
    "framework",
    "label",
    "confidence",
    "evidence_count",
    "evidence",
]


def paper_records(
    engine: Engine,
    *,
    classifier: str | None = None,
    venue: str | None = None,
    year: int | None = None,
    labels: tuple[str, ...] = ("uses", "mentions"),
    max_evidence: int | None = None,
) -> list[dict[str, Any]]:
    """One dict per paper (PaperView.as_dict) with `verdicts`: framework, label, confidence and
    evidence snippets (page, section, rule, term, snippet) from one classifier version; absent
    verdicts and papers not classified have none."""
    clf = resolve_classifier(headline_classifier(engine, classifier))
    views = paper_views(engine, clf, venue=venue, year=year, labels=labels)
    return [v.as_dict(max_evidence) for v in views]


def flat_rows(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per (paper, non-absent verdict), or one row per paper without any, with the
    evidence as a JSON string; columns FLAT_COLUMNS."""
    rows = []
    for rec in records:
        base = {k: rec.get(k) for k in FLAT_COLUMNS[:11]}
        base["paper_id"] = rec["paper_id"]
        base["file"] = rec["file"]
        for v in rec["verdicts"] or [None]:
            row = dict(base)
            if v is None:
                row.update(framework=None, label=None, confidence=None, evidence_count=0)
                row["evidence"] = "[]"
            else:
                row.update(
                    framework=v["framework"],
                    label=v["label"],
                    confidence=v["confidence"],
                    evidence_count=len(v["evidence"]),
                    evidence=json.dumps(v["evidence"], ensure_ascii=False),
                )
            rows.append(row)
    return rows


def write_export(records: list[dict[str, Any]], fmt: str, out: IO[str] | Path) -> int:
    """Write records as `json` (nested, one array), `nl` (one paper per line), `csv` or `parquet`
    (flat); returns rows written.
    Parquet needs a file path and pyarrow (`pip install 'framework-miner[parquet]'`)."""
    if fmt not in FORMATS:
        raise UsageError(f"--format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if fmt == "json":
        text = json.dumps(records, indent=2, ensure_ascii=False, default=str) + "\n"
        _write_text(out, text)
        return len(records)
    if fmt == "nl":
        lines = [json.dumps(r, ensure_ascii=False, default=str) + "\n" for r in records]
        _write_text(out, "".join(lines))
        return len(records)
    rows = flat_rows(records)
    if fmt == "csv":
        if isinstance(out, Path):
            with out.open("w", newline="", encoding="utf-8") as fh:
                _write_csv(rows, fh)
        else:
            _write_csv(rows, out)
        return len(rows)
    if not isinstance(out, Path):
        raise UsageError("parquet is binary: give a file with --output, e.g. -o papers.parquet")
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError("parquet needs pyarrow: pip install 'framework-miner[parquet]'") from None
    table = pa.Table.from_pylist(rows, schema=_arrow_schema(pa))
    pq.write_table(table, out)
    return len(rows)


def _arrow_schema(pa: Any) -> Any:
    """Explicit column types, so empty exports and all-null columns keep their schema."""
    types = {
        "paper_id": pa.int64(),
        "year": pa.int64(),
        "confidence": pa.float64(),
        "evidence_count": pa.int64(),
    }
    return pa.schema([(c, types.get(c, pa.string())) for c in FLAT_COLUMNS])


def _write_csv(rows: list[dict[str, Any]], fh: IO[str]) -> None:
    writer = csv.DictWriter(fh, fieldnames=FLAT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)


def _write_text(out: IO[str] | Path, text: str) -> None:
    if isinstance(out, Path):
        out.write_text(text, encoding="utf-8")
    else:
        out.write(text)
