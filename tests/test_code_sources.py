"""Issue 20: every source's own code links become `code_urls` (PMLR Code/Software, ACL <pwccode>,
OpenReview code fields, arXiv comment and journal-ref), stored on `papers.code_urls`."""

from __future__ import annotations

import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from db import Engine, store
from db.schema import Paper
from miner.extract.codeurls import code_urls_in_text, listed_repo_url, urls_in_field
from miner.sources.acl import parse_collection_xml
from miner.sources.arxiv import parse_feed
from miner.sources.openreview import parse_notes
from miner.sources.pmlr import parse_volume_html
from tests.helpers.openreview_shapes import note_v1, note_v2, notes_page
from tests.helpers.recorded import SHARED, shared


def test_listed_repo_url_keeps_repositories_only() -> None:
    assert listed_repo_url("https://github.com/a/b/tree/master/x") == "https://github.com/a/b"
    # A listing's link into a framework's repository is the paper's code (merged upstream).
    assert (
        listed_repo_url("https://github.com/tensorflow/tensor2tensor/blob/master/t2t/a.py")
        == "https://github.com/tensorflow/tensor2tensor"
    )
    assert listed_repo_url("https://gitlab.inria.fr/epione_ML/mcvae") == (
        "https://gitlab.inria.fr/epione_ML/mcvae"
    )
    assert listed_repo_url("https://git.uwaterloo.ca/pjaini/SOS-Flows.git") == (
        "https://git.uwaterloo.ca/pjaini/SOS-Flows"
    )
    for not_repo in (
        "https://github.com/Biwei-Huang",  # an owner page
        "https://git.io/fjsvE",  # a short link
        "https://bit.ly/2P3YOyd",
        "http://tifgan.github.io/",  # a project page
        "http://users.cecs.anu.edu.au/~rnock/code/ratboost.zip",
    ):
        assert listed_repo_url(not_repo) is None, not_repo


def test_code_urls_in_text_needs_a_code_phrase_before_the_url() -> None:
    assert code_urls_in_text("Accepted at ICML 2019. Code: github.com/a/b.") == (
        "https://github.com/a/b",
    )
    assert code_urls_in_text("Our implementation is available at https://gitlab.com/c/d") == (
        "https://gitlab.com/c/d",
    )
    assert code_urls_in_text("We extend https://github.com/other/work. 10 pages") == ()
    assert code_urls_in_text("12 pages; code at https://example.org/code.zip") == ()
    assert code_urls_in_text(None) == ()


def test_urls_in_field_reads_markdown_and_bare_urls() -> None:
    md = "[![github](/images/github_icon.svg) o/n](https://github.com/o/n)"
    assert urls_in_field(md) == ("https://github.com/o/n",)
    assert urls_in_field(" https://github.com/o/n ") == ("https://github.com/o/n",)
    assert urls_in_field("") == ()


def test_pmlr_v97_code_links_are_code_urls() -> None:
    records = parse_volume_html(shared("pmlr/listing/v97_icml2019.html"), 97)
    with_code = [r for r in records if r.code_urls]
    assert len(with_code) == 518  # `Code` links, ../shared/fixtures/http/pmlr/PROVENANCE.md
    repos = [r for r in with_code if any(listed_repo_url(u) for u in r.code_urls)]
    assert len(repos) == 502
    assert all(set(r.code_urls) <= set(r.urls) for r in records)


def test_acl_pwccode_links_are_code_urls() -> None:
    body = shared("acl/anthology_xml/2022.acl.xml")
    records = parse_collection_xml(body)
    assert sum(len(r.code_urls) for r in records) == body.count(b'<pwccode url="http')
    assert records[0].code_urls == ("https://github.com/amodaresi/adapler",)


def test_openreview_code_fields_are_code_urls() -> None:
    """Synthetic notes built from the API docs: no public OpenReview recordings exist."""
    md = "[![github](/images/github_icon.svg) o/n](https://github.com/o/n)"
    v1 = parse_notes(notes_page([note_v1(1, decision="Accept: poster", code=md)]), "ICLR", 2023)
    assert v1.records[0].code_urls == ("https://github.com/o/n",)
    note = note_v2(2)
    note["content"]["code"] = {"value": "https://github.com/p/q"}
    v2 = parse_notes(notes_page([note, note_v2(3)]), "ICLR", 2024)
    assert [r.code_urls for r in v2.records] == [("https://github.com/p/q",), ()]


def test_arxiv_comment_code_url_is_a_code_url() -> None:
    path = SHARED / "arxiv/arxiv-py-golden-2026/q_testing_s0_m100_cfe7536492ca.json"
    body = shared(str(path.relative_to(SHARED)))
    feed = parse_feed(json.loads(body)["body"].encode())
    found = {r.source_id: r.code_urls for r in feed.records if r.code_urls}
    assert list(found.values()) == [("https://github.com/ydecastro/super-resolution-testing",)]


def test_journal_ref_code_url_is_read() -> None:
    entry = ARXIV_ENTRY.replace(
        "<arxiv:comment>10 pages</arxiv:comment>",
        "<arxiv:journal_ref>ICML 2019; code: https://github.com/j/r</arxiv:journal_ref>",
    )
    (rec,) = parse_feed(entry.encode()).records
    assert rec.code_urls == ("https://github.com/j/r",)
    (plain,) = parse_feed(ARXIV_ENTRY.encode()).records
    assert plain.code_urls == ()


def test_code_urls_are_stored(mem_engine: Engine) -> None:
    records = parse_volume_html(shared("pmlr/listing/v97_icml2019.html"), 97)
    with Session(mem_engine) as session:
        store.upsert_papers(session, records)
        session.commit()
        stored = session.scalars(select(Paper.code_urls)).all()
    assert sum(1 for c in stored if c) == 518


ARXIV_ENTRY = """<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/"
 xmlns:arxiv="http://arxiv.org/schemas/atom">
<opensearch:totalResults>1</opensearch:totalResults><opensearch:startIndex>0</opensearch:startIndex>
<opensearch:itemsPerPage>1</opensearch:itemsPerPage>
<entry><id>http://arxiv.org/abs/1901.00001v1</id><published>2019-01-01T00:00:00Z</published>
<title>T</title><summary>S</summary><author><name>A B</name></author>
<arxiv:comment>10 pages</arxiv:comment>
<link title="pdf" href="http://arxiv.org/pdf/1901.00001v1"/>
<arxiv:primary_category term="cs.LG"/></entry></feed>
"""
