"""PMLR volume listings: every recorded ICML volume 2014-2025 (v32 ... v267)."""

from __future__ import annotations

import re

import pytest

from miner.errors import UsageError
from miner.sources.pmlr import ICML_VOLUMES, parse_volume_html, resolve_volume
from miner.sources.source import CrawlSpec, link_url
from tests.helpers.recorded import local, shared

# `div.paper` entries per volume, from ../shared/fixtures/http/pmlr/PROVENANCE.md.
VOLUMES = {
    "v32_icml2014.html": 310,
    "v37_icml2015.html": 270,
    "v48_icml2016.html": 322,
    "v70_icml2017.html": 434,
    "v80_icml2018.html": 621,
    "v97_icml2019.html": 773,
    "v119_icml2020.html": 1084,
    "v139_icml2021.html": 1183,
    "v162_icml2022.html": 1233,
    "v202_icml2023.html": 1828,
    "v235_icml2024.html.gz": 2610,
    "v267_icml2025.html.gz": 3330,
}
CODE_LINKS = {"v97_icml2019.html": 518, "v119_icml2020.html": 581, "v267_icml2025.html.gz": 1907}
"""`Code` / `Software` link counts from PROVENANCE.md."""
UNUSABLE = {"v119_icml2020.html": 1, "v267_icml2025.html.gz": 8}
"""Of those, hrefs that are no URL: `.`, `N/A`, `no code`, `NTg1N`, bare `owner/repo`."""
CODE_A = re.compile(r'<a href="([^"]*)"[^>]*>(?:Code|Software|Code for experiments)</a>')
OPENREVIEW = {
    "v202_icml2023.html": 1828,
    "v235_icml2024.html.gz": 2610,
    "v267_icml2025.html.gz": 3330,
}


@pytest.mark.parametrize("name", sorted(VOLUMES))
def test_every_recorded_icml_volume(name: str) -> None:
    volume = int(name.split("_")[0][1:])
    year = int(name.split("icml")[1][:4])
    body = shared(f"pmlr/listing/{name}")
    records = parse_volume_html(body, volume)
    assert len(records) == VOLUMES[name]
    assert len({r.source_id for r in records}) == len(records)
    assert ICML_VOLUMES[year] == volume
    assert all(r.venue == "ICML" and r.year == year and r.title and r.authors for r in records)
    assert all(r.pdf_url and r.pdf_url.endswith(".pdf") for r in records)
    hrefs = CODE_A.findall(body.decode())
    assert len(hrefs) == CODE_LINKS.get(name, len(hrefs))
    listed = {u for r in records for u in r.urls}
    usable = [link_url(h, "https://proceedings.mlr.press/") for h in hrefs]
    assert sum(1 for u in usable if u is None) == UNUSABLE.get(name, 0)
    assert all(u in listed for u in usable if u)
    assert sum(1 for r in records if r.openreview_id) == OPENREVIEW.get(name, 0)


def test_v97_trimmed_fields() -> None:
    records = parse_volume_html(local("pmlr/v97_icml2019_trimmed.html"), 97)
    assert [r.source_id for r in records] == [
        "v97/abbati19a",
        "v97/abels19a",
        "v97/abu-el-haija19a",
    ]
    first = records[0]
    assert first.title == "AReS and MaRS Adversarial and MMD-Minimizing Regression for SDEs"
    assert first.authors[0] == "Gabriele Abbati" and first.authors[-1] == "Stefan Bauer"
    assert first.pdf_url == "http://proceedings.mlr.press/v97/abbati19a/abbati19a.pdf"
    assert first.urls[0] == "https://proceedings.mlr.press/v97/abbati19a.html"
    assert "https://github.com/gabb7/AReS-MaRS" in first.urls
    assert "http://proceedings.mlr.press/v97/abbati19a/abbati19a-supp.pdf" in first.urls


def test_v267_openreview_and_software() -> None:
    first = parse_volume_html(local("pmlr/v267_icml2025_trimmed.html"), 267)[0]
    assert first.openreview_id == "jYmGi1175R"
    assert "https://github.com/rogelioamancisidor/codevae" in first.urls
    assert first.pdf_url and first.pdf_url.startswith(
        "https://raw.githubusercontent.com/mlresearch/v267/"
    )


def test_year_maps_to_icml_volume_and_volume_wins() -> None:
    assert resolve_volume(CrawlSpec("pmlr", year=2019)) == 97
    assert resolve_volume(CrawlSpec("pmlr", year=2019, volume=235)) == 235
    with pytest.raises(UsageError, match="--volume"):
        resolve_volume(CrawlSpec("pmlr", year=2012))


def test_other_volume_takes_year_from_title() -> None:
    body = local("pmlr/v97_icml2019_trimmed.html")
    records = parse_volume_html(body, 999)
    assert records[0].venue == "PMLR v999" and records[0].year == 2019
