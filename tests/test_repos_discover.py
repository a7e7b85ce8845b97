"""Issue 20, item 2: `miner repos --discover` against a local server answering GitHub's search
and README endpoints.

No recorded GitHub search responses exist (this machine never reaches GitHub); the payloads are
built from the REST API documentation (tests/helpers/search_shapes.py), like the repository
shapes of tests/test_repos_data.py.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from db import Engine, make_engine, store
from db.schema import CodeLink, Paper, RepoDiscovery, RepoSearch
from miner.records import PaperRecord
from miner.repos.discover import run_discover
from miner.repos.github import make_github_client
from miner.repos.search import GitHubSearch
from tests.helpers.cli import Miner
from tests.helpers.pdfs import MakePdf
from tests.helpers.search_shapes import (
    SEARCH_RATE_LIMITED,
    SECONDARY_LIMITED,
    readme_body,
    search_body,
    search_item,
    search_limit_headers,
    user_body,
)
from tests.test_repos_data import NOT_FOUND, PROJECTS
from tests.test_repos_github import serve

TITLE = "Learning Deep Widgets: A Study of Things"
AUTHORS = ("Ada Lovelace", "Charles Babbage")
TITLE_Q = f'"{TITLE}" in:name,description,readme'
T0 = 1_700_000_000.0


class Clock:
    """A fake clock that only sleeping advances."""

    def __init__(self) -> None:
        self.now = T0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def add_paper(engine: Engine, title: str, arxiv_id: str | None = None, **kw: object) -> int:
    with Session(engine) as s:
        store.upsert_papers(
            s,
            [PaperRecord("arxiv", title, title=title, arxiv_id=arxiv_id, **kw)],  # type: ignore[arg-type]
        )
        s.commit()
        return int(s.scalar(select(Paper.id).where(Paper.title == title)) or 0)


def searcher(httpserver: HTTPServer, clock: Clock | None = None, **kw: object) -> GitHubSearch:
    clock = clock or Clock()
    return GitHubSearch(
        make_github_client(),
        base_url=httpserver.url_for(""),
        token="t",
        clock=clock,
        sleep=clock.sleep,
        **{"interval": 0.0, **kw},  # type: ignore[arg-type]
    )


def discoveries(engine: Engine) -> dict[str, tuple[str, str, list[str]]]:
    with Session(engine) as s:
        return {
            d.url.removeprefix("https://github.com/"): (d.status, d.reason, d.evidence)
            for d in s.scalars(select(RepoDiscovery))
        }


def readme(httpserver: HTTPServer, full_name: str, text: str | None) -> None:
    base = httpserver.url_for("").rstrip("/")
    expect = httpserver.expect_request(f"/repos/{full_name}/readme")
    if text is None:
        expect.respond_with_json(NOT_FOUND, 404)
    else:
        expect.respond_with_json(readme_body(base, full_name, text))


CITED = f"Learning deep widgets - a study of things ({AUTHORS[0]} et al., NeurIPS 2020)"
HITS: dict[str, tuple[dict[str, object], str | None]] = {
    "alovelace/deep-widgets": ({"stars": 50}, f"# Widgets\n\nOfficial PyTorch code of {CITED}.\n"),
    "someone/deep-widgets": ({"fork": True}, None),
    "copier/widgets-pytorch": ({"description": "Unofficial PyTorch implementation"}, None),
    "student/widgets": ({}, "# Widgets\n\nA course project on widgets.\n"),
    "ghost/widgets": ({}, None),
    "reader/widgets-notes": ({"stars": 900}, f"# Notes\n\nReading notes on {TITLE}.\n"),
    "widgetlab/deep-widgets": (
        {"owner_type": "Organization", "stars": 5},
        f"# Deep widgets\n\nCode for our paper {TITLE}.\n",
    ),
    "mirrorer/widgets": ({}, f"# Widgets\n\nThis is a reimplementation of {TITLE}.\n"),
}
FETCHED = set(HITS) - {"someone/deep-widgets", "copier/widgets-pytorch"}


@pytest.fixture
def widgets(httpserver: HTTPServer, mem_engine: Engine) -> int:
    """One paper and the search answer naming every case's repository."""
    base = httpserver.url_for("").rstrip("/")
    items = [search_item(base, name, **kw) for name, (kw, _) in HITS.items()]  # type: ignore[arg-type]
    httpserver.expect_request(
        "/search/repositories", query_string={"q": TITLE_Q, "per_page": "10"}
    ).respond_with_json(search_body(items), headers=search_limit_headers(int(T0) + 60))
    for name in FETCHED:
        readme(httpserver, name, HITS[name][1])
    # The one user repository citing the paper whose login names no author: its profile is read.
    httpserver.expect_request("/users/reader").respond_with_json(user_body(base, "reader", None))
    return add_paper(mem_engine, TITLE, authors=AUTHORS)


