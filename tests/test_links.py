"""URL normalization and discovery in text."""

from __future__ import annotations

import pytest

from miner.extract.links import find_urls, normalize_url


@pytest.mark.parametrize(
    ("raw", "expected", "kind"),
    [
        ("https://github.com/Owner/Repo.git", "https://github.com/Owner/Repo", "code"),
        ("http://www.github.com/a/b/tree/master/x).", "https://github.com/a/b", "code"),
        ("github.com/a/b/blob/main/README.md#readme", "https://github.com/a/b", "code"),
        ("https://GitLab.com/g/p", "https://gitlab.com/g/p", "code"),
        ("https://github.com/pytorch/pytorch", "https://github.com/pytorch/pytorch", "framework"),
        ("https://example.org/page/", "https://example.org/page", "other"),
    ],
)
def test_normalize(raw: str, expected: str, kind: str) -> None:
    url, _host, got_kind = normalize_url(raw)
    assert url == expected and got_kind == kind


def test_find_urls_rejoins_line_breaks_and_strips_punctuation() -> None:
    text = "Code: https://github.com/some-\nuser/repo. See (github.com/x/y)."
    assert find_urls(text) == ["https://github.com/some-user/repo", "github.com/x/y"]
