"""The whole pipeline against a hostile site (#18): a listing whose PDF links redirect to
file:, stack gzip layers, drip, serve a text bomb, a zip bomb, a broken page tree and a login
page, beside good papers. Each stage runs as a subprocess, measured: bounded peak memory of the
process tree, bounded time, every paper in a final state with a reason, the good papers all
extracted and classified, and a second pass with nothing left to do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tests.helpers.dbcheck import spawn
from tests.helpers.hostile import self_referencing_pages, text_bomb, zip_bomb
from tests.helpers.hostile_server import HostileServer, drip, redirect, respond, stacked_gzip
from tests.helpers.pdfs import build_pdf
from tests.helpers.peak import run_measured

pytestmark = pytest.mark.slow

MAX_TREE_MB = 1024
"""Peak RSS of a stage's whole process tree (parent, fork server, workers)."""
MAX_SECONDS = 180
"""Per stage; a hang guard far above the ~10-30 s a stage takes here."""
GOOD = [
    "We implement our model in PyTorch and train it on one GPU.",
    "Our implementation uses TensorFlow 2.4; code at https://github.com/../x.",
    "All experiments were implemented in JAX.",
    "We use PyTorch for training and inference.",
]
FINAL_FETCH = {"ok", "failed"}
FINAL_EXTRACT = {
    "ok",
    "no_text",
    "encrypted",
    "corrupt",
    "empty",
    "not_pdf",
    "too_large",
    "timeout",
    "failed",
}


def listing(hashes: list[str]) -> bytes:
    items = "".join(
        f'<li class="none"><a title="paper title" href="/paper_files/paper/2019/hash/{h}'
        f'-Abstract.html">Paper {i}</a> <i>Ann, Bob</i></li>'
        for i, h in enumerate(hashes)
    )
    return f"<html><body><ul>{items}</ul></body></html>".encode()


def hostile_site() -> tuple[dict[str, object], list[str]]:
    """Routes of the site and the names of its papers, in listing order."""
    bodies: dict[str, object] = {
        "to-file": redirect("file:///etc/passwd"),
        "gzip-gzip": respond(
            stacked_gzip(1024), "application/pdf", {"Content-Encoding": "gzip, gzip"}
        ),
        "drip": drip,
        "text-bomb": respond(text_bomb(256)),
        "zip-bomb": respond(zip_bomb(1024)),
        "page-cycle": respond(self_referencing_pages()),
        "login": respond(b"<html><body>Please log in</body></html>", "text/html"),
    }
    for i, text in enumerate(GOOD):
        bodies[f"good{i}"] = respond(build_pdf(pages=[f"Paper {i}\n\nAbstract\n{text} " * 3]))
    names = list(bodies)
    hashes = [f"{i:032x}" for i in range(len(names))]
    routes = {
        f"/paper_files/paper/2019/file/{h}-Paper.pdf": bodies[n]
        for h, n in zip(hashes, names, strict=True)
    }
    routes["/paper_files/paper/2019"] = respond(listing(hashes), "text/html; charset=utf-8")
    return routes, names


def stage(db: Path, data: Path, *args: str) -> str:
    code, peak_mb, seconds, err = run_measured(spawn(db, *args, data_dir=data), MAX_SECONDS)
    print(f"{args[0]}: peak {peak_mb:.0f} MB, {seconds:.1f} s")
    assert code == 0, err
    assert "Traceback" not in err
    assert peak_mb < MAX_TREE_MB, (args[0], peak_mb)
    assert seconds < MAX_SECONDS
    return err


def test_hostile_site_end_to_end(tmp_path: Path) -> None:
    routes, names = hostile_site()
    db, data = tmp_path / "h.db", tmp_path / "data"
    net = ["--delay", "0", "--max-retries", "0", "--deadline", "3"]
    with HostileServer(routes) as srv:  # type: ignore[arg-type]
        stage(db, data, "crawl", "neurips", "--year", "2019", "--base-url", srv.base, *net)
        stage(db, data, "fetch", "--workers", "2", "--max-mb", "20", "--base-url", srv.base, *net)
        limits = ["--max-memory-mb", "600", "--doc-timeout", "30"]
        stage(db, data, "extract", "--workers", "2", *limits)
        stage(db, data, "classify", "--workers", "1")
        with sqlite3.connect(db) as conn:
            rows = conn.execute(
                "SELECT p.title, p.fetch_status, p.fetch_error, e.status, e.error, "
                " (SELECT COUNT(*) FROM predictions r WHERE r.paper_id = p.id) "
                "FROM papers p LEFT JOIN extractions e ON e.paper_id = p.id ORDER BY p.id"
            ).fetchall()
        assert len(rows) == len(names)
        by_name = dict(zip(names, rows, strict=True))
        for name, (_, fetch, fetch_error, status, error, predictions) in by_name.items():
            assert fetch in FINAL_FETCH, name
            if fetch == "failed":
                assert fetch_error and "\n" not in fetch_error, name
                continue
            assert status in FINAL_EXTRACT, (name, status)
            if status != "ok":
                assert error, name
            if name.startswith("good"):
                assert status == "ok" and predictions > 0, (name, status)
        for name in ("to-file", "gzip-gzip", "drip", "login"):
            assert by_name[name][1] == "failed", (name, by_name[name])
        assert by_name["text-bomb"][3] in ("too_large", "timeout")
        assert by_name["page-cycle"][3] == "corrupt"
        with sqlite3.connect(db) as conn:
            runs = conn.execute("SELECT command, status FROM runs ORDER BY id").fetchall()
        assert [s for _, s in runs] == ["done"] * 4, runs
        # a second pass finds nothing left to do: no stage starts a run
        stage(db, data, "fetch", "--base-url", srv.base, *net)
        stage(db, data, "extract", "--workers", "1", *limits)
        stage(db, data, "classify", "--workers", "1")
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT command, status FROM runs ORDER BY id").fetchall() == runs
