"""URL discovery in text, normalization and typing (issue 3)."""

from __future__ import annotations

import pytest

from miner.extract.links import find_urls, is_repo, known_url_keys, normalize_url, strip_trailing


@pytest.mark.parametrize(
    ("raw", "expected", "kind"),
    [
        ("https://github.com/Owner/Repo.git", "https://github.com/Owner/Repo", "code"),
        ("http://www.github.com/a/b/tree/master/x).", "https://github.com/a/b", "code"),
        ("github.com/a/b/blob/main/README.md#readme", "https://github.com/a/b", "code"),
        ("www.github.com/goodfeli/adversarial", "https://github.com/goodfeli/adversarial", "code"),
        (
            "git://github.com/benanne/kaggle-galaxies.git",
            "https://github.com/benanne/kaggle-galaxies",
            "code",
        ),
        (
            "https://github.com/benanne/Lasagne.git@f445b71",
            "https://github.com/benanne/Lasagne",
            "code",
        ),
        ("https://github.com/a/b(Apache-2.0)", "https://github.com/a/b", "code"),
        ("https://github.com/a/b?tab=readme", "https://github.com/a/b", "code"),
        ("https://GitLab.com/g/p", "https://gitlab.com/g/p", "code"),
        ("https://bitbucket.org/o/r/src/master/", "https://bitbucket.org/o/r", "code"),
        ("https://github.com/pytorch/pytorch", "https://github.com/pytorch/pytorch", "framework"),
        (
            "https://github.com/topics/deep-learning",
            "https://github.com/topics/deep-learning",
            "other",
        ),
        (
            "https://huggingface.co/bert-base/uncased/tree/main",
            "https://huggingface.co/bert-base/uncased",
            "model",
        ),
        (
            "https://huggingface.co/datasets/o/d/viewer",
            "https://huggingface.co/datasets/o/d",
            "dataset",
        ),
        ("https://huggingface.co/spaces/o/app", "https://huggingface.co/spaces/o/app", "project"),
        (
            "https://codeocean.com/capsule/1234/tree/v1",
            "https://codeocean.com/capsule/1234",
            "code",
        ),
        ("https://arxiv.org/abs/1810.04805", "https://arxiv.org/abs/1810.04805", "paper"),
        ("https://www.kaggle.com/c/dogs-vs-cats", "https://kaggle.com/c/dogs-vs-cats", "dataset"),
        ("https://alice.github.io/proj/", "https://alice.github.io/proj", "project"),
        ("https://pytorch.org/docs", "https://pytorch.org/docs", "framework"),
        ("https://example.org/page/#top", "https://example.org/page", "other"),
    ],
)
def test_normalize(raw: str, expected: str, kind: str) -> None:
    url, _host, got_kind = normalize_url(raw)
    assert (url, got_kind) == (expected, kind)


def test_is_repo() -> None:
    assert is_repo("https://github.com/a/b") and not is_repo("https://github.com/a")
    assert not is_repo("https://example.org/a/b")


def test_strip_trailing_keeps_balanced_brackets() -> None:
    assert strip_trailing("https://x.org/a_(b)).") == "https://x.org/a_(b)"
    assert strip_trailing("github.com/x/y”,") == "github.com/x/y"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Broken after a slash, a hyphen, an underscore: re-joined.
        ("Code: https://github.com/some-\nuser/repo. See", ["https://github.com/some-user/repo"]),
        ("at https://github.com/\nowner/repo for", ["https://github.com/owner/repo"]),
        (
            "see github.com/hexiangnan/neural_\ncollaborative_filtering",
            ["github.com/hexiangnan/neural_collaborative_filtering"],
        ),
        # Regression (issue 3): a sentence-ending dot is not the middle of a URL.
        ("at https://github.com/amaiya/ktrain.\nIn the next", ["https://github.com/amaiya/ktrain"]),
        ("https://github.com/mouna99/dien.\nCopyright 2019", ["https://github.com/mouna99/dien"]),
        # Regression (issue 3): a margin line number is not the repo name.
        ("http://github.com/google/\n90 jax", ["http://github.com/google/"]),
        # Two footnotes on consecutive lines stay two URLs.
        (
            "1 https://github.com/a/b\n2 http://example.org/x",
            ["https://github.com/a/b", "http://example.org/x"],
        ),
        (
            "https://github.com/a/b\n2http://example.org/x",
            ["https://github.com/a/b", "http://example.org/x"],
        ),
        ("(see github.com/x/yy).", ["github.com/x/yy"]),
        ("https://example.org/paper.\nhtml is", ["https://example.org/paper.html"]),
    ],
)
def test_find_urls(text: str, expected: list[str]) -> None:
    assert find_urls(text) == expected


def test_find_urls_prefers_the_annotation_reading() -> None:
    """Regression (issue 3): `github.com/google/90` came from a JOSS margin line number."""
    text = "programs. http://github.com/google/\n91 jax"
    assert find_urls(text, known_url_keys(["http://github.com/google/jax"])) == [
        "http://github.com/google/jax"
    ]
