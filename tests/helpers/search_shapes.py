"""GitHub search and README response shapes, BUILT FROM THE PUBLIC REST API DOCUMENTATION.

No recorded GitHub search response exists (this machine never reaches GitHub, and
../shared/fixtures/http holds none), so these payloads are synthetic. Field names and nesting
follow docs.github.com "Search repositories" (`total_count`, `incomplete_results`, `items` of
repo-search-result-item: full_name, owner{login, type}, fork, description, html_url,
stargazers_count, pushed_at, score...), "Get a repository README" (a content file with base64
`content`), "Get a user" (`name` may be null) and the rate-limit pages (x-ratelimit-* headers with `x-ratelimit-resource: search`,
a 403 "API rate limit exceeded" body, secondary limits answered 403/429 with `retry-after`).
"""

from __future__ import annotations

import base64
import zlib
from typing import Any


def search_item(
    base: str,
    full_name: str,
    *,
    fork: bool = False,
    description: str | None = None,
    stars: int = 0,
    owner_type: str = "User",
) -> dict[str, Any]:
    """One `items[]` entry of GET /search/repositories."""
    owner, name = full_name.split("/")
    return {
        "id": zlib.crc32(full_name.encode()),
        "node_id": "MDEwOlJlcG9zaXRvcnkx",
        "name": name,
        "full_name": full_name,
        "owner": {
            "login": owner,
            "id": zlib.crc32(owner.encode()),
            "avatar_url": f"https://avatars.githubusercontent.com/u/{len(owner)}?v=4",
            "url": f"{base}/users/{owner}",
            "html_url": f"https://github.com/{owner}",
            "type": owner_type,
            "site_admin": False,
        },
        "private": False,
        "html_url": f"https://github.com/{full_name}",
        "description": description,
        "fork": fork,
        "url": f"{base}/repos/{full_name}",
        "created_at": "2020-03-01T10:00:00Z",
        "updated_at": "2021-06-01T10:00:00Z",
        "pushed_at": "2021-05-30T10:00:00Z",
        "homepage": None,
        "size": 1024,
        "stargazers_count": stars,
        "watchers_count": stars,
        "language": "Python",
        "forks_count": 3,
        "open_issues_count": 1,
        "default_branch": "main",
        "score": 1.0,
        "topics": [],
        "archived": False,
        "disabled": False,
        "visibility": "public",
        "license": None,
    }


def search_body(items: list[dict[str, Any]], incomplete: bool = False) -> dict[str, Any]:
    """GET /search/repositories answer."""
    return {"total_count": len(items), "incomplete_results": incomplete, "items": items}


def readme_body(base: str, full_name: str, text: str, path: str = "README.md") -> dict[str, Any]:
    """GET /repos/{owner}/{repo}/readme answer."""
    url = f"{base}/repos/{full_name}/contents/{path}?ref=main"
    return {
        "type": "file",
        "encoding": "base64",
        "size": len(text.encode()),
        "name": path,
        "path": path,
        "content": base64.encodebytes(text.encode()).decode(),
        "sha": "3d21ec53a331a6f037a91c368710b99387d012c1",
        "url": url,
        "git_url": f"{base}/repos/{full_name}/git/blobs/3d21ec53a331a6f037a91c368710b99387d012c1",
        "html_url": f"https://github.com/{full_name}/blob/main/{path}",
        "download_url": f"https://raw.githubusercontent.com/{full_name}/main/{path}",
        "_links": {"self": url, "html": f"https://github.com/{full_name}/blob/main/{path}"},
    }


SEARCH_RATE_LIMITED = {
    "message": "API rate limit exceeded for user ID 1.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api",
}
SECONDARY_LIMITED = {
    "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you "
    "try again.",
    "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
    "#about-secondary-rate-limits",
}


def search_limit_headers(reset: int, remaining: int = 29, limit: int = 30) -> dict[str, str]:
    """x-ratelimit-* headers of the search resource."""
    return {
        "x-ratelimit-limit": str(limit),
        "x-ratelimit-remaining": str(remaining),
        "x-ratelimit-used": str(limit - remaining),
        "x-ratelimit-reset": str(reset),
        "x-ratelimit-resource": "search",
    }


def user_body(base: str, login: str, name: str | None) -> dict[str, Any]:
    """GET /users/{username} answer (public user, trimmed)."""
    return {
        "login": login,
        "id": zlib.crc32(login.encode()),
        "url": f"{base}/users/{login}",
        "html_url": f"https://github.com/{login}",
        "type": "User",
        "site_admin": False,
        "name": name,
        "company": None,
        "blog": "",
        "location": None,
        "bio": None,
        "public_repos": 12,
        "followers": 3,
        "following": 1,
        "created_at": "2015-01-01T00:00:00Z",
        "updated_at": "2021-01-01T00:00:00Z",
    }
