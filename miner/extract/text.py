"""Clean extracted text: ligatures, de-hyphenation, joining lines into running text (pure)."""

from __future__ import annotations

import re

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


def join_lines(lines: list[str]) -> str:
    """Join a block's lines into running text.

    A word hyphenated at a line end is re-joined ("imple-" + "mented"), a compound keeps its
    hyphen ("state-of-" + "the-art"), a URL cut at a line end is re-joined without a space.
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        tail = out.rsplit(" ", 1)[-1]
        head = line.split(" ", 1)[0]
        if _URL_RE.search(tail) and _continues(tail, head):
            out += line
        elif re.search(r"(?<=[a-z])-$", out) and head[:1].islower():
            keep = "-" in tail[:-1]  # "state-of-" + "the-art"
            out = (out if keep else out[:-1]) + line
        else:
            out += " " + line
    return out


def dehyphenate(text: str) -> str:
    """Join newline-separated lines into running text (see join_lines)."""
    return join_lines(text.split("\n"))
