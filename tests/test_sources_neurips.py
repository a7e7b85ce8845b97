"""NeurIPS year indexes: every recorded year 2014-2025 (classic, track and 2025 layouts)."""

from __future__ import annotations

from collections import Counter

import pytest

from miner.replay import index_html  # the trimmed 2019 index, shipped
from miner.sources.neurips import parse_index_html, pdf_url_for
from tests.helpers.recorded import local, shared

# Paper counts from ../shared/fixtures/http/neurips/PROVENANCE.md (counted there with a grep for
# `a[title="paper title"]`, independently of this parser), and tracks where the page has them.
YEARS = {
    2014: (411, {"main": 411}),
    2015: (403, {"main": 403}),
    2016: (569, {"main": 569}),
    2017: (679, {"main": 679}),
    2018: (1009, {"main": 1009}),
    2019: (1428, {"main": 1428}),
    2020: (1898, {"main": 1898}),
    2021: (2334, {"main": 2334}),
    2022: (2834, {"main": 2671, "datasets_and_benchmarks": 163}),
    2023: (3540, {"main": 3218, "datasets_and_benchmarks": 322}),
    2024: (4494, {"main": 4035, "datasets_and_benchmarks": 459}),
    2025: (5823, {"main": 5286, "datasets_and_benchmarks": 497, "position": 40}),
}
EMPTY_AUTHORS = {2016: 1, 2017: 1, 2018: 1, 2019: 1, 2025: 325}
"""Entries listed without authors: `<i></i>` (2019's is not in PROVENANCE.md; `grep '<i></i>'`
finds it, "Visual Sequence Learning in Hierarchical Prediction Networks...") or 2025's `Error`."""


@pytest.mark.parametrize("year", sorted(YEARS))
def test_every_recorded_year_parses_completely(year: int) -> None:
    suffix = ".html.gz" if year == 2025 else ".html"
    records = parse_index_html(shared(f"neurips/listing/paper_files_paper_{year}{suffix}"))
    total, tracks = YEARS[year]
    assert len(records) == total
    assert len({r.source_id for r in records}) == total
    assert Counter(r.track for r in records) == tracks
    assert all(r.title and r.year == year and r.venue == "NeurIPS" for r in records)
    assert all(
        r.pdf_url
        and r.pdf_url.startswith(f"https://proceedings.neurips.cc/paper_files/paper/{year}/file/")
        and r.pdf_url.endswith(".pdf")
        for r in records
    )
    assert sum(1 for r in records if not r.authors) == EMPTY_AUTHORS.get(year, 0)


def test_2019_trimmed_fields() -> None:
    records = parse_index_html(index_html())
    assert len(records) == 5
    first = records[0]
    assert first.source_id == "00989c20ff1386dc386d8124ebcba1a5"
    assert first.title == "Compositional Plan Vectors"
    assert first.authors == (
        "Coline Devin",
        "Daniel Geng",
        "Pieter Abbeel",
        "Trevor Darrell",
        "Sergey Levine",
    )
    assert first.pdf_url == (
        "https://proceedings.neurips.cc/paper_files/paper/2019/file/"
        "00989c20ff1386dc386d8124ebcba1a5-Paper.pdf"
    )
    assert first.urls[0].endswith("00989c20ff1386dc386d8124ebcba1a5-Abstract.html")


def test_2022_track_layout() -> None:
    records = parse_index_html(local("neurips/paper_files_paper_2022_trimmed.html"))
    by_track = Counter(r.track for r in records)
    assert by_track == {"main": 2, "datasets_and_benchmarks": 2}
    dnb = next(r for r in records if r.track == "datasets_and_benchmarks")
    assert dnb.pdf_url and dnb.pdf_url.endswith("-Paper-Datasets_and_Benchmarks.pdf")


def test_2025_redesign_tracks_and_error_placeholder() -> None:
    records = parse_index_html(local("neurips/paper_files_paper_2025_trimmed.html"))
    assert Counter(r.track for r in records) == {
        "main": 2,
        "datasets_and_benchmarks": 1,
        "position": 1,
    }
    assert records[0].title and records[0].title.startswith("NeuralPLexer3")
    assert len(records[0].authors) == 13
    assert sum(1 for r in records if not r.authors) == 2  # `Error` is not an author
    position = next(r for r in records if r.track == "position")
    assert position.pdf_url and position.pdf_url.endswith("-Paper-Position_Paper_Track.pdf")


def test_pdf_url_for_tracks() -> None:
    base = "https://proceedings.neurips.cc/paper_files/paper/2024/hash/abc"
    assert pdf_url_for(f"{base}-Abstract-Datasets_and_Benchmarks_Track.html") == (
        "https://proceedings.neurips.cc/paper_files/paper/2024/file/abc"
        "-Paper-Datasets_and_Benchmarks_Track.pdf"
    )
