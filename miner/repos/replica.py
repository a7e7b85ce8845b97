"""Offline stand-ins for GitHub built from repository facts (git subprocesses, loopback HTTP).

`materialize` writes each facts file (`miner.repos.facts`) as a bare repository
`<root>/<owner>/<name>.git` with one deterministic commit on the recorded default branch;
`git_env` gives an isolated HOME whose `url.<file-url>.insteadOf https://github.com/` sends the
clone backend's github.com clones there; `serve_api` answers the GitHub REST endpoints the API
backend reads, from the same files, on 127.0.0.1 only. Used by the tests and `bench/`.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from miner.repos.facts import Facts, facts_files

DATE = "2020-01-01T00:00:00+00:00"
"""Author and committer date of every materialized commit, so its sha is reproducible."""


@dataclass(frozen=True, slots=True)
class Replica:
    """One materialized repository."""

    full_name: str
    branch: str
    commit: str
    tree: str
    files: Mapping[str, str] = field(default_factory=dict)
    """Path -> text, exactly as committed."""


def load_facts(folder: Path) -> list[dict[str, Any]]:
    """Every `*.json` facts file of a folder, by file name."""
    return [json.loads(p.read_text()) for p in sorted(Path(folder).glob("*.json"))]


def git_env(home: Path, root: Path, hosts: Iterable[str] = ()) -> dict[str, str]:
    """Environment for git runs with an isolated HOME that rewrites github.com to `root` (and
    each other host to `root/<host>/`).

    Writes `<home>/.gitconfig`; system configuration is ignored (GIT_CONFIG_NOSYSTEM).
    """
    home.mkdir(parents=True, exist_ok=True)
    base = Path(root).resolve()
    rules = "".join(
        f'[url "file://{base}/{h}/"]\n\tinsteadOf = https://{h}/\n'
        for h in sorted(set(hosts) - {"github.com"})
    )
    (home / ".gitconfig").write_text(
        f'[url "file://{base}/"]\n\tinsteadOf = https://github.com/\n{rules}'
        "[uploadpack]\n\tallowFilter = true\n"
    )
    return {
        **os.environ,
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / ".config"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }


def _git(args: list[str], env: Mapping[str, str]) -> str:
    proc = subprocess.run(
        ["git", *args], env=dict(env), capture_output=True, text=True, check=True, timeout=120
    )
    return proc.stdout.strip()


def materialize_one(facts: Facts, root: Path, env: Mapping[str, str]) -> Replica:
    """One bare repository at `<root>/<owner>/<name>.git` (and a lower-case alias, as GitHub
    names are case-insensitive); replaced if it exists."""
    owner, name = str(facts["repo"]).split("/")
    branch = str(facts.get("default_branch") or "main")
    files = facts_files(facts)
    bare = Path(root) / owner / f"{name}.git"
    if bare.exists():
        shutil.rmtree(bare)
    bare.parent.mkdir(parents=True, exist_ok=True)
    _git(["init", "-q", "--bare", "-b", branch, str(bare)], env)
    with tempfile.TemporaryDirectory() as work:
        for path, text in files.items():
            target = Path(work) / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text)
        run_env = {
            **env,
            "GIT_DIR": str(bare),
            "GIT_WORK_TREE": work,
            "GIT_AUTHOR_NAME": "repofacts",
            "GIT_AUTHOR_EMAIL": "repofacts@localhost",
            "GIT_COMMITTER_NAME": "repofacts",
            "GIT_COMMITTER_EMAIL": "repofacts@localhost",
            "GIT_AUTHOR_DATE": DATE,
            "GIT_COMMITTER_DATE": DATE,
        }
        _git(["add", "-A"], run_env)
        _git(["commit", "-q", "--no-verify", "-m", f"facts of {facts['repo']}"], run_env)
    commit = _git(["--git-dir", str(bare), "rev-parse", "HEAD"], env)
    tree = _git(["--git-dir", str(bare), "rev-parse", "HEAD^{tree}"], env)
    alias = Path(root) / owner.lower() / f"{name.lower()}.git"
    if alias != bare and not alias.exists():
        alias.parent.mkdir(parents=True, exist_ok=True)
        alias.symlink_to(bare.resolve())
    return Replica(f"{owner}/{name}", branch, commit, tree, files)


def materialize(facts: Iterable[Facts], root: Path, env: Mapping[str, str]) -> dict[str, Replica]:
    """Every facts record as a bare repository under root; Replica by lower-case `owner/name`."""
    out = {}
    for f in facts:
        replica = materialize_one(f, root, env)
        out[replica.full_name.lower()] = replica
    return out


def mirror_stubs(urls: Iterable[str], root: Path, env: Mapping[str, str]) -> int:
    """A stand-in for each repository URL without facts, where `git_env(..., hosts)` sends its
    clone: a link to one generated bare repository holding only a README (valid, no code, so its
    analysis is `no_code`). Existing entries (materialized facts) are kept; returns how many were
    made. Exercises the candidate path at venue scale, not the detector."""
    template = Path(root) / ".stub" / "stub.git"
    if not template.exists():
        readme = {"path": "README.md", "first_heading": "Stand-in repository"}
        materialize_one({"repo": ".stub/stub", "readme": readme}, Path(root), env)
    made = 0
    for url in urls:
        host, owner, name = url.removeprefix("https://").split("/")[:3]
        folder = Path(root) if host == "github.com" else Path(root) / host
        target = folder / owner / f"{name}.git"
        if not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(template.resolve())
            made += 1
    return made


def blob_sha(text: str) -> str:
    """Git's blob id of a text (what GitHub trees and contents report)."""
    data = text.encode()
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class ApiStats:
    """Requests and response bytes served (thread-safe counters)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.requests = 0
        self.bytes = 0

    def add(self, n: int) -> None:
        """Count one response of n bytes."""
        with self.lock:
            self.requests += 1
            self.bytes += n


def api_answer(
    replicas: Mapping[str, Replica], base: str, path: str, query: str, raw: bool
) -> tuple[int, Any]:
    """(status, JSON body or raw bytes) of one GET, as the GitHub REST API documents it."""
    segs = [unquote(s) for s in path.split("/") if s]
    missing = (404, {"message": "Not Found", "status": "404"})
    if len(segs) < 3 or segs[0] != "repos":
        return missing
    r = replicas.get(f"{segs[1]}/{segs[2]}".lower())
    if r is None:
        return missing
    rest = segs[3:]
    url = f"{base}/repos/{r.full_name}"
    if not rest:
        return 200, {
            "name": r.full_name.split("/")[1],
            "full_name": r.full_name,
            "owner": {"login": r.full_name.split("/")[0], "type": "User"},
            "private": False,
            "fork": False,
            "description": None,
            "default_branch": r.branch,
            "url": url,
        }
    if rest[0] == "commits" and len(rest) == 2 and rest[1] in (r.branch, r.commit, "HEAD"):
        return 200, {
            "sha": r.commit,
            "url": f"{url}/commits/{r.commit}",
            "commit": {"message": f"facts of {r.full_name}", "tree": {"sha": r.tree}},
            "parents": [],
        }
    if rest[:2] == ["git", "trees"] and len(rest) == 3 and rest[2] in (r.tree, r.commit):
        return 200, {
            "sha": r.tree,
            "url": f"{url}/git/trees/{r.tree}",
            "tree": _tree(r),
            "truncated": False,
        }
    ref = parse_qs(query).get("ref", [r.commit])[0]
    name = "/".join(rest[1:])
    if rest[0] == "contents" and name in r.files and ref in (r.commit, r.branch):
        text = r.files[name]
        if raw:
            return 200, text.encode()
        return 200, {
            "type": "file",
            "encoding": "base64",
            "size": len(text.encode()),
            "name": name.rsplit("/", 1)[-1],
            "path": name,
            "sha": blob_sha(text),
            "content": base64.encodebytes(text.encode()).decode(),
        }
    return missing


def _tree(r: Replica) -> list[dict[str, Any]]:
    folders = sorted({p.rsplit("/", 1)[0] for p in r.files if "/" in p})
    entries: list[dict[str, Any]] = [
        {"path": f, "mode": "040000", "type": "tree", "sha": blob_sha(f)} for f in folders
    ]
    for path, text in r.files.items():
        size = len(text.encode())
        entries.append(
            {"path": path, "mode": "100644", "type": "blob", "sha": blob_sha(text), "size": size}
        )
    return sorted(entries, key=lambda e: e["path"])


@contextmanager
def serve_api(replicas: Mapping[str, Replica]) -> Iterator[tuple[str, ApiStats]]:
    """(base URL, stats) of a GitHub REST stand-in on 127.0.0.1, stopped on exit."""
    stats = ApiStats()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server's name)
            parts = urlsplit(self.path)
            raw = "raw" in self.headers.get("Accept", "")
            status, body = api_answer(replicas, base, parts.path, parts.query, raw)
            data = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header(
                "Content-Type", "application/octet-stream" if raw else "application/json"
            )
            self.send_header("Content-Length", str(len(data)))
            self.send_header("x-ratelimit-limit", "5000")
            self.send_header("x-ratelimit-remaining", "4999")
            self.end_headers()
            self.wfile.write(data)
            stats.add(len(data))

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            """Silent: the stats count what was served."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield base, stats
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
