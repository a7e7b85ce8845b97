"""Collect a paper's links from text and annotations and decide which are its own release (pure)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from miner.extract.links import find_urls, is_repo, known_url_keys, normalize_url
from miner.extract.text import join_lines
from miner.records import Link

CONTEXT = 240
"""Characters of text kept on each side of a URL as its context."""

OWN_THRESHOLD = 2.0
NAME_BONUS = 1.0
"""Added when the repository is named like the paper's title."""

# Phrases that present a URL as the paper's own release.
_OWN_CUES: list[tuple[float, re.Pattern[str]]] = [
    (
        3.0,
        re.compile(
            r"\b(code|codes|implementations?|software|"
            r"library|toolkit|tool|package|repository|models?|data|dataset|benchmark|framework|"
            r"system|source|weights|checkpoints)\b[^.]{0,120}?\b(is|are|will be|has been|have been|"
            r"can be|was|were)\s+(?:\w+\s+){0,2}(available|released|open[- ]?sourced|accessible|"
            r"hosted|found|downloaded|obtained|accessed)",
            re.I,
        ),
    ),
    (
        3.0,
        re.compile(
            r"\bwe\s+(?:\w+\s+){0,2}(release|open[- ]?source|publish|make|made|provide|share)\b"
            r"[^.]{0,80}\b(code|implementation|models?|data|available|public|repository|library)",
            re.I,
        ),
    ),
    (
        2.5,
        re.compile(
            r"\b(code|source code|implementation|software|project page|repository|github|repo|"
            r"homepage|models?|weights|data)\s*(?:is|are)?\s*(?:publicly\s+)?"
            r"(?:available|released)?\s*(?:at|on|in|from|via)?\s*[:：]\s*$",
            re.I,
        ),
    ),
    (
        2.0,
        re.compile(
            r"\b(code|implementation|software|repository|library|package|models?)\b"
            r"[^.]{0,60}\b(publicly|freely|open[- ]?source)\b",
            re.I,
        ),
    ),
    (1.0, re.compile(r"\b(available|released|open[- ]?sourced)\s+(at|on|from|via|in)\s*$", re.I)),
    (
        2.0,
        re.compile(
            r"\bwe\s+(implemented|implement|developed|wrote|built|build)\s+(our|the proposed|this)",
            re.I,
        ),
    ),
    (1.0, re.compile(r"\b(our|we)\b", re.I)),
]
# Phrases that present a URL as someone else's work.
_OTHER_CUES = re.compile(
    r"\b(based on|built (?:on|upon)|provided by|released by|implementations? (?:from|by)|"
    r"code (?:from|by)|third[- ]party|official implementation|we thank|thanks to|courtesy|"
    r"we (?:use|used|adopt|adopted|employ|employed|borrow|borrowed) (?:the|their|an?|its)\b)",
    re.I,
)
# A link whose visible text is just "Code", "Repository", "GitHub" ... presents the paper's code.
_ANCHOR_CUE = re.compile(
    r"^\W*(code|source code|our code|repository|repo|github|software|implementation)\W*$", re.I
)
_CLONE = re.compile(r"\bgit clone\s*$", re.I)
_NOTE_START = re.compile(r"^\s*(\d{1,2}|[*†‡§¶∗])\s+\S")


class TextBlock(Protocol):
    """A block as the layout step produced it (page, raw lines, bounding box)."""

    page: int
    lines: list[str]
    bbox: tuple[float, float, float, float]
    footnote: bool
    markers: list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class Annotation:
    """A URI link annotation of a page."""

    page: int
    uri: str
    rect: tuple[float, float, float, float]
    anchor: str = ""
    """The text under the link."""


def _window(text: str, raw: str) -> tuple[str, str]:
    """Text before and after the first occurrence of `raw` (or of its last 12 characters)."""
    for probe in (raw, raw[-12:], raw[:20]):
        pos = text.find(probe) if probe else -1
        if pos >= 0:
            return text[max(0, pos - CONTEXT) : pos], text[pos + len(probe) : pos + len(probe) + 80]
    return text[-CONTEXT:], ""


