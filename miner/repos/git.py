"""Clone backend: shallow, blob-filtered `git clone` of any git URL into a cache dir (process IO).

`git clone --bare --depth 1 --filter=blob:limit=1m` fetches one commit without blobs over 1 MiB
(servers that do not allow filters, and plain local paths, send everything; git warns and goes on).
Files are read from the object store with `git cat-file --batch`, never checked out (so no hooks or
LFS filters run), and blobs the filter left out are skipped rather than fetched lazily.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import IO

from miner.repos.detect import file_kind, wants_text
from miner.repos.protocol import (
    RepoError,
    RepoFile,
    RepoNotFound,
    RepoRef,
    RepoSnapshot,
    safe_segment,
)

logger = logging.getLogger(__name__)

_NOT_FOUND = (
    "not found",
    "does not appear to be a git repository",
    "could not read username",
    "does not exist",
)


def https_remote(ref: RepoRef) -> str:
    """The clone URL of a normalized repository URL."""
    return ref.url + ".git"


class GitBackend:
    """Reads repositories by shallow clone; one cached clone per host/owner/name."""

    name = "git"

    def __init__(
        self,
        cache_dir: Path,
        *,
        remote: Callable[[RepoRef], str] = https_remote,
        git: str = "git",
        timeout: float = 300.0,
        max_files: int = 5000,
        max_bytes: int = 1 << 20,
        max_total_bytes: int = 64 << 20,
    ) -> None:
        """`remote` maps a RepoRef to what `git clone` gets (a URL or a local path); at most
        `max_total_bytes` of file text are read per repository (then the snapshot is truncated)."""
        self.cache_dir = Path(cache_dir)
        self.remote = remote
        self.git = git
        self.timeout = timeout
        self.max_files = max_files
        self.max_bytes = max_bytes
        self.max_total_bytes = max_total_bytes

    def _run(self, args: Sequence[str], *, cwd: Path | None = None, stdin: bytes = b"") -> bytes:
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0", "GIT_LFS_SKIP_SMUDGE": "1"}
        try:
            proc = subprocess.run(
                [self.git, *args],
                cwd=cwd,
                input=stdin,
                capture_output=True,
                timeout=self.timeout,
                env=env,
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise RepoError(f"git {args[0]} timed out after {self.timeout:.0f} s") from exc
        except OSError as exc:
            raise RepoError(f"cannot run {self.git}: {exc.strerror}") from exc
        if proc.returncode != 0:
            lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
            fatal = [line for line in lines if line.lower().startswith(("fatal", "error"))]
            text = (fatal or lines or [f"exit {proc.returncode}"])[0]
            if any(s in " ".join(lines).lower() for s in _NOT_FOUND):
                raise RepoNotFound(f"git {args[0]}: {text}")
            raise RepoError(f"git {args[0]}: {text}")
        return proc.stdout

    def resolve(self, ref: RepoRef) -> str:
        """Sha of the remote HEAD via `git ls-remote` (no clone); empty for a repo without commits."""
        out = self._run(["ls-remote", self.remote(ref), "HEAD"]).decode()
        return out.split()[0] if out.split() else ""

    def target(self, ref: RepoRef) -> Path:
        """The clone's folder, host/owner/name under the cache; RepoError for a name that would
        resolve anywhere else (`..`, `.`, empty: the next clone would delete the cache, #18)."""
        root = self.cache_dir.resolve()
        parts = (ref.host, ref.owner, ref.name)
        if not all(safe_segment(p) for p in parts):
            raise RepoError(f"refusing repository name {ref.full_name!r} on {ref.host!r}")
        target = (root / ref.host / ref.owner / ref.name).resolve()
        if target.parent.parent.parent != root:
            raise RepoError(f"refusing repository {ref.url!r}: its clone would leave the cache")
        return target

    def clone(self, ref: RepoRef, commit: str) -> Path | None:
        """The cached clone at `commit` (re-cloned when stale); None for an empty repository."""
        target = self.target(ref)
        if commit and (target / "HEAD").exists():
            try:
                if self._run(["rev-parse", "HEAD"], cwd=target).decode().strip() == commit:
                    return target
            except RepoError:
                logger.info("cached clone %s is unusable; cloning again", target)
        if target.exists():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        self._run(
            [
                "clone",
                "--bare",
                "--depth",
                "1",
                "--filter=blob:limit=1m",
                "--quiet",
                self.remote(ref),
                str(target),
            ]
        )
        try:
            self._run(["rev-parse", "--verify", "HEAD"], cwd=target)
        except RepoError:
            return None  # no commits yet
        return target

    def snapshot(self, ref: RepoRef, commit: str) -> RepoSnapshot:
        """Listing of HEAD and the text of the files the detector reads (under max_bytes)."""
        repo = self.clone(ref, commit)
        if repo is None:
            return RepoSnapshot(ref, commit, self.name)
        head = self._run(["rev-parse", "HEAD"], cwd=repo).decode().strip()
        missing = {
            line[1:].strip()
            for line in self._run(["rev-list", "--objects", "--missing=print", "HEAD"], cwd=repo)
            .decode("utf-8", "replace")
            .splitlines()
            if line.startswith("?")
        }
        listing = []
        for entry in self._run(["ls-tree", "-r", "-z", "HEAD"], cwd=repo).split(b"\0"):
            if not entry:
                continue
            meta, path = entry.split(b"\t", 1)
            _mode, kind, sha = meta.decode().split()
            if kind == "blob":
                listing.append((path.decode("utf-8", "replace"), sha))
        wanted = [(p, s) for p, s in listing if s not in missing and wants_text(p)]
        truncated = len(wanted) > self.max_files or bool(missing)
        texts, spent = self._read_blobs([s for _, s in wanted[: self.max_files]], repo)
        truncated = truncated or spent
        files = tuple(
            RepoFile(path, len(texts[sha]) if sha in texts else 0, texts.get(sha))
            for path, sha in listing
        )
        readme = next((f.text for f in files if file_kind(f.path) == "readme" and f.text), "")
        return RepoSnapshot(
            ref, head, self.name, files=files, readme=readme or "", truncated=truncated
        )

    def _read_blobs(self, shas: list[str], repo: Path) -> tuple[dict[str, str], bool]:
        """Blob texts by sha, one at a time from a `git cat-file --batch` process, and whether
        the budget ran out: blobs over max_bytes are skipped, and reading stops once
        max_total_bytes of text are held."""
        if not shas:
            return {}, False
        env = {**os.environ, "GIT_TERMINAL_PROMPT": "0"}
        try:
            proc = subprocess.Popen(
                [self.git, "cat-file", "--batch"],
                cwd=repo,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL,
                env=env,
            )
        except OSError as exc:
            raise RepoError(f"cannot run {self.git}: {exc.strerror}") from exc
        killer = threading.Timer(self.timeout, proc.kill)  # a hung git is killed, never waited on
        killer.start()
        texts: dict[str, str] = {}
        spent = False
        try:
            if proc.stdin is None or proc.stdout is None:
                raise RepoError("git cat-file: no pipes")
            held = 0
            for sha, data in _iter_blobs(proc.stdin, proc.stdout, shas, self.max_bytes):
                if held + len(data) > self.max_total_bytes:
                    logger.info("%s: text budget of %d bytes spent", repo, self.max_total_bytes)
                    spent = True
                    break
                held += len(data)
                texts[sha] = data.decode("utf-8", "replace")
        finally:
            killer.cancel()
            for pipe in (proc.stdin, proc.stdout):
                if pipe is not None:
                    pipe.close()
            proc.kill()
            proc.wait()
        return texts, spent


def _iter_blobs(
    stdin: IO[bytes], stdout: IO[bytes], shas: list[str], max_bytes: int
) -> Iterator[tuple[str, bytes]]:
    """(sha, content) of each blob up to max_bytes, asked for and read one at a time."""
    for sha in shas:
        try:
            stdin.write(sha.encode() + b"\n")
            stdin.flush()
        except OSError as exc:
            raise RepoError(f"git cat-file stopped: {exc}") from exc
        header = stdout.readline().split()
        if not header:
            raise RepoError("git cat-file stopped (timed out or died)")
        if len(header) < 3 or header[1] == b"missing" or not header[2].isdigit():
            continue
        size = int(header[2])
        if size > max_bytes:
            _skip(stdout, size + 1)
            continue
        data = stdout.read(size + 1)
        if len(data) != size + 1:
            raise RepoError("git cat-file stopped mid-blob (timed out or died)")
        yield header[0].decode(), data[:size]


def _skip(stdout: IO[bytes], size: int) -> None:
    """Read and drop size bytes in small pieces."""
    while size > 0:
        piece = stdout.read(min(size, 1 << 16))
        if not piece:
            raise RepoError("git cat-file stopped mid-blob (timed out or died)")
        size -= len(piece)
