"""CVF Open Access listings: recorded CVPR 2019 (browser-saved) and CVPR 2020 (raw wget)."""

from __future__ import annotations

import pytest

from miner.errors import UsageError
from miner.sources.cvf import CvfSource, listing_url, parse_day_links, parse_listing_html
from miner.sources.source import CrawlSpec, Page
from tests.helpers.recorded import local, shared

PAGE = "https://openaccess.thecvf.com/CVPR{}?day=all"


@pytest.mark.parametrize(
    ("name", "year", "papers", "with_supp"),
    [
        ("CVPR2019.py.browser-saved.html.gz", 2019, 1294, 0),
        ("CVPR2020.py.html.gz", 2020, 1467, 871),
    ],
)
def test_recorded_cvpr_listings(name: str, year: int, papers: int, with_supp: int) -> None:
    records = parse_listing_html(shared(f"cvf/listing/{name}"), PAGE.format(year), "CVPR", year)
    assert len(records) == papers  # dt.ptitle count in PROVENANCE.md
    assert len({r.source_id for r in records}) == papers
    assert all(r.title and r.authors and r.venue == "CVPR" and r.year == year for r in records)
    assert all(
        r.pdf_url and r.pdf_url.endswith(f"_CVPR_{year}_paper.pdf") and "://" in r.pdf_url
        for r in records
    )
    assert sum(1 for r in records if any("supplemental" in u for u in r.urls)) == with_supp


def test_cvpr2020_relative_links_resolve_against_the_page() -> None:
    records = parse_listing_html(
        local("cvf/CVPR2020_trimmed.html"), PAGE.format(2020), "CVPR", 2020
    )
    first = records[0]
    assert (
        first.title
        == "Unsupervised Learning of Probably Symmetric Deformable 3D Objects From Images in the Wild"
    )
    assert first.authors == ("Shangzhe Wu", "Christian Rupprecht", "Andrea Vedaldi")
    assert first.pdf_url == (
        "https://openaccess.thecvf.com/content_CVPR_2020/papers/"
        "Wu_Unsupervised_Learning_of_Probably_Symmetric_Deformable_3D_Objects_From_Images_CVPR_2020_paper.pdf"
    )
    assert first.urls[1].endswith("Wu_Unsupervised_Learning_of_CVPR_2020_supplemental.pdf")


def test_cvpr2019_browser_saved_copy() -> None:
    records = parse_listing_html(
        local("cvf/CVPR2019_trimmed.html"), PAGE.format(2019), "CVPR", 2019
    )
    assert len(records) == 2
    assert records[0].authors[0] == "Hongyang Li"
    assert records[0].pdf_url and records[0].pdf_url.startswith("http://openaccess.thecvf.com/")


def test_2021_scheme_from_documentation() -> None:
    """Synthetic, from third-party parsers' description (no recorded 2021+ page exists):
    site-absolute links, `query_author` inputs, an arXiv link; and a day index page."""
    body = b"""<html><body><dl>
    <dt class="ptitle"><br><a href="/content/CVPR2021/html/Doe_X_CVPR_2021_paper.html">X</a></dt>
    <dd><form class="authsearch"><input type="hidden" name="query_author" value="Jane Doe">
    <a href="#">Jane Doe</a></form></dd>
    <dd>[<a href="/content/CVPR2021/papers/Doe_X_CVPR_2021_paper.pdf">pdf</a>]
    [<a href="http://arxiv.org/abs/2101.00001">arXiv</a>]</dd></dl></body></html>"""
    (rec,) = parse_listing_html(body, PAGE.format(2021), "CVPR", 2021)
    assert rec.authors == ("Jane Doe",) and rec.arxiv_id == "2101.00001"
    assert (
        rec.pdf_url
        == "https://openaccess.thecvf.com/content/CVPR2021/papers/Doe_X_CVPR_2021_paper.pdf"
    )
    index = (
        b'<a href="CVPR2021?day=2021-06-21">Day 1</a><a href="CVPR2021?day=2021-06-22">Day 2</a>'
    )
    days = parse_day_links(index, listing_url("CVPR", 2021))
    assert days == [listing_url("CVPR", 2021, d) for d in ("2021-06-21", "2021-06-22")]
    pages = {
        listing_url("CVPR", 2021): index,
        days[0]: body,
        days[1]: body.replace(b"Doe_X", b"Roe_Y"),
    }
    got = list(CvfSource().crawl(lambda u, p: Page(u, 200, pages[u]), CrawlSpec("cvf", year=2021)))
    assert [r.source_id for r in got] == [
        "CVPR2021/Doe_X_CVPR_2021_paper",
        "CVPR2021/Roe_Y_CVPR_2021_paper",
    ]


def test_unknown_conference_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="CVPR"):
        CvfSource().parse("x", b"<html/>", CrawlSpec("cvf", year=2020, track="NIPS"))
