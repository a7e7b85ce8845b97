"""Clone backend on local bare repositories built here; the detector must be exact on them."""

from __future__ import annotations

from pathlib import Path

import pytest

from miner.repos.detect import analyse_snapshot
from miner.repos.git import GitBackend
from miner.repos.protocol import RepoError, RepoNotFound, RepoRef
from tests.test_repos_data import PROJECTS, build_repo


@pytest.fixture(scope="module")
def remotes(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The five projects as bare repositories `<root>/<name>.git`."""
    root = tmp_path_factory.mktemp("remotes")
    for name, (files, _) in PROJECTS.items():
        build_repo(root, name, files)
    return root


def ref(name: str) -> RepoRef:
    return RepoRef(f"https://gitlab.com/lab/{name}", "gitlab.com", "lab", name)


def backend(remotes: Path, cache: Path, scheme: str = "file") -> GitBackend:
    if scheme == "file":
        return GitBackend(cache, remote=lambda r: f"file://{remotes}/{r.name}.git")
    return GitBackend(cache, remote=lambda r: str(remotes / f"{r.name}.git"))


def summary(analysis: object) -> dict[str, tuple[str, int, int, int, float]]:
    return {
        f.framework: (f.label, f.import_files, f.dependency_files, f.other_files, f.score)
        for f in analysis.frameworks  # type: ignore[attr-defined]
    }


@pytest.mark.parametrize("name", sorted(PROJECTS))
@pytest.mark.parametrize("scheme", ["file", "path"])
def test_detector_is_exact_on_cloned_projects(
    remotes: Path, tmp_path: Path, name: str, scheme: str
) -> None:
    """file:// clones honour --filter (uploadpack.allowFilter); plain paths ignore it with a warning."""
    files, expected = PROJECTS[name]
    git = backend(remotes, tmp_path, scheme)
    commit = git.resolve(ref(name))
    snap = git.snapshot(ref(name), commit)
    analysis = analyse_snapshot(snap)
    assert summary(analysis) == expected
    assert {f.path for f in snap.files} == set(files)
    assert snap.commit == commit
    assert analysis.status == ("ok" if files else "no_code")
    assert (len(commit) == 40) == bool(files)


def test_languages_files_and_reimplementation(remotes: Path, tmp_path: Path) -> None:
    git = backend(remotes, tmp_path)
    mixed = analyse_snapshot(git.snapshot(ref("mixed-proj"), git.resolve(ref("mixed-proj"))))
    assert mixed.languages == {"julia": 1, "lua": 1, "matlab": 1, "python": 5}
    assert mixed.primary == ("jax", "pytorch")
    assert dict((f.framework, f.files) for f in mixed.frameworks)["caffe"] == (
        "caffe/deploy.prototxt",
    )
    assert mixed.reimplementation == "" and mixed.independent
    keras = analyse_snapshot(git.snapshot(ref("keras-proj"), git.resolve(ref("keras-proj"))))
    assert "Unofficial Keras re-implementation" in keras.reimplementation
    assert not keras.independent
    torch = analyse_snapshot(git.snapshot(ref("torch-proj"), git.resolve(ref("torch-proj"))))
    assert torch.reimplementation == "" and torch.primary == ("pytorch",)


def test_clone_is_cached_per_commit(remotes: Path, tmp_path: Path) -> None:
    git = backend(remotes, tmp_path)
    commit = git.resolve(ref("torch-proj"))
    first = git.clone(ref("torch-proj"), commit)
    assert first is not None
    marker = first / "marker"
    marker.write_text("kept")
    assert git.clone(ref("torch-proj"), commit) == first and marker.exists()
    git.clone(ref("torch-proj"), "0" * 40)  # stale commit: cloned again
    assert not marker.exists()


def test_missing_repository_and_missing_git(remotes: Path, tmp_path: Path) -> None:
    with pytest.raises(RepoNotFound):
        backend(remotes, tmp_path).resolve(ref("no-such-proj"))
    broken = GitBackend(tmp_path, git=str(tmp_path / "no-git-here"))
    with pytest.raises(RepoError, match="cannot run"):
        broken.resolve(ref("torch-proj"))


def test_large_blobs_are_skipped_not_fetched(tmp_path: Path) -> None:
    """Blobs over the byte cap are listed but not read (the clone filter leaves them out)."""
    root = tmp_path / "remotes"
    root.mkdir()
    build_repo(root, "big", {"train.py": "import torch\n", "big.py": "import jax\n" + "#" * 4096})
    git = GitBackend(tmp_path / "cache", remote=lambda r: f"file://{root}/{r.name}.git")
    git.max_bytes = 1024
    snap = git.snapshot(ref("big"), git.resolve(ref("big")))
    texts = {f.path: f.text for f in snap.files}
    assert texts["big.py"] is None and texts["train.py"] == "import torch\n"
    assert analyse_snapshot(snap).primary == ("pytorch",)