def cue_score(sentence_before: str, penalty: float = 2.0) -> float:
    """Strength of own-release wording just before a URL (negative for third-party wording)."""
    sentence = re.split(r"(?<=[.!?])\s+(?=[A-Z])", sentence_before)[-1]
    score = max((w for w, p in _OWN_CUES if p.search(sentence)), default=0.0)
    if _CLONE.search(sentence):
        score = max(score, 2.0)
    if _OTHER_CUES.search(sentence):
        score = min(score, 1.0) - penalty if penalty >= 2.0 else score - penalty
    return score


def own_score(
    before: str,
    section: str,
    page: int,
    footnote: bool,
    refs: Sequence[str] = (),
    alone: bool = False,
    placed: bool = True,
) -> float:
    """How strongly a URL is presented as the paper's own release.

    `before` is the text before it, `refs` the sentences whose footnote marker points to it,
    `alone` says the URL stands by itself (a bare footnote or line); `placed` lets a place on
    page 1 (front matter or footnote) count, which it does for code, model and project links.
    """
    if section in ("references", "acknowledgements"):
        return 0.0
    cues = [cue_score(before)]
    if refs:  # the best-fitting sentence carrying the footnote's mark
        cues.append(max(cue_score(r, penalty=1.0) for r in refs))
    score = min(cues) if min(cues) < 0 else max(cues)
    if placed and page == 1 and (section == "front" or footnote):
        score += 1.5 + (0.5 if alone else 0.0)
    return score


def name_match(url: str, title: str) -> bool:
    """The repository is named like the paper (its title contains the repo name)."""
    parts = url.lower().split("/")
    if len(parts) != 5 or not title:
        return False
    name = re.sub(r"[^a-z0-9]", "", parts[4])
    squashed = re.sub(r"[^a-z0-9]", "", title.lower())
    words = set(re.findall(r"[a-z0-9]+", title.lower()))
    return len(name) >= 3 and (name in words or (len(name) >= 5 and name in squashed))


def _intersects(a: tuple[float, ...], b: tuple[float, ...]) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _segments(
    block: TextBlock, marks: dict[tuple[int, str], list[str]], joined: str | None = None
) -> list[tuple[str, list[str]]]:
    """(text, referring sentence) pieces of a block: one per footnote in a footnote block.

    `joined` is `join_lines(block.lines)` when the caller has it already.
    """
    if not block.footnote:
        return [(join_lines(block.lines) if joined is None else joined, [])]
    notes: list[list[str]] = []
    for line in block.lines:
        if _NOTE_START.match(line) or not notes:
            notes.append([])
        notes[-1].append(line)
    out = []
    for note in notes:
        m = _NOTE_START.match(note[0])
        ref = marks.get((block.page, m.group(1)), []) if m else []
        out.append(("\n".join(note), ref))
    return out


WEB_SCHEMES = ("http", "www.", "git://")
"""Link annotations whose URI starts so point to the web (others: pages, mail, files)."""


