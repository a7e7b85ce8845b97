"""ACL Anthology collection XML: recorded 2022.acl (774 papers, pwccode links) and 2022.naloma."""

from __future__ import annotations

from collections import Counter

import pytest

from miner.errors import ParseError, UsageError
from miner.sources.acl import AclSource, collection_url, parse_collection_xml
from miner.sources.source import CrawlSpec
from tests.helpers.recorded import local, shared


def test_acl_2022_collection() -> None:
    body = shared("acl/anthology_xml/2022.acl.xml")
    records = parse_collection_xml(body)
    assert len(records) == 774  # <paper>s in PROVENANCE.md
    assert Counter(r.track for r in records).keys() == {"long", "short", "srw", "demo", "tutorials"}
    assert all(r.title and r.year == 2022 and r.venue == "ACL" for r in records)
    code = [u for r in records for u in r.urls if "aclanthology.org" not in u]
    assert len(code) == body.count(b'<pwccode url="http')  # every non-empty pwccode link
    first = records[0]
    assert first.source_id == "2022.acl-long.1"
    assert first.title == "AdapLeR: Speeding up Inference by Adaptive Length Reduction"
    assert first.pdf_url == "https://aclanthology.org/2022.acl-long.1.pdf"
    assert first.abstract and first.abstract.startswith("Pre-trained language models")
    assert "https://github.com/amodaresi/adapler" in first.urls
    assert len(parse_collection_xml(body, "short")) == Counter(r.track for r in records)["short"]


def test_naloma_current_schema() -> None:
    records = parse_collection_xml(local("acl/2022.naloma.xml"))
    assert [r.source_id for r in records] == [f"2022.naloma-1.{i}" for i in range(1, 6)]
    assert records[1].authors == ("Bill Noble", "Staffan Larsson", "Robin Cooper")
    assert records[0].venue == "NALOMA"


def test_collection_url_and_errors() -> None:
    assert collection_url("2022.acl").endswith("/data/xml/2022.acl.xml")
    with pytest.raises(UsageError, match="2020"):
        list(AclSource().crawl(lambda u, p: None, CrawlSpec("acl", year=2019)))  # type: ignore[arg-type,return-value]
    with pytest.raises(ParseError):
        parse_collection_xml(b"<html>not xml")


@pytest.mark.parametrize(
    ("old", "new", "field"),
    [
        (b"<year>2022</year>", "<year>²⁰²²</year>".encode(), "meta.year"),
        (b"<year>2022</year>", b"<year>" + b"2" * 30 + b"</year>", "meta.year"),
        (b">2022.naloma-1.1</url>", b">" + b"x" * 300 + b"</url>", "url"),
    ],
)
def test_bad_year_or_id_is_a_parse_error_naming_the_field(
    old: bytes, new: bytes, field: str
) -> None:
    """Issue 18 for ACL: a year in superscript digits (str.isdigit() accepts them, int() does
    not) or 30 digits, an unusable id: ParseError naming acl and the field, never a traceback."""
    body = local("acl/2022.naloma.xml")
    bad = body.replace(old, new, 1)
    assert bad != body
    with pytest.raises(ParseError) as err:
        parse_collection_xml(bad)
    assert err.value.source == "acl" and field in str(err.value)


def test_listed_counts_paper_elements() -> None:
    listed = AclSource().listed("u", local("acl/2022.naloma.xml"), CrawlSpec("acl", year=2022))
    assert (listed.entries, listed.stated, listed.label) == (5, 5, "<paper> elements")
