"""Snapshot of extract_pdf's output, to prove a speed change keeps the output byte for byte.

Run: .venv/bin/python bench/snapshot_extract.py OUT.jsonl [--corpus DIR ...]

Writes one JSON line per PDF of ../shared/corpus/pdfs and ../shared/corpus/awkward (sorted by
name): status, error, page count, title, truncated, every block (page, section, text,
footnote) and every link (all fields). Compare two snapshots with `cmp` or `diff`. Not a test.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # this checkout's miner, not the one installed in the venv

import miner  # noqa: E402, F401  # before pymupdf (see miner/__init__)
from miner.extract.pdf import extract_pdf  # noqa: E402

CORPORA = (ROOT.parent / "shared/corpus/pdfs", ROOT.parent / "shared/corpus/awkward")


def snapshot(path: Path) -> dict[str, object]:
    """extract_pdf's whole output for one file, as plain JSON values."""
    doc = extract_pdf(path.read_bytes())
    return {
        "file": f"{path.parent.name}/{path.name}",
        "status": doc.status,
        "error": doc.error,
        "page_count": doc.page_count,
        "title": doc.title,
        "truncated": doc.truncated,
        "blocks": [dataclasses.asdict(b) for b in doc.blocks],
        "links": [dataclasses.asdict(lk) for lk in doc.links],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("out", type=Path, help="JSON lines file to write.")
    parser.add_argument("--corpus", type=Path, action="append", help="Folders of PDFs.")
    args = parser.parse_args()
    files = [f for d in args.corpus or CORPORA for f in sorted(d.iterdir()) if f.is_file()]
    with args.out.open("w", encoding="utf-8") as out:
        for f in files:
            out.write(json.dumps(snapshot(f), ensure_ascii=False, sort_keys=True) + "\n")
    print(f"{len(files)} files -> {args.out}")


if __name__ == "__main__":
    main()
