"""Issue 20: own-code candidates from every source reach `miner repos`, with found_by; papers
without a PDF are read; a PDF and a listing naming different repositories are both kept."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import update
from sqlalchemy.orm import Session

from db import make_engine, store
from db.schema import CodeLink, Paper
from miner.extract.codeurls import listed_repo_url
from miner.records import PaperRecord
from miner.repos.candidates import Candidate, merge_candidates, outrank
from miner.repos.replica import git_env, mirror_stubs
from miner.sources.acl import parse_collection_xml
from miner.sources.openreview import parse_notes
from tests.conftest import RepoReplicas
from tests.helpers.cli import Miner
from tests.helpers.openreview_shapes import note_v1, notes_page
from tests.helpers.pdfs import MakePdf
from tests.helpers.recorded import shared

FAST = ["--delay", "0", "--max-retries", "0", "--timeout", "5"]


def test_merge_keeps_every_source_and_outranks_by_precedence() -> None:
    found = merge_candidates(
        [(1, "https://github.com/a/pdf-repo", True), (2, "https://github.com/b/same", True)],
        [
            (1, "pmlr", ["https://github.com/a/listed-repo"]),
            (2, "pmlr", ["https://github.com/B/Same/tree/master"]),
            (3, "openreview", ["https://github.com/c/r", "https://c.github.io/project"]),
            (4, "arxiv", ["https://github.com/d/r"]),
        ],
    )
    by = {(c.paper_id, c.url): c.found_by_text for c in found}
    assert by == {
        (1, "https://github.com/a/pdf-repo"): "pdf",
        (1, "https://github.com/a/listed-repo"): "listing",
        (2, "https://github.com/b/same"): "pdf+listing",
        (3, "https://github.com/c/r"): "openreview",
        (3, "https://c.github.io/project"): "openreview",
        (4, "https://github.com/d/r"): "arxiv-metadata",
    }
    assert [c.repository for c in found if c.paper_id == 3] == [True, False]
    pdf, listed = (c for c in found if c.paper_id == 1)
    assert outrank({pdf: "decides", listed: "decides"}) == {pdf: "decides", listed: "outranked"}
    # The PDF's repository is gone: the listing's decides.
    assert outrank({pdf: "not_found", listed: "decides"}) == {pdf: "not_found", listed: "decides"}


def test_a_third_party_pdf_link_the_listing_names_is_own() -> None:
    (c,) = merge_candidates(
        [(1, "https://github.com/a/r", False)], [(1, "acl", ["https://github.com/a/r"])]
    )
    assert c == Candidate(1, "https://github.com/a/r", True, ("pdf", "listing"))


@pytest.fixture
def mirror(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated HOME whose git rewrites github.com and the other code hosts to a folder."""
    root = tmp_path / "mirror"
    hosts = ["github.com", "gitlab.com", "bitbucket.org", "gitlab.inria.fr", "git.uwaterloo.ca"]
    env = git_env(tmp_path / "home", root, hosts)
    for key in ("HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM"):
        monkeypatch.setenv(key, env[key])
    return root


def test_pmlr_v97_listing_links_are_own_code_candidates(
    httpserver: HTTPServer, miner: Miner, mirror: Path
) -> None:
    """Done means of issue 20: the recorded ICML 2019 listing, crawled from a local replay, then
    `miner repos --backend git` against a local mirror. No facts exist for these repositories,
    so each is a generated stand-in holding only a README (analysis `no_code`): this checks
    that every listing link is read as the paper's own code, not what the code uses."""
    body = shared("pmlr/listing/v97_icml2019.html")
    httpserver.expect_request("/v97/").respond_with_data(body, content_type="text/html")
    base = httpserver.url_for("/").rstrip("/")
    miner("crawl", "pmlr", "--year", "2019", "--base-url", base, *FAST)
    engine = make_engine(str(miner.db))
    with Session(engine) as s:
        listed = [u for (urls,) in s.query(Paper.code_urls) for u in urls]
    urls = {u for u in map(listed_repo_url, listed) if u}
    assert mirror_stubs(urls, mirror, dict(__import__("os").environ)) == len(urls) == 492
    result = miner("repos", "--backend", "git", "--delay", "0")
    assert "no_code 492" in result.stderr, result.stderr
    rows = json.loads(miner("repos", "--show", "--json").stdout)
    own = [r for r in rows if r["found_by"] == "listing" and r["role"] == "own"]
    analysed = {r["paper_id"] for r in own if r["status"] == "no_code"}
    assert len(analysed) == 502  # >= 500: issue 20's target
    assert {r["reason"] for r in own} == {"no_code", "not_repository"}
    unusable = {r["paper_id"] for r in own if r["reason"] == "not_repository"}
    assert len(unusable - analysed) == 16  # 518 papers list code; 16 only a non-repository
    # A paper without a PDF shows its candidates.
    shown = json.loads(miner("show", str(own[0]["paper_id"]), "--json").stdout)
    assert shown["code_candidates"][0]["found_by"] == "listing"
    assert shown["status"] in ("pending", "no_pdf")


