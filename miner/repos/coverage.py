"""How many papers of a listing get an own-code candidate from each source (pure; no IO).

Counts what `miner repos` would read before any PDF is fetched: papers whose source gives a code
link that is a repository (miner.extract.codeurls.listed_repo_url), by found_by. The PDF's own
links need the PDFs, so `pdf` is not counted here.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from miner.extract.codeurls import listed_repo_url
from miner.records import PaperRecord
from miner.repos.candidates import found_by_source

COLUMNS = ("venue", "year", "papers", "code_links", "listing", "openreview", "arxiv-metadata")
"""`code_links`: papers with any listed code link; the found_by columns: papers with a listed
link that is a repository, i.e. an own-code candidate `miner repos` reads."""


def candidate_coverage(records: Iterable[PaperRecord]) -> list[dict[str, object]]:
    """One row per (venue, year) in first-seen order, with the COLUMNS counts."""
    counts: dict[tuple[str, int | None], Counter[str]] = {}
    for r in records:
        c = counts.setdefault((r.venue or r.source, r.year), Counter())
        c["papers"] += 1
        c["code_links"] += bool(r.code_urls)
        if any(listed_repo_url(u) for u in r.code_urls):
            c[found_by_source(r.source)] += 1
    rows: list[dict[str, object]] = []
    for (venue, year), c in counts.items():
        rows.append({"venue": venue, "year": year, **{k: c[k] for k in COLUMNS[2:]}})
    return rows
