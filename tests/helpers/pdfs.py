"""PDFs built in memory with PyMuPDF."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import pymupdf

MakePdf = Callable[..., bytes]


def build_pdf(
    pages: Sequence[str] = ("Hello world.",),
    links: Sequence[tuple[int, str]] = (),
    encrypt: bool = False,
) -> bytes:
    """A real PDF made with PyMuPDF: one text page per string, URI links as (page_index, uri)."""
    doc = pymupdf.open()
    for text in pages:
        page = doc.new_page(width=595, height=842)
        page.insert_textbox(pymupdf.Rect(50, 50, 545, 800), text, fontsize=10)
    for index, uri in links:
        doc[index].insert_link(
            {"kind": pymupdf.LINK_URI, "from": pymupdf.Rect(50, 780, 300, 795), "uri": uri}
        )
    if encrypt:
        data = doc.tobytes(
            encryption=pymupdf.PDF_ENCRYPT_AES_256, user_pw="secret", owner_pw="owner"
        )
    else:
        data = doc.tobytes()
    doc.close()
    return data
