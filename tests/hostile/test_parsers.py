"""Hostile listings (#18): HTML nested past libxml2's depth limit loses no paper silently, and
control characters (NUL) never reach the database."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from db.schema import Paper
from db.store import upsert_papers
from miner.errors import ParseError
from miner.records import PaperRecord
from miner.sources.cvf import parse_listing_html
from miner.sources.neurips import parse_index_html
from miner.sources.pmlr import parse_volume_html


def neurips_page(papers: int, unclosed: int) -> bytes:
    items = b"".join(
        b'<li class="none"><a title="paper title" href="/paper_files/paper/2019/hash/'
        + f"{i:032x}".encode()
        + b'-Abstract.html">Paper %d</a> <i>Ann, Bob</i></li>' % i
        for i in range(papers)
    )
    return b"<html><body>" + b"<div>" * unclosed + b"<ul>" + items + b"</ul></body></html>"


def pmlr_page(papers: int, unclosed: int) -> bytes:
    items = b"".join(
        b'<div class="paper"><p class="title">Paper %d</p><p class="details">'
        b'<span class="authors">Ann, Bob</span></p><p class="links">'
        b'<a href="https://proceedings.mlr.press/v97/p%d.pdf">Download PDF</a></p></div>' % (i, i)
        for i in range(papers)
    )
    head = b"<html><head><title>Proceedings of ICML 2019</title></head><body>"
    return head + b"<span>" * unclosed + items + b"</body></html>"


def cvf_page(papers: int, unclosed: int) -> bytes:
    items = b"".join(
        b'<dt class="ptitle"><br><a href="/content/p%d.html">Paper %d</a></dt><dd>Ann</dd>'
        b'<dd>[<a href="/content/papers/p%d.pdf">pdf</a>]</dd>' % (i, i, i)
        for i in range(papers)
    )
    return b"<html><body>" + b"<div>" * unclosed + b"<dl>" + items + b"</dl></body></html>"


PARSERS = {
    "neurips": (neurips_page, lambda body: parse_index_html(body, year=2019)),
    "pmlr": (pmlr_page, lambda body: parse_volume_html(body, 97)),
    "cvf": (
        cvf_page,
        lambda body: parse_listing_html(
            body, "https://openaccess.thecvf.com/CVPR2020", "CVPR", 2020
        ),
    ),
}


@pytest.mark.parametrize("source", sorted(PARSERS))
def test_256_unclosed_tags_lose_no_paper(source: str) -> None:
    """#18: libxml2 dropped every paper after 256 unclosed tags (NeurIPS 2019: 700 of 1428)."""
    page, parse = PARSERS[source]
    assert len(parse(page(50, 0))) == 50
    assert len(parse(page(50, 300))) == 50


@pytest.mark.parametrize("source", sorted(PARSERS))
def test_nesting_past_any_limit_is_a_parse_error(source: str) -> None:
    page, parse = PARSERS[source]
    with pytest.raises(ParseError, match="of 50 papers parsed"):
        parse(page(50, 5000))


def test_control_characters_are_stripped_before_storage(mem_engine: Engine) -> None:
    """#18: a NUL in an id aborted a whole PostgreSQL batch; the stored page blocked the crawl."""
    record = PaperRecord(
        source="acl",
        source_id="2022.acl-\x00long.1",
        title="A\x00 title\x07 with\tcontrols",
        authors=("Al\x00ice", "Bob"),
        urls=("https://x.org/\x1f",),
    )
    with Session(mem_engine) as s:
        upsert_papers(s, [record])
        s.commit()
        paper = s.scalars(select(Paper)).one()
    assert paper.source_id == "2022.acl-long.1"
    assert paper.title == "A title with\tcontrols"
    assert paper.authors == ["Alice", "Bob"] and paper.urls == ["https://x.org/"]