def test_every_candidate_is_stored_with_its_reason(
    httpserver: HTTPServer, mem_engine: Engine, widgets: int
) -> None:
    report = run_discover(mem_engine, searcher(httpserver))
    assert report.counts == {"searched": 1, "accepted": 1, "rejected": 7}
    assert discoveries(mem_engine) == {
        "alovelace/deep-widgets": (
            "accepted",
            "accepted",
            ["title", "owner:Ada Lovelace", "claim:Official PyTorch code"],
        ),
        "someone/deep-widgets": ("rejected", "fork", []),
        "copier/widgets-pytorch": (
            "rejected",
            "unofficial",
            ["said:Unofficial PyTorch implementation"],
        ),
        "student/widgets": ("rejected", "no citation in README", []),
        "ghost/widgets": ("rejected", "README missing", []),
        "reader/widgets-notes": ("rejected", "no authorship evidence", ["title"]),
        "widgetlab/deep-widgets": (
            "rejected",
            "outranked by alovelace/deep-widgets",
            ["title", "claim:Code for our"],
        ),
        "mirrorer/widgets": (
            "rejected",
            "unofficial",
            [f"said:This is a reimplementation of {TITLE}."],
        ),
    }
    # Forks and repositories whose description says unofficial cost no README request.
    paths = [r.path for r, _ in httpserver.log]
    readmes = [p.split("/")[2] + "/" + p.split("/")[3] for p in paths if p.endswith("/readme")]
    assert sorted(readmes) == sorted(FETCHED)
    assert [p for p in paths if not p.endswith("/readme")] == [
        "/search/repositories",
        "/users/reader",
    ]
    with Session(mem_engine) as s:
        (search,) = s.scalars(select(RepoSearch))
    assert (search.paper_id, search.status, search.queries, search.hits) == (
        widgets,
        "ok",
        [TITLE_Q],
        8,
    )


def test_second_run_searches_nothing_and_force_writes_the_same_rows(
    httpserver: HTTPServer, mem_engine: Engine, widgets: int
) -> None:
    api = searcher(httpserver)
    run_discover(mem_engine, api)
    with Session(mem_engine) as s:
        first = [
            (d.id, d.url, d.status, d.reason, d.found_at) for d in s.scalars(select(RepoDiscovery))
        ]
    requests = len(httpserver.log)
    again = run_discover(mem_engine, api)
    assert again.counts == {} and len(httpserver.log) == requests
    with Session(mem_engine) as s:
        same = [
            (d.id, d.url, d.status, d.reason, d.found_at) for d in s.scalars(select(RepoDiscovery))
        ]
    assert same == first
    forced = run_discover(mem_engine, api, force=True)
    assert forced.counts["searched"] == 1 and len(httpserver.log) == 2 * requests
    # Searched again: the paper's rows are replaced by the same candidates and reasons.
    with Session(mem_engine) as s:
        redone = [(d.url, d.status, d.reason) for d in s.scalars(select(RepoDiscovery))]
    assert redone == [(u, st, r) for _, u, st, r, _ in first] and len(redone) == len(HITS)


def test_search_by_arxiv_id(httpserver: HTTPServer, mem_engine: Engine) -> None:
    base = httpserver.url_for("").rstrip("/")
    title = "Sparse Gizmos for Everyone"
    pid = add_paper(mem_engine, title, "2101.00001v2", authors=("Jane Q. Doe",))
    httpserver.expect_request(
        "/search/repositories",
        query_string={"q": f'"{title}" in:name,description,readme', "per_page": "10"},
    ).respond_with_json(search_body([]))
    httpserver.expect_request(
        "/search/repositories",
        query_string={"q": '"2101.00001" in:readme,description', "per_page": "10"},
    ).respond_with_json(search_body([search_item(base, "janedoe/gizmos")], incomplete=True))
    readme(
        httpserver,
        "janedoe/gizmos",
        "# Gizmos\n\n[arXiv:2101.00001v1](https://arxiv.org/abs/2101.00001)\n",
    )
    report = run_discover(mem_engine, searcher(httpserver))
    assert report.counts == {"searched": 1, "accepted": 1}
    assert discoveries(mem_engine) == {
        "janedoe/gizmos": ("accepted", "accepted", ["arxiv:2101.00001", "owner:Jane Q. Doe"])
    }
    with Session(mem_engine) as s:
        search = s.scalars(select(RepoSearch).where(RepoSearch.paper_id == pid)).one()
        assert search.incomplete and len(search.queries) == 2


