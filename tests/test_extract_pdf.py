"""Extraction of generated PDFs: text, sections, links, and every bad-input status."""

from __future__ import annotations

import pytest

from miner.extract.pdf import dehyphenate, extract_pdf
from tests.helpers.pdfs import MakePdf


def test_text_sections_and_links(make_pdf: MakePdf) -> None:
    data = make_pdf(
        pages=[
            "A Paper Title\n\nAbstract\nWe study things.\n\n1 Introduction\nOur code is at github.com/alice/widget.",
            "We implemented the model in PyTorch.\n\nReferences\n[1] A. Paszke. PyTorch. 2019.",
        ],
        links=[(0, "https://github.com/Alice/Widget/tree/main/src")],
    )
    doc = extract_pdf(data)
    assert doc.status == "ok" and doc.page_count == 2
    sections = {(b.page, b.section) for b in doc.blocks}
    assert (1, "front") in sections and (2, "body") in sections and (2, "references") in sections
    urls = {link.url.lower() for link in doc.links}
    assert urls == {"https://github.com/alice/widget"}
    assert "PyTorch" in doc.page_texts()[1]


def test_dehyphenate_joins_split_words() -> None:
    assert dehyphenate("we imple-\nmented it\nin Keras") == "we implemented it in Keras"


def test_bad_inputs_get_statuses(make_pdf: MakePdf) -> None:
    assert extract_pdf(b"").status == "empty"
    assert extract_pdf(b"<html>not a pdf</html>").status == "not_pdf"
    good = make_pdf(pages=["Some text " * 50])
    truncated = extract_pdf(good[: len(good) // 3])
    assert truncated.status in ("corrupt", "ok", "no_text")
    assert extract_pdf(b"%PDF-1.7\n garbage garbage").status == "corrupt"
    enc = extract_pdf(make_pdf(pages=["secret text"], encrypt=True))
    assert enc.status == "encrypted" and "password" in (enc.error or "")


def test_image_only_pages_are_no_text(make_pdf: MakePdf) -> None:
    doc = extract_pdf(make_pdf(pages=["", "", ""]))
    assert doc.status == "no_text" and doc.page_count == 3
    assert "3 pages" in (doc.error or "")


def test_page_cap_is_recorded(make_pdf: MakePdf) -> None:
    doc = extract_pdf(make_pdf(pages=[f"Page {i} " + "text " * 40 for i in range(5)]), max_pages=2)
    assert doc.status == "ok" and doc.truncated and "2 of 5" in (doc.error or "")


def test_time_budget_is_recorded(make_pdf: MakePdf) -> None:
    doc = extract_pdf(make_pdf(pages=["text " * 60] * 4), time_budget=0.0)
    assert doc.truncated and "1 of 4 pages (time budget" in (doc.error or "")


def test_html_saved_as_pdf_is_named(make_pdf: MakePdf) -> None:
    doc = extract_pdf(b"<!DOCTYPE html><html><body>Just a moment...</body></html>")
    assert doc.status == "not_pdf" and "HTML" in (doc.error or "")


def test_encrypted_keeps_page_count(make_pdf: MakePdf) -> None:
    doc = extract_pdf(make_pdf(pages=["a", "b"], encrypt=True))
    assert doc.status == "encrypted" and doc.page_count == 2


def test_blocks_know_page_and_section(make_pdf: MakePdf) -> None:
    doc = extract_pdf(
        make_pdf(
            pages=[
                "Title\n\nAbstract\nText.",
                "Body.\n\nAcknowledgements\nThanks.\n\nReferences\n[1] A. B. Title. 2020.",
                "Appendix A: More\nDetails.",
            ]
        )
    )
    got = [(b.page, b.section) for b in doc.blocks]
    assert got[0] == (1, "front") and (2, "acknowledgements") in got
    assert (2, "references") in got and got[-1] == (3, "appendix")


def test_uri_links_reads_web_links_only_with_their_rects() -> None:
    """Web links come from MuPDF's link list (#7): internal jumps and mail links are left out."""
    import pymupdf

    from miner.extract.pdf import uri_links

    doc = pymupdf.open()
    doc.new_page()
    doc.new_page()
    page = doc[0]
    page.insert_text((72, 100), "Code: github.com/me/proj and section 2")
    web = pymupdf.Rect(100, 90, 200, 104)
    page.insert_link({"kind": pymupdf.LINK_URI, "from": web, "uri": "https://github.com/me/proj"})
    page.insert_link(
        {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(0, 0, 9, 9), "uri": "mailto:a@b.c"}
    )
    page.insert_link(
        {"kind": pymupdf.LINK_GOTO, "from": pymupdf.Rect(210, 90, 260, 104), "page": 1}
    )
    reopened = pymupdf.open(stream=doc.tobytes(), filetype="pdf")
    got = uri_links(reopened[0])
    assert [u for u, _ in got] == ["https://github.com/me/proj"]
    assert got[0][1] == pytest.approx(tuple(web), abs=0.01)
