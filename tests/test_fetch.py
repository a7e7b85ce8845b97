"""PDF download: checks (type, magic, size, completeness), the content-addressed cache with
atomic writes, and a fetch interrupted half-way that resumes with no duplicates."""

from __future__ import annotations

import hashlib
import socket
import threading
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from db import make_engine
from db.schema import Paper, PdfDocument
from db.store import upsert_papers
from miner.download import cache_path, clean_partials, fetch_pdf, store_pdf
from miner.errors import FetchError
from miner.http import Fetcher, RateLimiter, Retry, make_client
from miner.records import PaperRecord
from miner.stages.fetch import run_fetch
from tests.helpers.pdfs import MakePdf


def quick(base_url: str | None = None, max_retries: int = 0) -> Fetcher:
    return Fetcher(
        make_client(timeout=5),
        limiter=RateLimiter(delay=0, sleep=lambda s: None),
        retry=Retry(max_retries=max_retries, rand=lambda: 0.0),
        base_url=base_url,
    )


def test_fetch_pdf_into_the_cache(
    httpserver: HTTPServer, make_pdf: MakePdf, tmp_path: Path
) -> None:
    pdf = make_pdf(pages=["We use PyTorch."])
    httpserver.expect_request("/a.pdf").respond_with_data(pdf, content_type="application/pdf")
    got = fetch_pdf(quick(), httpserver.url_for("/a.pdf"), tmp_path)
    sha = hashlib.sha256(pdf).hexdigest()
    assert got.sha256 == sha and got.size == len(pdf)
    assert Path(got.path) == tmp_path / "pdfs" / sha[:2] / f"{sha}.pdf"
    assert Path(got.path).read_bytes() == pdf
    assert list((tmp_path / "pdfs").rglob("*.tmp")) == []


@pytest.mark.parametrize(
    ("body", "ctype", "message"),
    [
        (b"<html>Access denied</html>", "text/html", "Content-Type text/html"),
        (b"<html>Access denied</html>", "application/pdf", "does not start with %PDF-"),
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "application/pdf", "no %%EOF"),
    ],
)
def test_bad_bodies_are_refused(
    httpserver: HTTPServer, tmp_path: Path, body: bytes, ctype: str, message: str
) -> None:
    httpserver.expect_request("/x.pdf").respond_with_data(body, content_type=ctype)
    with pytest.raises(FetchError, match=message):
        fetch_pdf(quick(), httpserver.url_for("/x.pdf"), tmp_path)
    assert not (tmp_path / "pdfs").exists() or list((tmp_path / "pdfs").rglob("*")) == []


def test_size_cap(httpserver: HTTPServer, make_pdf: MakePdf, tmp_path: Path) -> None:
    pdf = make_pdf(pages=["x" * 2000])
    httpserver.expect_request("/big.pdf").respond_with_data(pdf, content_type="application/pdf")
    with pytest.raises(FetchError, match="too large"):
        fetch_pdf(quick(), httpserver.url_for("/big.pdf"), tmp_path, max_bytes=100)


