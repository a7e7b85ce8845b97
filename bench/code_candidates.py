"""Own-code candidates per source and venue over the recorded listings (issue 20).

Usage: python bench/code_candidates.py [--fixtures ../shared/fixtures/http] [--markdown]

Parses every recorded listing in ../shared/fixtures/http (PMLR ICML volumes, NeurIPS year
indexes, CVF CVPR listings, ACL Anthology collections, arXiv API pages) with the crawler's own
parsers and prints, per venue and year, how many papers list a code link and how many get an
own-code candidate `miner repos` reads, by found_by (miner.repos.coverage). OpenReview has no
public recordings (fixtures/http/openreview/PROVENANCE.md), so it has no row here.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from miner.records import PaperRecord
from miner.repos.coverage import COLUMNS, candidate_coverage
from miner.sources.acl import parse_collection_xml
from miner.sources.arxiv import parse_feed
from miner.sources.cvf import parse_listing_html
from miner.sources.neurips import parse_index_html
from miner.sources.pmlr import parse_volume_html


def _read(path: Path) -> bytes:
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def recorded_records(root: Path) -> Iterator[PaperRecord]:
    """Every paper of every recorded listing under root, source by source."""
    for path in sorted((root / "pmlr" / "listing").glob("v*")):
        yield from parse_volume_html(_read(path), int(path.name[1:].split("_")[0]))
    for path in sorted((root / "neurips" / "listing").glob("paper_files_paper_*")):
        year = int(re.findall(r"\d{4}", path.name)[0])
        yield from parse_index_html(_read(path), year=year)
    for path in sorted((root / "cvf" / "listing").glob("CVPR*")):
        year = int(re.findall(r"\d{4}", path.name)[0])
        url = f"https://openaccess.thecvf.com/CVPR{year}?day=all"
        yield from parse_listing_html(_read(path), url, "CVPR", year)
    for path in sorted((root / "acl" / "anthology_xml").glob("*.xml")):
        yield from parse_collection_xml(_read(path))
    seen: set[str] = set()
    for path in sorted((root / "arxiv").rglob("*")):
        if path.suffix == ".json":
            exchange = json.loads(path.read_text())
            if exchange.get("status_code") != 200:
                continue
            body = exchange["body"].encode()
        elif path.suffix == ".xml":
            body = path.read_bytes()
        else:
            continue
        for r in parse_feed(body).records:
            if r.source_id not in seen:  # the recorded pages overlap; one row for all years
                seen.add(r.source_id)
                yield replace(r, year=None)


def main(argv: list[str] | None = None) -> int:
    """Print the coverage table (tab-separated, or Markdown for README)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fixtures", type=Path, default=Path("../shared/fixtures/http"))
    parser.add_argument("--markdown", action="store_true")
    args = parser.parse_args(argv)
    rows = sorted(
        candidate_coverage(recorded_records(args.fixtures)),
        key=lambda r: (str(r["venue"]), int(str(r["year"] or 0))),
    )
    if args.markdown:
        print("| " + " | ".join(COLUMNS) + " |")
        print("|" + "---|" * len(COLUMNS))
    for row in rows:
        cells = [str(row[c]) for c in COLUMNS]
        print("| " + " | ".join(cells) + " |" if args.markdown else "\t".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
