"""Whether a repository a search found is the authors' release of a paper (pure, no IO).

Rules (discovery version `DISCOVERY_VERSION`), checked in this order; the first that fails is
the rejection reason:

1. `fork`: the search item says `fork: true`.
2. `unofficial`: the description, or the README's opening, calls it unofficial, a
   reimplementation, port or mirror, or points to the official code elsewhere
   (miner.repos.detect.find_reimplementation, the rule `miner repos` applies to every README).
3. `README missing`: GET /repos/{o}/{r}/readme answered 404.
4. `no citation in README`: the README cites none of the paper's exact title (normalised:
   case, accents, punctuation and spacing ignored; titles under 3 words or 12 letters do not
   count), its arXiv id (any version suffix) or a DOI the paper's source lists.
5. `no authorship evidence`: the owner login matches none of the authors (given name + surname,
   initial + surname, either order, or the surname alone when 5+ letters), nor does a user
   owner's profile name (GET /users/{login}: the surname and the given name or its initial), and
   the README's opening claims no authorship ("official ... implementation/code/repository",
   "code for our ...", "our paper"). Organisations are not matched to authors (the papers
   record no affiliations): their repositories need the claim.

A repository passing all five is eligible; the paper accepts at most one, the best by (owner
match + authorship claim, citation kinds, stars, search order); other eligible ones are
`outranked by <owner/name>`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from miner.repos.detect import README_HEAD, find_reimplementation

DISCOVERY_VERSION = "1"
"""Bump when the queries or the rules change: papers are then searched again."""

CLAIMS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bofficial\s+(?:\w+\s+){0,3}(?:implementation|code|codebase|repo(?:sitory)?|release)\b",
        r"\b(?:code|implementation|repository)\s+(?:for|of|accompanying)\s+our\b",
        r"\bour\s+(?:paper|work)\b",
    )
)


@dataclass(frozen=True, slots=True)
class Paper:
    """What the evidence is matched against."""

    title: str
    authors: tuple[str, ...] = ()
    arxiv_id: str | None = None
    dois: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class SearchHit:
    """One item of GET /search/repositories (the fields the rules read)."""

    full_name: str
    owner: str
    """owner.login"""
    owner_type: str = "User"
    """User | Organization"""
    fork: bool = False
    description: str = ""
    stars: int = 0
    query: str = ""
    """The `q` that found it."""

    @property
    def url(self) -> str:
        """https://github.com/owner/name"""
        return f"https://github.com/{self.full_name}"


@dataclass(frozen=True, slots=True)
class Judgement:
    """A hit's verdict: accepted or rejected with the reason, and the evidence found."""

    hit: SearchHit
    status: str
    """accepted | rejected"""
    reason: str
    evidence: tuple[str, ...] = ()


def normalise(text: str) -> str:
    """Lower case, accents dropped, every run of non-alphanumerics one space."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", plain.lower()).split())


def bare_arxiv_id(arxiv_id: str) -> str:
    """`1706.03762v5` -> `1706.03762`."""
    return re.sub(r"v\d+$", "", arxiv_id.strip())


def citations(paper: Paper, readme: str) -> list[str]:
    """Which of the paper's title, arXiv id and DOIs the README cites."""
    found = []
    title = normalise(paper.title)
    long_enough = len(title.split()) >= 3 and len(title.replace(" ", "")) >= 12
    if long_enough and f" {title} " in f" {normalise(readme)} ":
        found.append("title")
    if paper.arxiv_id:
        bare = bare_arxiv_id(paper.arxiv_id)
        if re.search(rf"(?<![\w.]){re.escape(bare)}(?:v\d+)?(?![\w])", readme):
            found.append(f"arxiv:{bare}")
    lowered = readme.lower()
    found += [f"doi:{d}" for d in paper.dois if d.lower() in lowered]
    return found


