"""Discovery's pure parts: the evidence rules (miner.repos.evidence) and parsing of search
answers (miner.repos.search), on payloads built from GitHub's API docs (no recorded search
answers exist; tests/helpers/search_shapes.py)."""

from __future__ import annotations

import pytest

from miner.repos.evidence import (
    Judgement,
    SearchHit,
    authorship_claim,
    choose,
    citations,
    judge,
    name_author,
    owner_author,
)
from miner.repos.evidence import Paper as Cited
from miner.repos.protocol import RepoError
from miner.repos.search import parse_search, search_queries
from tests.helpers.search_shapes import search_body, search_item


def test_ill_shaped_search_answers() -> None:
    good = search_item("http://x", "a-b/c.d_e")
    bad = [
        search_item("http://x", "a/b") | {"full_name": n} for n in ("../x", "a/..", "a/b/c", "a")
    ]
    hits, incomplete = parse_search(search_body([good, *bad, "str", {"owner": 1}]), "q")
    assert [h.full_name for h in hits] == ["a-b/c.d_e"] and not incomplete
    with pytest.raises(RepoError):
        parse_search([good], "q")


def test_evidence_rules() -> None:
    paper = Cited(
        "Attention Is All You Need",
        ("Ashish Vaswani", "Noam Shazeer"),
        "1706.03762v5",
        ("10.5555/3295222",),
    )
    text = "Implements ATTENTION is all-you-need! See arXiv:1706.03762 and doi 10.5555/3295222."
    assert citations(paper, text) == ["title", "arxiv:1706.03762", "doi:10.5555/3295222"]
    assert citations(paper, "arXiv 1706.037621 and 21706.03762") == []  # not the id
    assert citations(Cited("Deep Nets"), "deep nets") == []  # too short to be evidence
    assert owner_author("avaswani", paper.authors) == "Ashish Vaswani"
    assert owner_author("Vaswani-Lab", paper.authors) == "Ashish Vaswani"  # surname, 5+ letters
    assert owner_author("noam", paper.authors) is None
    assert owner_author("shazeernoam", paper.authors) == "Noam Shazeer"
    assert name_author("Noam M. Shazeer", paper.authors) == "Noam Shazeer"
    assert name_author("Noam Chomsky", paper.authors) is None
    assert authorship_claim("This is the official TensorFlow implementation of X") == (
        "official TensorFlow implementation"
    )
    assert authorship_claim("An unofficial implementation of X") is None
    hit = SearchHit("lucid/attention", "lucid", stars=9000)
    # A popular reimplementation that cites the paper but claims nothing is not accepted.
    assert judge(paper, hit, "# Attention Is All You Need\n\nIn PyTorch.").reason == (
        "no authorship evidence"
    )
    assert judge(paper, SearchHit("a/b", "a", fork=True), "anything").reason == "fork"
    one = Judgement(SearchHit("a/x", "a", stars=1), "accepted", "accepted", ("title", "owner:A"))
    two = Judgement(SearchHit("b/y", "b", stars=99), "accepted", "accepted", ("title",))
    assert [j.reason for j in choose([two, one])] == ["outranked by a/x", "accepted"]
    assert search_queries(Cited('A "Quoted" Title', arxiv_id="cs/0112017v1")) == [
        '"A Quoted Title" in:name,description,readme',
        '"cs/0112017" in:readme,description',
    ]