def test_owner_profile_name_is_authorship_evidence(
    httpserver: HTTPServer, mem_engine: Engine
) -> None:
    base = httpserver.url_for("").rstrip("/")
    add_paper(mem_engine, TITLE, authors=AUTHORS)
    items = [search_item(base, "hkcr/widgets"), search_item(base, "fan/widgets", stars=3)]
    httpserver.expect_request("/search/repositories").respond_with_json(search_body(items))
    for name in ("hkcr/widgets", "fan/widgets"):
        readme(httpserver, name, f"# Widgets\n\nPyTorch code for {TITLE}.\n")
    httpserver.expect_request("/users/hkcr").respond_with_json(
        user_body(base, "hkcr", "C. P. Babbage")
    )
    httpserver.expect_request("/users/fan").respond_with_json(user_body(base, "fan", "A Fan"))
    assert run_discover(mem_engine, searcher(httpserver)).counts == {
        "searched": 1,
        "accepted": 1,
        "rejected": 1,
    }
    assert discoveries(mem_engine) == {
        "hkcr/widgets": ("accepted", "accepted", ["title", "owner-name:Charles Babbage"]),
        "fan/widgets": ("rejected", "no authorship evidence", ["title"]),
    }


def test_rate_limits_waited_with_the_injected_clock(
    httpserver: HTTPServer, mem_engine: Engine
) -> None:
    """403 with x-ratelimit-remaining 0 waits until x-ratelimit-reset; a secondary 429 waits
    Retry-After; searches are spaced by the search interval."""
    add_paper(mem_engine, "First Paper About Widgets")
    add_paper(mem_engine, "Second Paper About Widgets", "2102.00002")
    empty = search_body([])
    path = "/search/repositories"
    httpserver.expect_ordered_request(path).respond_with_json(
        SEARCH_RATE_LIMITED, 403, headers=search_limit_headers(int(T0) + 30, remaining=0)
    )
    httpserver.expect_ordered_request(path).respond_with_json(
        empty, headers=search_limit_headers(int(T0) + 90)
    )
    httpserver.expect_ordered_request(path).respond_with_json(
        SECONDARY_LIMITED, 429, headers={"retry-after": "7"}
    )
    httpserver.expect_ordered_request(path).respond_with_json(empty)
    httpserver.expect_ordered_request(path).respond_with_json(empty)
    clock = Clock()
    report = run_discover(mem_engine, searcher(httpserver, clock, interval=10.0, max_wait=60))
    assert report.counts == {"searched": 2}
    # 30 s to the reset; 7 s Retry-After; the arXiv search 10 s after the second title search
    # started (3 s after the Retry-After wait): the retries of one search are not spaced again.
    assert clock.slept == [30.0, 7.0, 3.0]
    assert len(httpserver.log) == 5


def test_rate_limit_beyond_max_wait_stops_and_resumes(
    httpserver: HTTPServer, mem_engine: Engine
) -> None:
    add_paper(mem_engine, "First Paper About Widgets")
    add_paper(mem_engine, "Second Paper About Widgets")
    httpserver.expect_oneshot_request("/search/repositories").respond_with_json(
        SEARCH_RATE_LIMITED, 403, headers=search_limit_headers(int(T0) + 3000, remaining=0)
    )
    stopped = run_discover(mem_engine, searcher(httpserver))
    assert stopped.counts == {"rate_limited": 2}
    with Session(mem_engine) as s:
        assert s.scalars(select(RepoSearch)).all() == []
    httpserver.expect_request("/search/repositories").respond_with_json(search_body([]))
    resumed = run_discover(mem_engine, searcher(httpserver))
    assert resumed.counts == {"searched": 2}


