"""Layout on generated PDFs: two columns, footnotes with markers, own links (issue 3)."""

from __future__ import annotations

import pymupdf

from miner.extract.own import official_code
from miner.extract.pdf import extract_pdf


def _two_column_pdf() -> bytes:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_textbox(pymupdf.Rect(72, 40, 540, 90), "A Wide Title", fontsize=18)
    left = "1 Introduction\nLeft column starts here and we imple-\nmented the whole method."
    right = "Right column continues the text after the left column ends."
    page.insert_textbox(pymupdf.Rect(72, 100, 296, 400), left, fontsize=10)
    page.insert_textbox(pymupdf.Rect(316, 100, 540, 400), right, fontsize=10)
    # A footnote: small type at the foot of the page, its marker set in the body above.
    page.insert_text((72, 420), "Our code is available", fontsize=10)
    page.insert_text((170, 416), "1", fontsize=6)
    page.insert_text((72, 740), "1 https://github.com/alice/widget", fontsize=7)
    page.insert_text((72, 752), "2 https://github.com/bob/other-tool", fontsize=7)
    data = doc.tobytes()
    doc.close()
    return data


def test_two_columns_are_read_left_then_right() -> None:
    doc = extract_pdf(_two_column_pdf())
    text = " ".join(b.text for b in doc.blocks)
    assert text.index("Left column") < text.index("Right column")
    assert "implemented the whole method" in text
    assert doc.title == "A Wide Title"


def test_footnotes_are_kept_on_their_page_and_links_typed() -> None:
    doc = extract_pdf(_two_column_pdf())
    notes = [b for b in doc.blocks if b.footnote]
    assert notes and all(b.page == 1 for b in notes)
    assert any("github.com/alice/widget" in b.text for b in notes)
    links = {lk.url: lk for lk in doc.links}
    widget = links["https://github.com/alice/widget"]
    assert widget.footnote and widget.kind == "code" and widget.page == 1
    assert widget.own  # a page-1 footnote pointed to by "Our code is available"
    official = official_code(doc.links)
    assert official is not None and official.url == "https://github.com/alice/widget"


def test_link_annotation_and_broken_text_url_merge(make_pdf) -> None:  # type: ignore[no-untyped-def]
    data = make_pdf(
        pages=[
            "Intro text.\nThe code and models are available at https://github.com/\nAlice/Widget."
        ],
        links=[(0, "https://github.com/Alice/Widget/tree/main")],
    )
    doc = extract_pdf(data)
    assert [lk.url for lk in doc.links] == ["https://github.com/Alice/Widget"]
    assert doc.links[0].own and "available at" in doc.links[0].context


def test_third_party_links_are_not_own(make_pdf) -> None:  # type: ignore[no-untyped-def]
    data = make_pdf(
        pages=[
            "Title\n\n1 Introduction\nWe train with PyTorch.",
            "We use the implementation of Smith et al. at https://github.com/smith/tool for the "
            "baseline.\n\nReferences\n[1] T. Wolf. Transformers. https://github.com/huggingface/transformers",
        ]
    )
    doc = extract_pdf(data)
    assert {lk.url: lk.own for lk in doc.links} == {
        "https://github.com/smith/tool": False,
        "https://github.com/huggingface/transformers": False,
    }
    assert {lk.section for lk in doc.links} == {"body", "references"}
    assert official_code(doc.links) is None


def test_official_code_prefers_the_repo_named_like_the_title() -> None:
    from miner.records import Link

    links = [
        Link("https://github.com/x/port", "code", "github.com", 1, "text", own=True),
        Link("https://github.com/lab/SegThing", "code", "github.com", 1, "text", own=True),
        Link("https://github.com/pytorch/pytorch", "framework", "github.com", 1, "text", own=True),
    ]
    assert official_code(links, "SegThing: Better Segmentation").url.endswith("/SegThing")  # type: ignore[union-attr]
    assert official_code(links).url.endswith("/port")  # type: ignore[union-attr]


def test_margin_line_numbers_are_not_footnotes() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_textbox(pymupdf.Rect(72, 60, 540, 500), "Body text. " * 200, fontsize=10)
    for i, y in enumerate(range(520, 780, 12)):
        page.insert_text((20, y), f"{i + 40:03d}", fontsize=6)
    data = doc.tobytes()
    doc.close()
    assert not [b for b in extract_pdf(data).blocks if b.footnote]


def test_link_under_the_word_repository_is_own() -> None:
    doc = pymupdf.open()
    page = doc.new_page(width=612, height=792)
    page.insert_textbox(pymupdf.Rect(200, 60, 540, 600), "A software paper. " * 60, fontsize=10)
    page.insert_text((52, 300), "Review", fontsize=9)
    page.insert_text((52, 330), "Repository", fontsize=9)
    for y, uri in (
        (300, "https://github.com/journal/reviews/issues/1"),
        (330, "https://github.com/me/tool"),
    ):
        page.insert_link(
            {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, y - 9, 110, y + 2), "uri": uri}
        )
    data = doc.tobytes()
    doc.close()
    own = {lk.url: lk.own for lk in extract_pdf(data).links}
    assert own == {"https://github.com/journal/reviews": False, "https://github.com/me/tool": True}


def test_margin_line_numbers_stay_out_of_titles_and_text() -> None:
    """Issue 16: review drafts (JOSS) number every line in a tiny font in the margin; those
    numbers were read into titles ("state 1 space modeling with JAX 2") and sentences."""
    import pymupdf

    from miner.extract.pdf import extract_pdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    lines = ["Dynamax: A Python package for probabilistic state", "space modeling with JAX"]
    for i, text in enumerate(lines):
        page.insert_text((150, 130 + 22 * i), str(i + 1), fontsize=5)
        page.insert_text((167, 131 + 22 * i), text, fontsize=17)
    body = "We implement the models in JAX and release the code openly for everyone to use."
    for i in range(30):
        page.insert_text((150, 250 + 14 * i), str(i + 3), fontsize=5)
        page.insert_text((167, 251 + 14 * i), body, fontsize=10)
    got = extract_pdf(doc.tobytes())
    assert got.title == "Dynamax: A Python package for probabilistic state space modeling with JAX"
    text = " ".join(b.text for b in got.blocks)
    assert "JAX 2" not in text and " 17 " not in text and "everyone to use. We implement" in text


def test_authors_in_the_titles_size_stay_out_of_the_title() -> None:
    """Issue 16: ICASSP-style pages set the authors in the title's size, in roman under a bold
    title; the title took the author list and affiliations along."""
    import pymupdf

    from miner.extract.pdf import extract_pdf

    doc = pymupdf.open()
    page = doc.new_page(width=595, height=842)
    page.insert_text(
        (120, 100), "ADADELTA: AN ADAPTIVE LEARNING RATE METHOD", fontsize=12, fontname="tibo"
    )
    page.insert_text((230, 130), "Matthew D. Zeiler", fontsize=12, fontname="tiro")
    page.insert_text((200, 146), "New York University, USA", fontsize=12, fontname="tiro")
    for i in range(20):
        page.insert_text(
            (72, 200 + 14 * i),
            "We present a novel per-dimension learning rate method.",
            fontsize=10,
        )
    assert extract_pdf(doc.tobytes()).title == "ADADELTA: AN ADAPTIVE LEARNING RATE METHOD"