@pytest.fixture
def linked(miner: Miner, tmp_path: Path, make_pdf: MakePdf) -> Miner:
    """One ingested, classified paper whose PDF links Keras code (a facts repository)."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    text = "Title\n\nWe trained the network.\nCode: https://github.com/oarriaga/face_classification"
    (folder / "p.pdf").write_bytes(make_pdf(pages=[text]))
    miner("ingest", str(folder), "--venue", "T", "--year", "2020")
    miner("extract", "--workers", "1")
    miner("classify")
    return miner


def _set_listed(miner: Miner, urls: list[str]) -> None:
    engine = make_engine(str(miner.db))
    with Session(engine) as s:
        s.execute(update(Paper).values(code_urls=urls))
        s.execute(update(CodeLink).values(own=True))
        s.commit()


def test_pdf_and_listing_disagree_both_kept_pdf_decides(
    linked: Miner, github_replicas: RepoReplicas
) -> None:
    _set_listed(linked, ["https://github.com/MoonshotAI/MoBA"])  # PyTorch code, in the facts
    linked("repos", "--backend", "git", "--delay", "0")
    rows = json.loads(linked("repos", "--show", "--json").stdout)
    assert sorted((r["found_by"], r["reason"]) for r in rows) == [
        ("listing", "outranked"),
        ("pdf", "decides"),
    ]
    verdicts = json.loads(linked("repos", "--verdicts", "--json").stdout)
    assert {v["framework"] for v in verdicts if v["combined"] == "uses"} == {"keras"}
    assert {v["found_by"] for v in verdicts} == {"pdf"}
    shown = json.loads(linked("show", "1", "--json").stdout)
    assert [c["found_by"] for c in shown["code_candidates"]] == ["pdf", "listing"]


def test_listing_decides_when_the_pdf_links_nothing(
    miner: Miner, tmp_path: Path, make_pdf: MakePdf, github_replicas: RepoReplicas
) -> None:
    folder = tmp_path / "pdfs"
    folder.mkdir()
    text = "Title\n\nWe trained a convolutional network on face images. " * 8
    (folder / "p.pdf").write_bytes(make_pdf(pages=[text]))
    miner("ingest", str(folder), "--venue", "T", "--year", "2020")
    miner("extract", "--workers", "1")
    miner("classify")
    _set_listed(miner, ["https://github.com/oarriaga/face_classification"])
    miner("repos", "--backend", "git", "--delay", "0")
    verdicts = json.loads(miner("repos", "--verdicts", "--json").stdout)
    keras = [v for v in verdicts if v["framework"] == "keras"]
    assert keras and keras[0]["combined"] == "uses" and keras[0]["found_by"] == "listing"
    assert keras[0]["decided_by"] == "repo"


def test_acl_and_openreview_code_fields_become_candidates(mem_engine: object) -> None:
    """ACL: the recorded 2022.acl XML; OpenReview: synthetic notes built from the API docs (no
    public OpenReview recordings exist, ../shared/fixtures/http/openreview/PROVENANCE.md)."""
    from miner.repos.stage import candidates

    acl = parse_collection_xml(shared("acl/anthology_xml/2022.acl.xml"))
    md = "[![github](/images/github_icon.svg) o/n](https://github.com/o/n)"
    notes = notes_page([note_v1(1, decision="Accept: poster", code=md), note_v1(2, decision="x")])
    openreview = parse_notes(notes, "ICLR", 2023).records
    records: list[PaperRecord] = [*acl, *openreview]
    with Session(mem_engine) as s:  # type: ignore[call-overload]
        store.upsert_papers(s, records)
        s.commit()
        found = candidates(s)
    by_source: dict[str, set[int]] = {}
    for c in found:
        if c.repository and c.own:
            by_source.setdefault(c.found_by_text, set()).add(c.paper_id)
    with_pwc = sum(1 for r in acl if any(listed_repo_url(u) for u in r.code_urls))
    assert len(by_source["listing"]) == with_pwc > 300
    assert len(by_source["openreview"]) == 1
