"""HTML listing pages parsed without a silent depth limit, and a check that none was lost (pure).

libxml2 stops building the tree after 256 unclosed elements and drops the rest of the page
without an error (NeurIPS 2019: 700 of 1428 papers kept, #18). `parse_html` raises the limit
(huge_tree); `check_complete` compares the papers parsed with the page's raw markers, so what
is still lost (deeper nesting, broken markup) is a ParseError, never a short crawl.
"""

from __future__ import annotations

from lxml import html as lxml_html

from miner.errors import ParseError


def parse_html(body: bytes) -> lxml_html.HtmlElement:
    """The page's tree, parsed with libxml2's huge_tree option (depth limit 2048, not 256)."""
    return lxml_html.fromstring(body, parser=lxml_html.HTMLParser(huge_tree=True))


def check_complete(source: str, ident: str, body: bytes, marker: bytes, parsed: int) -> None:
    """Raise ParseError when fewer elements were parsed than `marker` occurs in the raw page."""
    expected = body.count(marker)
    if parsed < expected:
        raise ParseError(
            source,
            ident,
            f"only {parsed} of {expected} papers parsed (HTML nested too deep or malformed)",
        )
