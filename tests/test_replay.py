"""`python -m miner.replay` (issue 16): README's crawl, fetch and run examples run offline against
it, in README's order, and print what README shows."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from miner.replay import make_server
from tests.helpers.paths import ROOT
from tests.helpers.readme import examples, normalize, run

REPLAY = "http://127.0.0.1:8765"


@pytest.fixture
def replay() -> Iterator[int]:
    server = make_server(0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
        server.server_close()


def replay_examples() -> list[tuple[str, str]]:
    """(command, output) of every README example that talks to the replay, in README order."""
    blocks = re.findall(r"^```sh\n(.*?)^```$", (ROOT / "README.md").read_text(), re.S | re.M)
    return [
        (e.command, e.expected) for block in blocks for e in examples(block) if REPLAY in e.command
    ]


def test_readme_replay_examples(
    replay: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = replay_examples()
    verbs = [next(w for w in ("crawl", "fetch", "run") if f" {w} " in c) for c, _ in found]
    assert verbs == ["crawl", "fetch", "run"]
    monkeypatch.chdir(tmp_path)
    for command, expected in found:
        got = run(command.replace(REPLAY, f"http://127.0.0.1:{replay}"))
        # Summaries come on stderr, tables on stdout: compare the lines, not their interleaving.
        assert sorted(got.splitlines()) == sorted(normalize(expected).splitlines()), command
    again = run(found[-1][0].replace(REPLAY, f"http://127.0.0.1:{replay}"))
    assert "crawl neurips year=2019: new 0, pages_stored 1" in again  # replayed from the DB
    assert "fetch: nothing to do" in again


def test_replay_serves_only_what_it_recorded(replay: int) -> None:
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{replay}", trust_env=False) as client:
        assert client.get("/paper_files/paper/2019").status_code == 200
        assert client.get("/paper_files/paper/2020").status_code == 404
        assert client.get(f"/paper_files/paper/2019/file/{'0' * 32}-Paper.pdf").status_code == 404
