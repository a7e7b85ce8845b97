"""Framework hits in a document with their context cues (pure).

`iter_hits` walks the sentences of an ExtractedDoc and yields one Hit per vocabulary term found,
with the section, a finer `region` (related work / background detected from headings), and the
cue flags the rules and the model use (classifiers/sentences.py turns them into model features).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field

from classifiers.labels import ANCHORS, Vocabulary, compile_terms, find_terms, normalize_text
from miner.records import Block, ExtractedDoc

_SENT_SPLIT = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z(\[\d])|(?<=[a-z0-9][a-z0-9][.!?])(?=[A-Z][a-z])|\n\s*\n"
)
_HEADING = re.compile(
    r"^\s*(?:\d{1,2}(?:\.\d{1,2})*\.?|[IVX]{1,4}\.|[A-H]\.?)?\s*([A-Z][^\n]{2,60})$"
)
_RELATED = re.compile(
    r"^(?:related\s+work|related\s+literature|prior\s+work|previous\s+work|background"
    r"(?:\s+and\s+related\s+work)?|literature\s+review|related\s+systems)\b",
    re.I,
)
_URL = re.compile(r"(?:https?://|www\.|github\.com/|gitlab\.com/)\S+", re.I)

# Cue patterns, checked in a window around the hit (WINDOW chars each side, within its sentence).
WINDOW = 90
CUES: dict[str, re.Pattern[str]] = {
    name: re.compile(p, re.I)
    for name, p in {
        "implemented": r"\b(?:implemented|implement|implementation|coded|written|developed|built|"
        r"realized|programmed)\s+(?:\w+\s+){0,3}?(?:in|with|using|on|upon|based on|atop|by)\b",
        "our-code": r"\b(?:our|the proposed|this)\s+(?:\w+\s+){0,2}?(?:code|codebase|software|"
        r"implementation|library|package|toolkit|framework|system|models?|experiments?)\b",
        "we-use": r"\b(?:we|i|our\s+\w+)\s+(?:\w+\s+){0,3}?(?:use|used|using|utilize|utilized|"
        r"utilise|employ|employed|adopt|adopted|rely|relied|leverage|leveraged|chose|choose|"
        r"implement|implemented|build|built|wrote|write|run|ran|train|trained)\b",
        "using": r"\b(?:using|use|used|uses|via|employ(?:ed|s)?|utili[sz](?:e|ed|es)|"
        r"adopt(?:ed|s)?|leverag(?:e|ed|es))(?:\s+[\w-]+(?:\s*\[[\d,\s]+\])?\s*(?:,|and|or)){0,3}\s*$|"
        r"\b(?:employed|used|run|trained|implemented|executed)\s+(?:with)?in(?:\s+the)?\s*$",
        "based-on": r"\b(?:based on|built (?:on|upon)|on top of|powered by|atop|backend|"
        r"run(?:s|ning)? on|runs? in|extension of|extends|wrappers? (?:to|around|for|of|on))\b",
        "version": r"^\s*(?:v(?:ersion)?\s?)?\d+\.\d+",
        "trained": r"\b(?:trained|ran|run|performed|conducted|executed|evaluated)\b.{0,50}"
        r"\b(?:in|with|using|on)\s*$",
        "thanks": r"\b(?:thanks?|grateful|gratitude|acknowledge)\b.{0,80}\b(?:developers?|team|"
        r"authors?|contributors?)\b",
        "library": r"\b(?:library|libraries|toolkit|framework|package|module|api)\b",
    }.items()
}
# An example list introduced right before the term ("toolkits such as X", "e.g., X").
EXAMPLE = re.compile(
    r"\b(?:such as|e\.\s?g\.?,?|for example|for instance|including|like|popular|existing)"
    r"(?:\s+[\w-]+,?){0,6}\s*$",
    re.I,
)
HYPOTHETICAL = re.compile(
    r"\b(?:can|could|may|might|would|should)\s+(?:\w+\s+)?(?:be\s+)?(?:easily\s+)?"
    r"(?:implemented|used|integrated|ported|run|extended)\b|\bfuture work\b|\bplan to\b",
    re.I,
)
OTHERS = re.compile(
    r"\b(?:their|official|authors'|released by|provided by|original|reference implementation|"
    r"third[- ]party|open[- ]?sourced (?!our)(?:\w+ )?implementation)\b",
    re.I,
)
# A reference-list entry that ended up outside the references section.
CITATION_LIKE = re.compile(
    r"\bIn (?:Proceedings|Advances)\b|\barXiv preprint\b|\barXiv:\s?\d|Software available|"
    r"\bpp\.\s?\d|\bVol\.\s?\d|^[^.]{0,40}: [A-Z][^.]{5,120}[,.] (?:19|20)\d\d\.?\s*$",
)
FOR_WORK = re.compile(
    r"^\W*(?:\d{1,2}\W*)?(?:\([^)]{0,60}\)\s*)?(?:is used\s+)?(?:for|to)\s+(?:\w+\s+){0,2}?"
    r"(?:training|inference|implementation|experiments?|modell?ing|distributed)\b",
    re.I,
)
TITLE_WORDS = 25


@dataclass(frozen=True, slots=True)
class Hit:
    """One vocabulary term found in a sentence, with where it was and which cues fired."""

    framework: str
    term: str
    page: int
    section: str
    region: str
    """`related` inside a related-work/background section, else the section."""
    sentence: str
    start: int
    end: int
    position: float
    """Where in the document (0 = start, 1 = end)."""
    cues: frozenset[str] = field(default_factory=frozenset)
    n_frameworks: int = 1
    """Distinct frameworks named in the same sentence."""
    footnote: bool = False
    """The sentence is in a footnote block."""


def candidate_blocks(doc: ExtractedDoc) -> set[int]:
    """Indexes of the blocks holding a vocabulary anchor (one scan of the whole text per anchor)."""
    texts = [b.text.lower() for b in doc.blocks]
    starts = []
    pos = 0
    for t in texts:
        starts.append(pos)
        pos += len(t) + 1
    low = "\x00".join(texts)
    found: set[int] = set()
    for anchor in ANCHORS:
        i = low.find(anchor)
        while i >= 0:
            found.add(bisect_right(starts, i) - 1)
            i = low.find(anchor, i + 1)
    return found


def iter_sentences(doc: ExtractedDoc) -> Iterator[tuple[Block, str, float, str]]:
    """(block, region, position, sentence) in reading order, normalized text."""
    total = max(1, len(doc.blocks))
    candidates = candidate_blocks(doc)
    region = ""
    for i, block in enumerate(doc.blocks):
        first = block.text.strip().split("\n", 1)[0].strip()
        head = _HEADING.match(first) if len(first) <= 64 else None
        if head:
            title = head.group(1).strip()
            if _RELATED.match(title):
                region = "related"
            elif region == "related" and title[:1].isupper() and len(title.split()) <= 6:
                region = ""
        if i not in candidates:
            continue
        text = normalize_text(block.text)
        for sent in _SENT_SPLIT.split(text):
            if sent and sent.strip():
                yield block, region or block.section, i / total, sent


@dataclass(frozen=True, slots=True)
class SentenceCues:
    """The cues that depend on the whole sentence, found once per sentence (not once per hit:
    a sentence naming frameworks thousands of times made classify quadratic, #18)."""

    hypothetical: bool
    citation: bool
    urls: tuple[tuple[int, int], ...]
    """(start, end) of every URL, in order."""

    @classmethod
    def of(cls, sentence: str) -> SentenceCues:
        """The sentence-wide cues of sentence."""
        return cls(
            bool(HYPOTHETICAL.search(sentence)),
            bool(CITATION_LIKE.search(sentence)),
            tuple(m.span() for m in _URL.finditer(sentence)),
        )

    def in_url(self, pos: int) -> bool:
        """pos lies inside one of the URLs."""
        i = bisect_right(self.urls, (pos, 1 << 62)) - 1
        return i >= 0 and self.urls[i][0] <= pos < self.urls[i][1]


def hit_cues(
    sentence: str, start: int, end: int, section: str, shared: SentenceCues | None = None
) -> frozenset[str]:
    """Names of the cues that fire around one hit (`shared`: the sentence's, if known)."""
    shared = shared or SentenceCues.of(sentence)
    before = sentence[max(0, start - WINDOW) : start]
    after = sentence[end : end + WINDOW]
    near = sentence[max(0, start - WINDOW) : end + WINDOW]
    cues = {name for name, p in CUES.items() if name not in ("using", "version", "trained")}
    cues = {name for name in cues if CUES[name].search(near)}
    if CUES["using"].search(before):
        cues.add("using")
    if CUES["trained"].search(before):
        cues.add("trained")
    if FOR_WORK.search(after):
        cues.add("for-work")
    if CUES["version"].search(after):
        cues.add("version")
    if EXAMPLE.search(before[-60:]):
        cues.add("example")
    if shared.hypothetical:
        cues.add("hypothetical")
    if OTHERS.search(near):
        cues.add("others")
    if shared.citation:
        cues.add("citation")
    if shared.in_url(start):
        cues.add("url")
    if re.match(r"\s*[\[(]\s*\d", after) or re.match(r"\s*\(\s*[A-Z][a-z]+", after):
        cues.add("cited")
    if section == "acknowledgements":
        cues.add("acks")
    return frozenset(cues)


def iter_hits(doc: ExtractedDoc, compiled: Vocabulary | None = None) -> Iterator[Hit]:
    """Every vocabulary hit of the document with its cues."""
    compiled = compiled if compiled is not None else compile_terms()
    for block, region, position, sent in iter_sentences(doc):
        found = find_terms(sent, compiled)
        if not found:
            continue
        n_fw = len({t.framework for t, _, _ in found})
        shared = SentenceCues.of(sent)
        for term, start, end in found:
            yield Hit(
                framework=term.framework,
                term=term.library or term.framework,
                page=block.page,
                section=block.section,
                region=region,
                sentence=sent,
                start=start,
                end=end,
                position=position,
                cues=hit_cues(sent, start, end, block.section, shared),
                n_frameworks=n_fw,
                footnote=block.footnote,
            )


def title_frameworks(doc: ExtractedDoc, compiled: Vocabulary) -> dict[str, str]:
    """Frameworks named in the paper's title, each with the title (the evidence to quote).

    Without an extracted title, a short first block on page 1 of the front matter (not a
    sentence) stands in.
    """
    title = doc.title or ""
    if re.search(r"[a-z]\.(\s|$)", title.strip()) or len(title.split()) > 30:
        title = ""  # a sentence taken for the title (one-block first pages) is not a title
    if not title and doc.blocks:
        first = doc.blocks[0]
        text = " ".join(first.text.split())
        # title-like: short, on page 1, and not a sentence
        if first.page == 1 and first.section == "front" and len(text) <= 160 and "." not in text:
            title = " ".join(text.split()[:TITLE_WORDS])
    return {t.framework: title for t, _, _ in find_terms(normalize_text(title), compiled)}
