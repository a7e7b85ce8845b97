"""Browse (issue #6): `miner serve` starts Datasette on 127.0.0.1 and its canned queries answer
with the tally's numbers and lead to the evidence sentences."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.helpers.cli import Miner


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_metadata_describes_tables_and_queries(demo_db: Path, tmp_path: Path) -> None:
    out = Miner(demo_db, tmp_path / "data")("serve", "--metadata", "--port", "9999").stdout
    meta = json.loads(out)
    db = meta["databases"]["demo"]
    assert {"papers", "predictions", "evidence"} <= set(db["tables"])
    assert set(db["queries"]) == {"tally_by_venue_year", "papers_using", "paper_evidence"}
    assert "http://127.0.0.1:9999/demo/papers_using?" in db["queries"]["tally_by_venue_year"]["sql"]


def test_serve_answers_canned_queries(demo_db: Path, tmp_path: Path) -> None:
    pytest.importorskip("datasette")
    port = free_port()
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    cmd = [sys.executable, "-m", "miner", "--db", str(demo_db), "--data-dir", str(tmp_path)]
    proc = subprocess.Popen(
        [*cmd, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/demo"
    try:
        with httpx.Client(timeout=5, trust_env=False) as client:
            for _ in range(150):  # wait for startup (poll, no timing assertion)
                try:
                    rows = client.get(f"{base}/tally_by_venue_year.json?_shape=array").json()
                    break
                except httpx.TransportError:
                    if proc.poll() is not None:
                        pytest.fail(f"miner serve exited with {proc.returncode}")
                    time.sleep(0.2)
            else:
                pytest.fail("datasette did not start")
            tally = Miner(demo_db, tmp_path / "d").json("tally", "--by", "venue,year")
            expected = {
                (r["venue"], r["year"], r["framework"]): (r["uses"], r["classified"]) for r in tally
            }
            got = {
                (r["venue"], r["year"], r["framework"]): (r["uses"], r["classified"]) for r in rows
            }
            assert got == expected
            first = next(r for r in rows if r["papers_link"])
            assert all(r["papers_link"] is None for r in rows if r["framework"].startswith("("))
            papers = client.get(
                first["papers_link"].replace("papers_using?", "papers_using.json?_shape=array&")
            ).json()
            assert len(papers) == first["uses"]
            evidence = client.get(
                papers[0]["evidence"].replace(
                    "paper_evidence?", "paper_evidence.json?_shape=array&"
                )
            ).json()
            assert any(
                e["label"] == "uses" and e["framework"] == first["framework"] for e in evidence
            )
            assert json.dumps(evidence)  # plain JSON rows with snippets
            assert all(e["snippet"] for e in evidence)
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)


def test_links_use_an_address_a_browser_can_open(demo_db: Path, tmp_path: Path) -> None:
    """With --host 0.0.0.0 the links between queries went to http://0.0.0.0:PORT; they now
    name localhost, or --base-url (a proxy's address); a base URL without a scheme is refused."""
    m = Miner(demo_db, tmp_path / "data")

    def tally_sql(*args: str) -> str:
        meta = json.loads(m("serve", "--metadata", *args).stdout)
        return str(meta["databases"]["demo"]["queries"]["tally_by_venue_year"]["sql"])

    assert "'http://localhost:8001/demo/papers_using?" in tally_sql("--host", "0.0.0.0")
    proxied = tally_sql("--host", "0.0.0.0", "--base-url", "https://miner.example.org/")
    assert "'https://miner.example.org/demo/papers_using?" in proxied
    bad = m("serve", "--metadata", "--base-url", "miner.example.org", ok=False)
    assert bad.exit_code == 2 and "must start with http://" in bad.stderr