def test_search_failure_is_recorded_and_retried(httpserver: HTTPServer, mem_engine: Engine) -> None:
    add_paper(mem_engine, "First Paper About Widgets")
    httpserver.expect_oneshot_request("/search/repositories").respond_with_json(
        {"message": "Validation Failed", "errors": [{"code": "invalid"}]}, 422
    )
    assert run_discover(mem_engine, searcher(httpserver)).counts == {"failed": 1}
    httpserver.expect_request("/search/repositories").respond_with_json(search_body([]))
    assert run_discover(mem_engine, searcher(httpserver)).counts == {"searched": 1}


README_E2E = "# SuperNet\n\nOfficial PyTorch implementation of our paper SuperNet: Searching Networks Super Well.\n"


@pytest.fixture
def no_code(miner: Miner, tmp_path: Path, make_pdf: MakePdf, httpserver: HTTPServer) -> Miner:
    """One classified paper whose PDF links no code, a search answer naming lab/torch-proj
    (and a fork of it), and the API answers `miner repos` reads torch-proj with."""
    folder = tmp_path / "pdfs"
    folder.mkdir()
    (folder / "p.pdf").write_bytes(
        make_pdf(pages=["SuperNet\n\n" + "We trained the network on GPUs. " * 8])
    )
    miner("ingest", str(folder), "--venue", "T", "--year", "2020")
    miner("extract", "--workers", "1")
    miner("classify")
    with Session(make_engine(str(miner.db))) as s:
        s.execute(
            update(Paper).values(
                title="SuperNet: Searching Networks Super Well", authors=["Ada Lovelace"]
            )
        )
        s.commit()
        assert s.scalars(select(CodeLink)).all() == []
    base = httpserver.url_for("").rstrip("/")
    items = [
        search_item(base, "lab/torch-proj", owner_type="Organization"),
        search_item(base, "other/torch-proj", fork=True),
    ]
    httpserver.expect_request("/search/repositories").respond_with_json(search_body(items))
    readme(httpserver, "lab/torch-proj", README_E2E)
    serve(httpserver, "torch-proj", PROJECTS["torch-proj"][0])
    return miner


def test_discovery_is_off_by_default(no_code: Miner, httpserver: HTTPServer) -> None:
    args = ("repos", "--backend", "api", "--base-url", httpserver.url_for(""))
    out = no_code(*args)
    assert len(httpserver.log) == 0 and "discover" not in out.stderr
    assert json.loads(no_code("repos", "--show", "--json").stdout) == []
    assert not any(k.startswith("discover") for k in no_code.json("status")["stages"])  # type: ignore[call-overload]


def test_discovered_repository_is_analysed_and_decides(
    no_code: Miner, httpserver: HTTPServer
) -> None:
    args = (
        "repos",
        "--discover",
        "--search-delay",
        "0",
        "--backend",
        "api",
        "--base-url",
        httpserver.url_for(""),
    )
    out = no_code(*args)
    assert "discover: accepted 1, rejected 1, searched 1" in out.stderr
    assert "ok 1" in out.stderr
    rows = {r["url"]: r for r in json.loads(no_code("repos", "--show", "--json").stdout)}
    accepted = rows["https://github.com/lab/torch-proj"]
    assert (accepted["found_by"], accepted["reason"], accepted["primary"]) == (
        "search",
        "decides",
        ["pytorch"],
    )
    rejected = rows["https://github.com/other/torch-proj"]
    assert (rejected["role"], rejected["found_by"], rejected["reason"]) == (
        "rejected",
        "search",
        "fork",
    )
    verdicts = json.loads(no_code("repos", "--verdicts", "--json").stdout)
    pytorch = [v for v in verdicts if v["framework"] == "pytorch"]
    assert pytorch and (
        pytorch[0]["combined"],
        pytorch[0]["decided_by"],
        pytorch[0]["found_by"],
    ) == (
        "uses",
        "repo",
        "search",
    )
    shown = json.loads(no_code("show", "1", "--json").stdout)
    assert [(c["found_by"], c["role"], c["reason"]) for c in shown["code_candidates"]] == [
        ("search", "own", "decides"),
        ("search", "rejected", "fork"),
    ]
    stages = json.loads(no_code("status", "--json").stdout)["stages"]
    assert stages["discover 1"] == {"searched": 1, "failed": 0, "accepted": 1, "rejected": 1}
    assert stages["repos 2"]["papers_decided"] == 1 and stages["repos 2"]["status:ok"] == 1
    requests = len(httpserver.log)
    again = no_code(*args)
    assert "discover: nothing to do" in again.stderr and len(httpserver.log) == requests
