"""The compiled text walker against PyMuPDF's text dictionary: the same output, page by page (#17).

On the shared corpus and its awkward files when present, else on the bundled sample and
generated PDFs. In CI (CI=true) the walker must have been built (`make test` builds it).
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pymupdf
import pytest

from miner.extract import native, native_build
from miner.extract.layout import dict_lines
from miner.extract.pdf import TEXT_FLAGS, PageWords, extract_pdf, uri_links
from tests.helpers.paths import CORPUS, ROOT

SAMPLE = ROOT / "miner" / "data" / "sample"

needs_walker = pytest.mark.skipif(
    not native.available(),
    reason="native walker not built (python -m miner.extract.native_build); CI requires it",
)


def _pdfs() -> list[Path]:
    found = [p for d in ("pdfs", "awkward") for p in sorted((CORPUS / d).glob("*")) if p.is_file()]
    return found or sorted(SAMPLE.glob("*.pdf"))


def _generated(tmp_path: Path) -> Path:
    """Superscripts, bold, small type, a rotated stamp, ligatures and a margin number."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.insert_text((72, 72), "1 Introduction", fontname="hebo", fontsize=14)
    page.insert_text((72, 100), "We use PyTorch", fontsize=10)
    page.insert_text((146, 96), "1", fontsize=6)
    page.insert_text((150, 100), " and the e\ufb00ect of JAX", fontsize=10)
    page.insert_text((20, 400), "arXiv:2401.00001v1", fontsize=9, rotate=90)
    page.insert_text((10, 300), "12", fontsize=5)
    page.insert_text((72, 700), "1 https://github.com/a/b", fontsize=7)
    path = tmp_path / "generated.pdf"
    doc.save(path)
    return path


def test_walker_is_built_in_ci() -> None:
    """CI builds the walker: a missing one there is a failure, not a skip."""
    if os.environ.get("CI") != "true" and not native.available():
        pytest.skip("not in CI and the native walker is not built")
    assert native.available(), "run `python -m miner.extract.native_build` (make test does)"


def _page_mismatches(path: Path) -> tuple[int, list[int]]:
    """(pages compared, numbers of the pages where the walker and PyMuPDF differ)."""
    pages, bad = 0, []
    try:
        doc = pymupdf.open(path)
    except (pymupdf.FileDataError, RuntimeError, ValueError):
        return 0, []
    with doc:
        if doc.needs_pass and not doc.authenticate(""):
            return 0, []
        for page in doc:
            textpage = page.get_textpage(flags=TEXT_FLAGS)
            info = page.get_text("dict", textpage=textpage)
            words = page.get_text("words", textpage=textpage)
            # anchors under the page's web links and, for more cases, under every text block
            rects = [box for _, box in uri_links(page)]
            rects += [tuple(b["bbox"]) for b in info["blocks"] if b["type"] == 0]
            index = PageWords(words)
            if (
                native.page_lines(textpage) != dict_lines(info)
                or native.word_list(textpage) != [tuple(w) for w in words]
                or native.anchor_texts(textpage, rects) != [index.anchor_text(r) for r in rects]
            ):
                bad.append(page.number)
            pages += 1
    return pages, bad


@needs_walker
def test_walker_equals_pymupdf_on_every_page(tmp_path: Path) -> None:
    """Line summaries == dict_lines(get_text("dict")), words == get_text("words") and link
    anchor texts == PageWords.anchor_text, on every page."""
    files = [*_pdfs(), _generated(tmp_path)]
    with ProcessPoolExecutor(2) as pool:
        results = dict(zip([p.name for p in files], pool.map(_page_mismatches, files), strict=True))
    assert sum(n for n, _ in results.values()) > 0
    assert {name: bad for name, (_, bad) in results.items() if bad} == {}


def _both(path: Path) -> tuple[str, bool]:
    data = path.read_bytes()
    return path.name, extract_pdf(data, native=True) == extract_pdf(data, native=False)


@needs_walker
def test_extract_pdf_is_the_same_on_both_paths(tmp_path: Path) -> None:
    """Every document: blocks, sections, footnotes, title, links and status (#17)."""
    files = [*_pdfs(), _generated(tmp_path)]
    with ProcessPoolExecutor(2) as pool:
        same = dict(pool.map(_both, files))
    assert [name for name, ok in same.items() if not ok] == []


@needs_walker
def test_pages_with_other_blocks_fall_back_to_the_dictionary() -> None:
    """Vector (or structure) blocks: the walker declines the page rather than guess."""
    doc = pymupdf.open()
    page = doc.new_page()
    page.draw_rect(pymupdf.Rect(50, 50, 200, 80), color=(0, 0, 0))
    page.insert_text((60, 70), "boxed text", fontsize=10)
    textpage = page.get_textpage(flags=TEXT_FLAGS | pymupdf.TEXT_COLLECT_VECTORS)
    assert native.page_lines(textpage) is None


def test_env_var_and_parameter_select_the_dictionary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(native.ENV, "0")
    assert not native.wanted()
    assert native.wanted(True) == native.available()
    monkeypatch.delenv(native.ENV)
    assert not native.wanted(False)
    assert native.wanted() == native.available()


def test_build_without_compiler_or_headers_is_one_warning(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def missing(out: Path) -> list[str]:
        raise ValueError("no C compiler (gcc) on PATH")

    monkeypatch.setattr(native_build, "compile_command", missing)
    with caplog.at_level(logging.WARNING, logger=native_build.__name__):
        assert native_build.build() is None
    assert [r.getMessage() for r in caplog.records] == [
        "native text walker not built: no C compiler (gcc) on PATH"
    ]


def test_build_failure_keeps_no_partial_module(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    target = tmp_path / "_stext.so"
    monkeypatch.setattr(native_build, "target", lambda: target)
    monkeypatch.setattr(native_build, "compile_command", lambda out: ["false"])
    with caplog.at_level(logging.WARNING, logger=native_build.__name__):
        assert native_build.build(force=True) is None
    assert not target.exists() and list(tmp_path.iterdir()) == []
    assert len(caplog.records) == 1


def test_build_without_the_source_is_one_warning(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """An install that left a C unit out (package data) falls back instead of raising."""
    assert all(source.is_file() for source in native_build.SOURCES)
    gone = tmp_path / "_stext_words.c"
    sources = tuple(gone if s.name == gone.name else s for s in native_build.SOURCES)
    monkeypatch.setattr(native_build, "SOURCES", sources)
    with caplog.at_level(logging.WARNING, logger=native_build.__name__):
        assert native_build.build(force=True) is None
    assert len(caplog.records) == 1 and "_stext_words.c" in caplog.records[0].getMessage()
