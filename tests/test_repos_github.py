"""GitHub API backend against a local server answering with documented response shapes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from miner.repos.backends import backend_chooser
from miner.repos.detect import analyse_snapshot
from miner.repos.github import (
    RAW_MEDIA,
    DirEtagCache,
    GitHubBackend,
    MemoryEtagCache,
    make_github_client,
)
from miner.repos.protocol import RateLimited, RepoError, RepoNotFound, RepoRef
from tests.test_repos_data import (
    EMPTY_REPO,
    NOT_FOUND,
    PROJECTS,
    RATE_LIMITED,
    Files,
    api_commit,
    api_content,
    api_repo,
    api_tree,
    blob_sha,
    notebook,
    rate_limit_headers,
)

OWNER = "lab"


def serve(httpserver: HTTPServer, name: str, files: Files, **repo: object) -> str:
    """Register the API answers for one project; returns its head commit sha."""
    base = httpserver.url_for("").rstrip("/")
    sha = blob_sha(f"commit {name}")
    tree = blob_sha(f"tree {name}")
    prefix = f"/repos/{OWNER}/{name}"
    httpserver.expect_request(prefix).respond_with_json(
        api_repo(base, OWNER, name, **repo), headers=rate_limit_headers(2_000_000_000, 59)
    )
    if not files:
        httpserver.expect_request(f"{prefix}/commits/main").respond_with_json(EMPTY_REPO, 409)
        return ""
    httpserver.expect_request(f"{prefix}/commits/main").respond_with_json(
        api_commit(base, OWNER, name, sha, tree)
    )
    httpserver.expect_request(
        f"{prefix}/git/trees/{tree}", query_string={"recursive": "1"}
    ).respond_with_json(api_tree(base, OWNER, name, tree, files))
    for path, text in files.items():
        httpserver.expect_request(
            f"{prefix}/contents/{path}", query_string={"ref": sha}
        ).respond_with_json(api_content(base, OWNER, name, path, text))
    return sha


def ref(name: str) -> RepoRef:
    return RepoRef(f"https://github.com/{OWNER}/{name}", "github.com", OWNER, name)


def backend(httpserver: HTTPServer, **kwargs: object) -> GitHubBackend:
    return GitHubBackend(make_github_client(), base_url=httpserver.url_for(""), **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", sorted(PROJECTS))
def test_detector_is_exact_through_the_api(httpserver: HTTPServer, name: str) -> None:
    files, expected = PROJECTS[name]
    sha = serve(httpserver, name, files)
    api = backend(httpserver)
    commit = api.resolve(ref(name))
    assert commit == sha
    analysis = analyse_snapshot(api.snapshot(ref(name), commit))
    got = {
        f.framework: (f.label, f.import_files, f.dependency_files, f.other_files, f.score)
        for f in analysis.frameworks
    }
    assert got == expected
    assert analysis.status == ("ok" if files else "no_code")
    assert not analysis.fork and not analysis.truncated


def test_fork_flag_and_parent(httpserver: HTTPServer) -> None:
    files, _ = PROJECTS["torch-proj"]
    serve(httpserver, "torch-proj", files, fork=True, parent="orig/supernet")
    api = backend(httpserver)
    analysis = analyse_snapshot(api.snapshot(ref("torch-proj"), api.resolve(ref("torch-proj"))))
    assert analysis.fork and analysis.parent == "orig/supernet" and not analysis.independent


def test_file_budget_reads_dependencies_first(httpserver: HTTPServer) -> None:
    files, _ = PROJECTS["torch-proj"]
    serve(httpserver, "torch-proj", files)
    api = backend(httpserver, max_files=3)
    snap = api.snapshot(ref("torch-proj"), api.resolve(ref("torch-proj")))
    assert {f.path for f in snap.files if f.text is not None} == {
        "README.md",
        "requirements.txt",
        "train.py",
    }
    assert snap.truncated and len(snap.files) == len(files)


def test_deleted_repository_is_not_found(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/repos/{OWNER}/gone").respond_with_json(NOT_FOUND, 404)
    with pytest.raises(RepoNotFound):
        backend(httpserver).resolve(ref("gone"))


def test_rate_limit_403_raises_with_reset_time(httpserver: HTTPServer) -> None:
    httpserver.expect_request(f"/repos/{OWNER}/busy").respond_with_json(
        RATE_LIMITED, 403, headers=rate_limit_headers(1_700_000_120)
    )
    api = backend(httpserver, clock=lambda: 1_700_000_000.0)
    with pytest.raises(RateLimited) as info:
        api.resolve(ref("busy"))
    assert info.value.reset_at == 1_700_000_120
    # The next call does not even ask: no requests are left until the reset.
    with pytest.raises(RateLimited):
        api.resolve(ref("busy"))
    assert len(httpserver.log) == 1


def test_rate_limit_waits_for_reset_when_allowed(httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    httpserver.expect_ordered_request(f"/repos/{OWNER}/busy").respond_with_json(
        RATE_LIMITED, 403, headers=rate_limit_headers(1_700_000_120)
    )
    httpserver.expect_ordered_request(f"/repos/{OWNER}/busy").respond_with_json(
        api_repo(base, OWNER, "busy"), headers=rate_limit_headers(1_700_003_600, 4999, 5000)
    )
    slept: list[float] = []
    api = backend(httpserver, clock=lambda: 1_700_000_000.0, sleep=slept.append, max_wait=600)
    assert api.metadata(ref("busy"))["full_name"] == f"{OWNER}/busy"
    assert slept == [120.0] and api.remaining == 4999


def test_etag_answer_304_reuses_the_cached_body(httpserver: HTTPServer) -> None:
    base = httpserver.url_for("").rstrip("/")
    body = api_repo(base, OWNER, "cached")
    seen: list[str | None] = []

    def handler(request: Request) -> Response:
        seen.append(request.headers.get("If-None-Match"))
        if request.headers.get("If-None-Match") == '"v1"':
            return Response(status=304, headers={"ETag": '"v1"'})
        return Response(json.dumps(body), 200, {"ETag": '"v1"', "Content-Type": "application/json"})

    httpserver.expect_request(f"/repos/{OWNER}/cached").respond_with_handler(handler)
    cache = MemoryEtagCache()
    for _ in range(2):
        api = backend(httpserver, cache=cache, token="t0ken")
        assert api.metadata(ref("cached")) == body
    assert seen == [None, '"v1"']
    assert httpserver.log[0][0].headers["Authorization"] == "Bearer t0ken"


def test_backend_choice(tmp_path: Path) -> None:
    github = RepoRef("https://github.com/a/b", "github.com", "a", "b")
    gitlab = RepoRef("https://gitlab.com/a/b", "gitlab.com", "a", "b")
    assert backend_chooser(tmp_path)(github).name == "git"  # no token: clone, not 60 requests/h
    with_token = backend_chooser(tmp_path, token="x")
    assert (with_token(github).name, with_token(gitlab).name) == ("github", "git")
    api_only = backend_chooser(tmp_path, mode="api")
    with pytest.raises(RepoError, match="not GitHub"):
        api_only(gitlab).resolve(gitlab)
    with pytest.raises(ValueError):
        backend_chooser(tmp_path, mode="ftp")


def test_etag_cache_on_disk(tmp_path: Path) -> None:
    cache = DirEtagCache(tmp_path / "etags")
    assert cache.get("https://x/1") is None
    cache.put("https://x/1", '"e"', {"a": [1]})
    assert DirEtagCache(tmp_path / "etags").get("https://x/1") == ('"e"', {"a": [1]})
    next((tmp_path / "etags").iterdir()).write_text("{broken")
    assert cache.get("https://x/1") is None


def test_large_notebook_is_read_as_raw_media(httpserver: HTTPServer) -> None:
    """Over 1 MiB the contents API does not inline files; notebooks are then asked for raw."""
    big = notebook(("code", "import torch\n"), ("markdown", "x" * (1 << 20)))
    files = {"README.md": "demo\n", "big.ipynb": big}
    sha = blob_sha("commit big")
    httpserver.expect_request(
        f"/repos/{OWNER}/big/contents/big.ipynb",
        query_string={"ref": sha},
        headers={"Accept": RAW_MEDIA},
    ).respond_with_data(big, content_type="application/vnd.github.raw+json")
    assert serve(httpserver, "big", files) == sha
    api = backend(httpserver)
    analysis = analyse_snapshot(api.snapshot(ref("big"), api.resolve(ref("big"))))
    assert analysis.primary == ("pytorch",) and analysis.files_read == 2