def test_truncated_body_against_content_length(make_pdf: MakePdf, tmp_path: Path) -> None:
    """A server that promises more bytes than it sends, then closes the connection."""
    pdf = make_pdf(pages=["complete"])
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(1)
    port = sock.getsockname()[1]

    def serve() -> None:
        conn, _ = sock.accept()
        conn.recv(65536)
        head = f"HTTP/1.1 200 OK\r\nContent-Type: application/pdf\r\nContent-Length: {len(pdf)}\r\n\r\n"
        conn.sendall(head.encode() + pdf[: len(pdf) // 2])
        conn.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        with pytest.raises(FetchError, match="incomplete|truncated") as err:
            fetch_pdf(quick(), f"http://127.0.0.1:{port}/t.pdf", tmp_path)
        assert err.value.retry
    finally:
        thread.join(5)
        sock.close()
    assert not (tmp_path / "pdfs").exists()


def test_store_is_idempotent_and_names_come_from_the_hash(tmp_path: Path) -> None:
    data = b"%PDF-1.4\n%%EOF\n"
    a = store_pdf(tmp_path, data)
    b = store_pdf(tmp_path, data)
    assert a == b and len(list((tmp_path / "pdfs").rglob("*.pdf"))) == 1
    with pytest.raises(ValueError):
        cache_path(tmp_path, "../../etc/passwd")


def papers(engine: object, base: str, n: int) -> None:
    with Session(engine) as s:  # type: ignore[call-overload]
        upsert_papers(
            s,
            [
                PaperRecord(
                    source="test", source_id=str(i), pdf_url=f"https://papers.example.org/{i}.pdf"
                )
                for i in range(n)
            ],
        )
        s.commit()


def test_interrupted_fetch_resumes(
    httpserver: HTTPServer, make_pdf: MakePdf, tmp_path: Path
) -> None:
    engine = make_engine(str(tmp_path / "t.db"))
    papers(engine, httpserver.url_for("/"), 5)
    pdfs = {i: make_pdf(pages=[f"paper {i}"]) for i in range(5)}
    for i, data in pdfs.items():
        httpserver.expect_request(f"/{i}.pdf").respond_with_data(
            data, content_type="application/pdf"
        )
    fetcher = quick(base_url=httpserver.url_for("/").rstrip("/"))
    data_dir = tmp_path / "data"

    done = []

    def interrupt(n: int) -> None:
        done.append(n)
        if len(done) == 2:
            raise KeyboardInterrupt  # Ctrl-C (or a kill) after two PDFs were committed

    with pytest.raises(KeyboardInterrupt):
        run_fetch(engine, fetcher, data_dir, workers=1, progress=interrupt)
    # A download killed while writing leaves only a temp file, never a final name.
    stale = data_dir / "pdfs" / "ab" / ".part-killed.tmp"
    stale.parent.mkdir(parents=True, exist_ok=True)
    stale.write_bytes(b"%PDF-half")
    with Session(engine) as s:
        assert s.scalars(select(Paper.fetch_status).order_by(Paper.id)).all() == [
            "ok",
            "ok",
            "pending",
            "pending",
            "pending",
        ]

    report = run_fetch(engine, fetcher, data_dir, workers=2)
    assert report.counts == {"ok": 3}
    assert not stale.exists()
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(Paper)) == 5
        assert set(s.scalars(select(Paper.fetch_status))) == {"ok"}
        assert s.scalar(select(func.count()).select_from(PdfDocument)) == 5
        for paper in s.scalars(select(Paper)):
            path = cache_path(data_dir, paper.pdf_sha256 or "")
            assert path.read_bytes() == pdfs[int(paper.source_id)]
    assert run_fetch(engine, fetcher, data_dir).counts == {}  # nothing left to do


def test_failures_are_recorded_and_retried_on_request(
    httpserver: HTTPServer, make_pdf: MakePdf, tmp_path: Path
) -> None:
    engine = make_engine(str(tmp_path / "t.db"))
    papers(engine, "", 2)
    httpserver.expect_request("/0.pdf").respond_with_data(
        make_pdf(), content_type="application/pdf"
    )
    httpserver.expect_oneshot_request("/1.pdf").respond_with_data(
        "<html>", content_type="text/html"
    )
    fetcher = quick(base_url=httpserver.url_for("/").rstrip("/"))
    assert run_fetch(engine, fetcher, tmp_path).counts == {"ok": 1, "failed": 1}
    with Session(engine) as s:
        failed = s.scalar(select(Paper).where(Paper.fetch_status == "failed"))
        assert failed is not None and "not a PDF" in (failed.fetch_error or "")
    assert run_fetch(engine, fetcher, tmp_path).counts == {}
    httpserver.expect_request("/1.pdf").respond_with_data(
        make_pdf(pages=["b"]), content_type="application/pdf"
    )
    assert run_fetch(engine, fetcher, tmp_path, retry_failed=True).counts == {"ok": 1}


def test_clean_partials_only_touches_temp_files(tmp_path: Path) -> None:
    keep = store_pdf(tmp_path, b"%PDF-1.4\n%%EOF\n")
    (Path(keep.path).parent / ".part-x.tmp").write_bytes(b"half")
    assert clean_partials(tmp_path) == 1 and Path(keep.path).is_file()


def test_truncated_body_is_retried(
    httpserver: HTTPServer, make_pdf: MakePdf, tmp_path: Path
) -> None:
    pdf = make_pdf(pages=["whole"])
    httpserver.expect_oneshot_request("/r.pdf").respond_with_data(
        pdf[:-200], content_type="application/pdf"
    )
    httpserver.expect_request("/r.pdf").respond_with_data(pdf, content_type="application/pdf")
    got = fetch_pdf(quick(max_retries=1), httpserver.url_for("/r.pdf"), tmp_path)
    assert Path(got.path).read_bytes() == pdf
