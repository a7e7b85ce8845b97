"""`python -m miner.replay` (issue 16): the README's worked `miner run` example runs against it
offline and prints what README shows."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from miner.replay import make_server
from tests.helpers.paths import ROOT
from tests.helpers.readme import normalize, run


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


def test_readme_run_example_against_the_replay(
    replay: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    section = (ROOT / "README.md").read_text().split("### miner run", 1)[1]
    block = section.split("```sh\n", 1)[1].split("```", 1)[0]
    command, expected = block.split("\n", 1)
    command = command.removeprefix("$ ").replace(":8765", f":{replay}")
    monkeypatch.chdir(tmp_path)
    got = run(command)
    # Summary lines come on stderr and the table on stdout: compare them as sets of lines.
    assert sorted(normalize(got).splitlines()) == sorted(normalize(expected).splitlines())
    again = run(command)  # resumable: the second run finds nothing new
    assert "crawl neurips year=2019: new 0, pages_stored 1" in again  # replayed from the DB
    assert "fetch: nothing to do" in again


def test_replay_serves_only_what_it_recorded(replay: int) -> None:
    import httpx

    with httpx.Client(base_url=f"http://127.0.0.1:{replay}", trust_env=False) as client:
        assert client.get("/paper_files/paper/2019").status_code == 200
        assert client.get("/paper_files/paper/2020").status_code == 404
        assert client.get(f"/paper_files/paper/2019/file/{'0' * 32}-Paper.pdf").status_code == 404
