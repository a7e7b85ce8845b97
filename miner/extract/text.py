"""Clean extracted text: ligatures, de-hyphenation, joining lines into running text (pure)."""

from __future__ import annotations

from miner.extract.links import _URL_RE, _continues

_LIGATURES = str.maketrans(
    {
        "\ufb00": "ff",
        "\ufb01": "fi",
        "\ufb02": "fl",
        "\ufb03": "ffi",
        "\ufb04": "ffl",
        "\ufb05": "st",
        "\ufb06": "st",
        "\u00ad": "",  # soft hyphen
        "\u00a0": " ",
        "\u2010": "-",
        "\u2011": "-",
        "\u200b": "",
    }
)


def clean(text: str) -> str:
    """Replace ligatures and odd spaces/hyphens with plain characters."""
    return text.translate(_LIGATURES)


MAX_TOKEN = 2000
"""Characters of the last token join_lines looks at (longer than any URL worth re-joining)."""


def join_lines(lines: list[str]) -> str:
    """Join a block's lines into running text.

    A word hyphenated at a line end is re-joined ("imple-" + "mented"), a compound keeps its
    hyphen ("state-of-" + "the-art"), a URL cut at a line end is re-joined without a space.
    """
    parts: list[str] = []
    tail = ""  # the last space-separated token of the text so far
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if parts:
            head = line.split(" ", 1)[0]
            # every _URL_RE match holds "/" ("://", "github.com/...") or "www.": test that first
            maybe_url = "/" in tail or "www." in tail.lower()
            if maybe_url and _URL_RE.search(tail) and _continues(tail, head):
                tail += head  # the URL goes on
            elif tail[-1:] == "-" and "a" <= tail[-2:-1] <= "z" and head[:1].islower():
                if "-" not in tail[:-1]:  # "imple-" + "mented"; "state-of-" + "the-art" keeps it
                    parts[-1] = parts[-1][:-1]
                tail = tail[:-1] + head if "-" not in tail[:-1] else tail + head
            else:
                parts.append(" ")
                tail = head
        parts.append(line)
        if " " in line:
            tail = line.rsplit(" ", 1)[-1]
        elif len(parts) == 1:
            tail = line
        tail = tail[-MAX_TOKEN:]  # a token thousands of lines long must not make this quadratic
    return "".join(parts)


def dehyphenate(text: str) -> str:
    """Join newline-separated lines into running text (see join_lines)."""
    return join_lines(text.split("\n"))