def _login_forms(author: str) -> set[str]:
    words = normalise(author).split()
    if len(words) < 2:
        return set()
    given, surname = words[0], words[-1]
    forms = {given + surname, surname + given, given[0] + surname, surname + given[0]}
    if len(surname) >= 5:
        forms.add(surname)
    return {f for f in forms if len(f) >= 4}


def owner_author(login: str, authors: Sequence[str]) -> str | None:
    """The author whose name the owner login spells (see the module rules), or None."""
    plain = normalise(login).replace(" ", "")
    for author in authors:
        if any(form in plain for form in _login_forms(author)):
            return author
    return None


def authorship_claim(readme: str) -> str | None:
    """The README opening's words claiming the code is the authors', or None."""
    head = readme[:README_HEAD]
    for pattern in CLAIMS:
        m = pattern.search(head)
        if m:
            return " ".join(m.group(0).split())
    return None


def name_author(name: str | None, authors: Sequence[str]) -> str | None:
    """The author a GitHub profile name names (surname and given name or its initial), or None."""
    words = normalise(name or "").split()
    for author in authors:
        parts = normalise(author).split()
        if len(parts) >= 2 and len(words) >= 2 and parts[-1] == words[-1]:
            given = parts[0]
            if given in words[:-1] or any(w == given[0] for w in words[:-1]):
                return author
    return None


def needs_owner_name(paper: Paper, hit: SearchHit, readme: str | None) -> bool:
    """Whether a user owner's profile name could decide rule 5: the README cites the paper, the
    login matches no author (organisations' names are not authors' names)."""
    return (
        hit.owner_type == "User"
        and readme is not None
        and not find_reimplementation(readme, hit.description)
        and bool(citations(paper, readme))
        and owner_author(hit.owner, paper.authors) is None
    )


def judge(
    paper: Paper, hit: SearchHit, readme: str | None, owner_name: str | None = None
) -> Judgement:
    """Rules 1-5 for one hit; `readme` None when GitHub has none (and for forks and hits whose
    description already rejects them: their README is not fetched); `owner_name` the owner's
    profile name when it was fetched (needs_owner_name)."""
    if hit.fork:
        return Judgement(hit, "rejected", "fork")
    said = find_reimplementation(readme or "", hit.description)
    if said:
        return Judgement(hit, "rejected", "unofficial", (f"said:{said[:120]}",))
    if readme is None:
        return Judgement(hit, "rejected", "README missing")
    cited = citations(paper, readme)
    if not cited:
        return Judgement(hit, "rejected", "no citation in README")
    evidence = tuple(cited)
    if author := owner_author(hit.owner, paper.authors):
        evidence += (f"owner:{author}",)
    elif author := name_author(owner_name, paper.authors):
        evidence += (f"owner-name:{author}",)
    claim = authorship_claim(readme)
    evidence += (f"claim:{claim}",) if claim else ()
    if not author and not claim:
        return Judgement(hit, "rejected", "no authorship evidence", evidence)
    return Judgement(hit, "accepted", "accepted", evidence)


def needs_readme(hit: SearchHit) -> bool:
    """Whether rules 3-5 are reached (no fork, description not unofficial)."""
    return not hit.fork and not find_reimplementation("", hit.description)


def choose(judgements: Sequence[Judgement]) -> list[Judgement]:
    """At most one accepted: the best eligible; the other eligible ones `outranked by` it."""
    eligible = [j for j in judgements if j.status == "accepted"]
    if len(eligible) < 2:
        return list(judgements)

    def strength(j: Judgement) -> tuple[int, int, int, int]:
        kinds = [e.split(":", 1)[0] for e in j.evidence]
        authorship = sum(k in ("owner", "owner-name", "claim") for k in kinds)
        cited = sum(k in ("title", "arxiv", "doi") for k in kinds)
        return (authorship, cited, j.hit.stars, -judgements.index(j))

    best = max(eligible, key=strength)
    return [
        j
        if j is best or j.status != "accepted"
        else Judgement(j.hit, "rejected", f"outranked by {best.hit.full_name}", j.evidence)
        for j in judgements
    ]
