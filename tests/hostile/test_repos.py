"""Hostile repositories and API answers (#18): names that would leave the clone cache, a
repository of many compressible files under a byte budget, and GitHub answering nonsense."""

from __future__ import annotations

import json
import tracemalloc
from pathlib import Path

import httpx
import pytest

from miner.repos.git import GitBackend
from miner.repos.github import GitHubBackend, make_github_client
from miner.repos.protocol import RateLimited, RepoError, RepoRef, parse_repo_url
from tests.test_repos_data import build_repo

MB = 1 << 20


@pytest.mark.parametrize(
    "url",
    [
        "https://colab.research.google.com/../../x",
        "https://github.com/../repo",
        "https://github.com/owner/..",
        "https://github.com/./x",
        "https://github.com/-u/x",
        "https://github.com/a%2F..%2F/x",
        "https://../owner/name",
    ],
)
def test_repository_urls_that_would_leave_the_cache_are_refused(url: str) -> None:
    """#18: `https://colab.research.google.com/../../x` made the clone target the cache root; the
    next run deleted every cached clone."""
    assert parse_repo_url(url) is None


def test_clone_target_stays_inside_the_cache(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    (cache / "keep").mkdir(parents=True)
    git = GitBackend(cache, remote=lambda r: "/nonexistent")
    for owner, name in ((".", "."), ("..", ".."), ("", "x"), ("a", "b/../../..")):
        with pytest.raises(RepoError, match="refusing"):
            git.clone(RepoRef("https://h/x", "h", owner, name), "")
    assert (cache / "keep").is_dir()
    assert (
        git.target(RepoRef("https://h/o/n", "h", "o", "n")) == (cache / "h" / "o" / "n").resolve()
    )


def test_many_compressible_files_are_read_within_the_byte_budget(tmp_path: Path) -> None:
    """#18: 3,000 compressible 1 MB files were captured at once (6 GB); blobs are now read one at
    a time and reading stops at the budget (the snapshot says truncated)."""
    files = {f"pkg/m{i:03d}.py": f"import torch  # {i}\n" + "x = 1\n" * 150_000 for i in range(60)}
    build_repo(tmp_path / "remotes", "big", files)
    git = GitBackend(
        tmp_path / "cache",
        remote=lambda r: f"file://{tmp_path / 'remotes'}/big.git",
        max_total_bytes=8 * MB,
    )
    ref = RepoRef("https://gitlab.com/lab/big", "gitlab.com", "lab", "big")
    tracemalloc.start()
    snap = git.snapshot(ref, git.resolve(ref))
    peak = tracemalloc.get_traced_memory()[1] / MB
    tracemalloc.stop()
    read = [f for f in snap.files if f.text is not None]
    assert snap.truncated and 0 < len(read) < len(files)
    assert sum(len(f.text or "") for f in read) <= 8 * MB
    assert peak < 40, peak


def _api(answers: dict[str, httpx.Response]) -> GitHubBackend:
    def handler(request: httpx.Request) -> httpx.Response:
        return answers.get(request.url.path, httpx.Response(404, json={"message": "Not Found"}))

    return GitHubBackend(
        make_github_client(httpx.MockTransport(handler)),
        base_url="https://api.github.test",
        sleep=lambda s: None,
        clock=lambda: 1_000_000.0,
    )


REF = RepoRef("https://github.com/o/r", "github.com", "o", "r")
REPO = {"default_branch": "main", "fork": False}


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"/repos/o/r": httpx.Response(200, html="<html>Hi</html>")}, "no JSON"),
        ({"/repos/o/r": httpx.Response(200, json=[1, 2])}, "list"),
        (
            {
                "/repos/o/r": httpx.Response(200, json=REPO),
                "/repos/o/r/commits/main": httpx.Response(200, json={"commit": {}}),
            },
            "no commit sha",
        ),
        (
            {
                "/repos/o/r": httpx.Response(200, json=REPO),
                "/repos/o/r/commits/main": httpx.Response(200, json="abc"),
            },
            "str",
        ),
    ],
)
def test_github_nonsense_is_a_repo_error(answers: dict[str, httpx.Response], message: str) -> None:
    with pytest.raises(RepoError, match=message):
        _api(answers).resolve(REF)


def test_github_bad_rate_limit_headers_and_http_date_retry_after() -> None:
    """#18: `x-ratelimit-remaining: abc` and an HTTP-date Retry-After raised ValueError."""
    bad = {"x-ratelimit-remaining": "abc", "x-ratelimit-reset": "soon"}
    api = _api({"/repos/o/r": httpx.Response(200, json=REPO, headers=bad)})
    assert api.metadata(REF)["default_branch"] == "main"
    limited = httpx.Response(
        403,
        content=json.dumps({"message": "API rate limit exceeded"}).encode(),
        headers={
            "retry-after": "Wed, 21 Oct 2099 07:28:00 GMT",
            "content-type": "application/json",
        },
    )
    with pytest.raises(RateLimited):
        _api({"/repos/o/r": limited}).metadata(REF)
