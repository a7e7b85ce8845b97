"""The offline harness on real repository structure (issue 14, item 1): the corpus repositories
rebuilt from `../shared/fixtures/repos`, read by the real clone backend through git's
`insteadOf` rewriting and by the real API backend from a loopback GitHub REST stand-in."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from miner.repos.detect import DEPENDENCY_NAMES, analyse_snapshot, dependency_names, python_imports
from miner.repos.facts import facts_files
from miner.repos.git import GitBackend
from miner.repos.github import GitHubBackend, make_github_client
from miner.repos.protocol import RepoAnalysis, parse_repo_url
from miner.repos.replica import api_answer
from miner.repos.vocab import package_framework
from tests.conftest import RepoReplicas
from tests.helpers.paths import REPO_FACTS


def verdict(a: RepoAnalysis) -> tuple[object, ...]:
    """Everything the stage stores that decides a paper: status, frameworks, flags."""
    return (a.status, a.commit, sorted(a.primary), a.frameworks, a.languages, a.reimplementation)


Pair = tuple[RepoAnalysis, RepoAnalysis]


def read_all(r: RepoReplicas, folder: Path, budgets: tuple[int, ...]) -> dict[int, dict[str, Pair]]:
    """Per API file budget: (clone analysis, API analysis) per repository, both reading
    `https://github.com/owner/name` (the clone through the isolated HOME's insteadOf)."""
    git = GitBackend(folder / "clones")
    clones = {}
    for key, replica in sorted(r.replicas.items()):
        ref = parse_repo_url(f"https://github.com/{replica.full_name}")
        assert ref is not None
        clones[key] = (ref, analyse_snapshot(git.snapshot(ref, git.resolve(ref))))
    out: dict[int, dict[str, Pair]] = {}
    for budget in budgets:
        api = GitHubBackend(make_github_client(), base_url=r.api, max_files=budget)
        out[budget] = {
            key: (a, analyse_snapshot(api.snapshot(ref, api.resolve(ref))))
            for key, (ref, a) in clones.items()
        }
    return out


@pytest.fixture(scope="module")
def pairs(
    repo_replicas: RepoReplicas, tmp_path_factory: pytest.TempPathFactory
) -> dict[int, dict[str, Pair]]:
    """Every repository read by both backends: API budgets of every file and the default 40."""
    with pytest.MonkeyPatch.context() as mp:
        for key in ("HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_NOSYSTEM"):
            mp.setenv(key, repo_replicas.git_env[key])
        return read_all(repo_replicas, tmp_path_factory.mktemp("clones"), (100_000, 40))


def test_materialized_files_hold_exactly_the_recorded_facts(repo_replicas: RepoReplicas) -> None:
    """Imports and dependency lists read back from the rendered files are the recorded ones."""
    assert len(repo_replicas.replicas) == len(list(REPO_FACTS.glob("*.json"))) > 0
    for facts in repo_replicas.facts.values():
        files = facts_files(facts)
        for entry in facts["code_files"]:
            if entry["lang"] == "python":
                absolute = {m for m in entry["imports"] if not m.startswith(".")}
                assert python_imports(files[entry["path"]]) == absolute, entry["path"]
        for entry in facts["dependency_files"]:
            if DEPENDENCY_NAMES.match(entry["path"].rsplit("/", 1)[-1]):
                names = dependency_names(entry["path"], files[entry["path"]])
                shown = {package_framework(n) for n in names} - {None}
                listed = entry["packages"] + entry.get("optional_packages", [])
                assert shown == {package_framework(n) for n in listed} - {None}, entry["path"]
        assert set(files) <= {
            e["path"] for e in facts["code_files"] + facts["dependency_files"]
        } | {(facts["readme"] or {}).get("path")}


def test_both_backends_reach_the_same_verdicts(
    pairs: dict[int, dict[str, Pair]], repo_replicas: RepoReplicas
) -> None:
    """Given the same files (an API budget covering every file), clone and API agree exactly."""
    got = pairs[100_000]
    assert set(got) == set(repo_replicas.replicas)
    assert [k for k, (git, api) in got.items() if verdict(git) != verdict(api)] == []
    assert all(git.backend == "git" and api.backend == "github" for git, api in got.values())
    assert all(not git.truncated and not api.truncated for git, api in got.values())


def test_api_file_budget_only_changes_truncated_reads(pairs: dict[int, dict[str, Pair]]) -> None:
    """With the default 40-file budget, verdicts differ only where the API read was truncated."""
    got = pairs[40]
    differ = {k for k, (git, api) in got.items() if sorted(git.primary) != sorted(api.primary)}
    assert all(got[k][1].truncated for k in differ)
    assert len(differ) <= len(got) // 20  # measured: 2 of 76 (README, repos section)


def test_detector_agrees_with_the_index(pairs: dict[int, dict[str, Pair]]) -> None:
    """Primary frameworks == index.csv's top framework by imports (none for `other`), >= 98%."""
    with (REPO_FACTS / "index.csv").open() as fh:
        truth = {row["repo"].lower(): row["top_framework_by_imports"] for row in csv.DictReader(fh)}
    got = pairs[40]
    agree = [
        k
        for k, (git, _) in got.items()
        if set(git.primary) == ({truth[k]} if truth[k] != "other" else set())
    ]
    assert len(agree) >= 0.98 * len(got), sorted(set(got) - set(agree))


def test_api_stand_in_answers_like_github(repo_replicas: RepoReplicas) -> None:
    """Owner/name are case-insensitive; unknown repositories, commits and paths are 404."""
    key, r = next(iter(sorted(repo_replicas.replicas.items())))
    owner, name = r.full_name.split("/")
    status, body = api_answer(
        repo_replicas.replicas, "", f"/repos/{owner.upper()}/{name}", "", False
    )
    assert status == 200 and body["default_branch"] == r.branch and body["fork"] is False
    assert api_answer(repo_replicas.replicas, "", "/repos/no/such", "", False)[0] == 404
    assert api_answer(repo_replicas.replicas, "", f"/repos/{key}/commits/nope", "", False)[0] == 404
    path = next(iter(r.files))
    assert api_answer(repo_replicas.replicas, "", f"/repos/{key}/contents/{path}", "", True) == (
        200,
        r.files[path].encode(),
    )
    assert (
        api_answer(repo_replicas.replicas, "", f"/repos/{key}/contents/{path}", "ref=x", False)[0]
        == 404
    )


@pytest.mark.parametrize("case", ["lower", "exact"])
def test_clone_rewrite_reaches_the_replica(
    github_replicas: RepoReplicas, tmp_path: Path, case: str
) -> None:
    """`https://github.com/...` clones land on the local replica, in either case of the name."""
    r = github_replicas.replicas["golsun/stylefusion"]
    url = f"https://github.com/{r.full_name.lower() if case == 'lower' else r.full_name}"
    ref = parse_repo_url(url)
    assert ref is not None
    git = GitBackend(tmp_path / "clones")
    assert git.resolve(ref) == r.commit