@dataclass(slots=True)
class _Collector:
    """Links seen so far, keyed by lowercase normalized URL, with their best own-score."""

    title: str
    found: dict[str, Link] = field(default_factory=dict)
    scores: dict[str, float] = field(default_factory=dict)

    def add(
        self,
        raw: str,
        where: tuple[int, str, str, bool],
        text: str,
        refs: Sequence[str] = (),
        anchor: str = "",
    ) -> None:
        """Record one occurrence; `where` is (page, section, origin, in a footnote)."""
        page, section, origin, note = where
        if origin == "annotation" and not raw.lower().startswith(WEB_SCHEMES):
            return
        url, host, kind = normalize_url(raw)
        key = url.lower()
        before, after = _window(join_lines(text.split("\n")), anchor or raw)
        alone = (
            origin == "text"
            and not re.sub(r"^\s*(\d{1,2}|[*†‡§¶∗])?\s*", "", before)
            and len(after.strip()) < 3
        )
        placed = kind in ("code", "framework", "model", "project")
        score = own_score(before, section, page, note, refs, alone, placed)
        if placed and _ANCHOR_CUE.match(anchor) and section != "references":
            score = max(score, 2.5)
        if kind == "code" and section != "references" and name_match(url, self.title):
            long_name = len(re.sub(r"[^a-z0-9]", "", key.rsplit("/", 1)[-1])) >= 8
            score += NAME_BONUS * (2 if long_name else 1)
        context = (before[-160:] + raw + after[:60]).strip()
        if key not in self.found:
            self.found[key] = Link(
                url, kind, host, page, origin, False, section, raw, context, note
            )
            self.scores[key] = score
        elif score > self.scores[key]:
            self.scores[key] = score
            self.found[key] = replace(self.found[key], context=context)

    def links(self) -> list[Link]:
        """The links with `own` decided."""
        return [replace(lk, own=self.scores[k] >= OWN_THRESHOLD) for k, lk in self.found.items()]


def collect_links(
    blocks: Sequence[TextBlock],
    sections: Sequence[str],
    annots: Sequence[Annotation],
    title: str = "",
    texts: Sequence[str] | None = None,
) -> tuple[Link, ...]:
    """Distinct normalized links of a document, each with kind, context and `own`.

    Text URLs and annotation URIs are merged on the normalized URL (compared lowercase); the
    strongest own-score over all occurrences (the text around the URL, the sentence that
    refers to its footnote, page-1 placement, a repo named like the title) decides `own`.
    `texts`, if given, are the blocks' `join_lines(block.lines)` (computed once by the caller).
    """
    by_page: dict[int, list[Annotation]] = {}
    for a in annots:
        by_page.setdefault(a.page, []).append(a)
    keys = {page: known_url_keys([a.uri for a in on]) for page, on in by_page.items()}
    marks: dict[tuple[int, str], list[str]] = {}
    for b in blocks:
        for m, before in b.markers if not b.footnote else ():
            marks.setdefault((b.page, m), []).append(before)
    seen = _Collector(title)
    for i, (block, section) in enumerate(zip(blocks, sections, strict=True)):
        where = (block.page, section, "text", block.footnote)
        for text, ref in _segments(block, marks, None if texts is None else texts[i]):
            for raw in find_urls(text, keys.get(block.page, frozenset())):
                seen.add(raw, where, text, ref)
        page_annots = by_page.get(block.page, [])
        inside = [a for a in page_annots if _intersects(a.rect, block.bbox)]
        for a in inside:
            page_annots.remove(a)
            where = (a.page, section, "annotation", block.footnote)
            seen.add(a.uri, where, "\n".join(block.lines), anchor=a.anchor)
    for a in [a for on in by_page.values() for a in on]:  # not inside any block
        seen.add(a.uri, (a.page, "body", "annotation", False), a.anchor, anchor=a.anchor)
    return tuple(drop_truncated(seen.links()))


def drop_truncated(links: list[Link]) -> list[Link]:
    """Drop a text URL that is a cut-off reading of an annotation URL of the same page."""
    annotated = [lk for lk in links if lk.origin == "annotation"]
    out = []
    for lk in links:
        key = lk.url.lower()
        cut = lk.origin == "text" and any(
            a.page == lk.page
            and a.url.lower().startswith(key)
            and a.url.lower()[len(key) : len(key) + 1] in ("_", "-", ".", "/")
            for a in annotated
        )
        if not cut:
            out.append(lk)
    return out


def official_code(links: Sequence[Link], title: str = "") -> Link | None:
    """The paper's own code repository among the links marked `own`.

    A code repo before a framework's repo; among those, one named like the title; else the first.
    """
    own = [lk for lk in links if lk.own and is_repo(lk.url) and lk.kind in ("code", "framework")]
    own.sort(key=lambda lk: (lk.kind != "code", not name_match(lk.url, title)))
    return own[0] if own else None
