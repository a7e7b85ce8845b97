"""The read model: every number the tool prints is selected here (DB reads only).

One definition of a paper's status and of "classified" (extraction `ok` under the current
extractor and predictions from the classifier version) is `paper_select`; tallies, listings,
exports, reports, notebooks and Datasette's canned queries are built on it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    Engine,
    Select,
    and_,
    case,
    exists,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

from classifiers import ClassifierId
from db.schema import CodeLink, EvidenceRow, Extraction, Paper, PredictionRow
from miner.extract import EXTRACTOR_VERSION
from miner.extract.links import is_repo
from miner.views import (
    FAILED_FETCH,
    NO_PDF,
    NONE,
    PENDING,
    UNDETERMINED,
    EvidenceView,
    PaperView,
    VerdictView,
)

BY_CHOICES = ("venue", "year", "venue,year", "all")


def _predicted(clf: ClassifierId, label: str | None = None) -> ColumnElement[bool]:
    """SQL: the paper has predictions (with this label, when given) from the classifier version."""
    cond = [
        PredictionRow.paper_id == Paper.id,
        PredictionRow.classifier == clf.NAME,
        PredictionRow.classifier_version == clf.VERSION,
    ]
    if label is not None:
        cond.append(PredictionRow.label == label)
    return exists().where(*cond)


def _flag(cond: ColumnElement[bool]) -> Any:
    return case((cond, 1), else_=0)


def status_column() -> Any:
    """SQL: a paper's status over papers outer-joined with its current extraction: the
    extraction's status, else missing_pdf (download failed), no_pdf or pending."""
    return case(
        (Extraction.status.is_not(None), Extraction.status),
        (and_(Paper.pdf_sha256.is_(None), Paper.fetch_status == "failed"), literal(FAILED_FETCH)),
        (Paper.pdf_sha256.is_(None), literal(NO_PDF)),
        else_=literal(PENDING),
    )


def current_extraction(extractor_version: str = EXTRACTOR_VERSION) -> ColumnElement[bool]:
    """SQL: the join condition of a paper and its extraction by the current extractor."""
    return and_(Extraction.paper_id == Paper.id, Extraction.extractor_version == extractor_version)


def paper_select(
    clf: ClassifierId,
    *,
    venue: str | None = None,
    year: int | None = None,
    extractor_version: str = EXTRACTOR_VERSION,
) -> Select[Any]:
    """One row per paper (unordered): metadata, status and the 0/1 stage flags has_pdf,
    extracted_ok, failed, classified and with_any that every denominator sums."""
    ok = Extraction.status == "ok"
    status = status_column()
    columns: list[Any] = [
        Paper.id.label("id"),
        Paper.source.label("source"),
        Paper.source_id.label("source_id"),
        Paper.venue.label("venue"),
        Paper.year.label("year"),
        func.coalesce(Paper.title, Extraction.title).label("title"),
        Paper.file_name.label("file"),
        Paper.pdf_url.label("pdf_url"),
        Paper.pdf_sha256.label("sha256"),
        Paper.fetch_status.label("fetch_status"),
        status.label("status"),
        func.coalesce(Extraction.error, Paper.fetch_error).label("error"),
        Extraction.pages.label("pages"),
        _flag(Paper.pdf_sha256.is_not(None)).label("has_pdf"),
        _flag(ok).label("extracted_ok"),
        _flag(and_(Extraction.status.is_not(None), Extraction.status != "ok")).label("failed"),
        _flag(and_(ok, _predicted(clf))).label("classified"),
        _flag(and_(ok, _predicted(clf, "uses"))).label("with_any"),
    ]
    stmt = select(*columns).outerjoin(Extraction, current_extraction(extractor_version))
    return where_venue_year(stmt, venue, year)


S = TypeVar("S", bound=Select)  # any row shape


def where_venue_year(stmt: S, venue: str | None, year: int | None) -> S:
    """Restrict a select over papers to a venue (any case) and a year, each when given."""
    if venue is not None:
        stmt = stmt.where(func.lower(Paper.venue) == venue.lower())
    if year is not None:
        stmt = stmt.where(Paper.year == year)
    return stmt


def _keys(pv: Any, by: str) -> list[Any]:
    if by not in BY_CHOICES:
        raise ValueError(f"by must be one of {BY_CHOICES}, not {by!r}")
    return [pv.c[k] for k in ("venue", "year") if k in by]


def denominator_select(
    clf: ClassifierId, *, by: str, venue: str | None = None, year: int | None = None
) -> Select[Any]:
    """Per group: papers, with_pdf, missing_pdf, extracted_ok, failed, classified, with_any."""
    pv = paper_select(clf, venue=venue, year=year).subquery("pv")
    keys = _keys(pv, by)
    return select(
        *keys,
        func.count().label("papers"),
        func.sum(pv.c.has_pdf).label("with_pdf"),
        (func.count() - func.sum(pv.c.has_pdf)).label("missing_pdf"),
        func.sum(pv.c.extracted_ok).label("extracted_ok"),
        func.sum(pv.c.failed).label("failed"),
        func.sum(pv.c.classified).label("classified"),
        func.sum(pv.c.with_any).label("with_any"),
    ).group_by(*keys)


def label_select(
    clf: ClassifierId,
    *,
    by: str,
    label: str = "uses",
    venue: str | None = None,
    year: int | None = None,
) -> Select[Any]:
    """Per group and framework: classified papers with this label (column `n`)."""
    pv = paper_select(clf, venue=venue, year=year).subquery("pv")
    keys = _keys(pv, by)
    return (
        select(*keys, PredictionRow.framework.label("framework"), func.count().label("n"))
        .select_from(pv)
        .join(
            PredictionRow,
            and_(
                PredictionRow.paper_id == pv.c.id,
                PredictionRow.classifier == clf.NAME,
                PredictionRow.classifier_version == clf.VERSION,
                PredictionRow.label == label,
            ),
        )
        .where(pv.c.classified == 1)
        .group_by(*keys, PredictionRow.framework)
    )


Group = tuple[str | None, int | None]


def _group(row: Any, by: str) -> Group:
    m = row._mapping
    return (m["venue"] if "venue" in by else None, m["year"] if "year" in by else None)


def group_denominators(
    engine: Engine, clf: ClassifierId, *, by: str, venue: str | None, year: int | None
) -> dict[Group, dict[str, int]]:
    """denominator_select as {group: {column: count}}."""
    cols = ("papers", "with_pdf", "missing_pdf", "extracted_ok", "failed", "classified", "with_any")
    with Session(engine) as session:
        rows = session.execute(denominator_select(clf, by=by, venue=venue, year=year)).all()
    return {_group(r, by): {c: int(r._mapping[c] or 0) for c in cols} for r in rows}


def group_label_counts(
    engine: Engine,
    clf: ClassifierId,
    *,
    by: str,
    label: str,
    venue: str | None,
    year: int | None,
) -> dict[Group, dict[str, int]]:
    """label_select as {group: {framework: papers}}."""
    out: dict[Group, dict[str, int]] = defaultdict(dict)
    stmt = label_select(clf, by=by, label=label, venue=venue, year=year)
    with Session(engine) as session:
        for r in session.execute(stmt):
            out[_group(r, by)][r.framework] = int(r.n)
    return out


def tally_by_venue_year_select(clf: ClassifierId) -> Any:
    """Per venue and year: papers using each framework, then `(none)` (classified, no use) and
    `(undetermined)` (not classified), beside the group's papers, classified and with_any: the
    rows and denominators of `miner tally --by venue,year` (Datasette's canned query)."""
    d = denominator_select(clf, by="venue,year").subquery("d")
    u = label_select(clf, by="venue,year", label="uses").subquery("u")
    same = and_(d.c.venue.is_not_distinct_from(u.c.venue), d.c.year.is_not_distinct_from(u.c.year))
    denominators = (d.c.papers, d.c.classified, d.c.with_any)
    uses = select(u.c.venue, u.c.year, u.c.framework, u.c.n.label("uses"), *denominators)
    none = select(
        d.c.venue, d.c.year, literal(NONE), (d.c.classified - d.c.with_any), *denominators
    )
    undetermined = select(
        d.c.venue, d.c.year, literal(UNDETERMINED), (d.c.papers - d.c.classified), *denominators
    )
    return union_all(uses.join(d, same), none, undetermined)


def sqlite_text(stmt: Any) -> str:
    """A select as SQLite SQL text with its values inlined (for Datasette's canned queries)."""
    return str(stmt.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))


def paper_views(
    engine: Engine,
    clf: ClassifierId,
    *,
    venue: str | None = None,
    year: int | None = None,
    labels: Sequence[str] = ("uses", "mentions"),
    evidence: bool = True,
) -> list[PaperView]:
    """Every selected paper as a PaperView, by id: a few queries in all, none per paper, and no
    text blobs loaded. Verdicts are those of classified papers with a label in `labels`."""
    with Session(engine) as session:
        rows = session.execute(paper_select(clf, venue=venue, year=year).order_by(Paper.id)).all()
        classified = {r.id for r in rows if r.classified}
        verdicts = _verdicts(session, clf, classified, labels, evidence)
        links = _code_links(session, {r.id for r in rows})
    return [
        PaperView(
            id=r.id,
            source=r.source,
            source_id=r.source_id,
            venue=r.venue,
            year=r.year,
            title=r.title,
            file=r.file,
            pdf_url=r.pdf_url,
            sha256=r.sha256,
            fetch_status=r.fetch_status,
            status=r.status,
            error=r.error,
            pages=r.pages,
            classified=bool(r.classified),
            classifier=clf.NAME,
            classifier_version=clf.VERSION,
            verdicts=tuple(verdicts.get(r.id, ())),
            code_links=tuple(links.get(r.id, ())),
        )
        for r in rows
    ]


def _verdicts(
    session: Session,
    clf: ClassifierId,
    ids: set[int],
    labels: Sequence[str],
    evidence: bool,
) -> dict[int, list[VerdictView]]:
    """Verdicts (with evidence) of the given papers, by paper id then framework."""
    mine = (PredictionRow.classifier == clf.NAME, PredictionRow.classifier_version == clf.VERSION)
    snippets: dict[tuple[int, str], list[EvidenceView]] = defaultdict(list)
    if evidence:
        stmt = (
            select(
                EvidenceRow.paper_id, EvidenceRow.framework, EvidenceRow.page, EvidenceRow.section
            )
            .add_columns(EvidenceRow.rule, EvidenceRow.term, EvidenceRow.snippet)
            .where(
                EvidenceRow.classifier == clf.NAME, EvidenceRow.classifier_version == clf.VERSION
            )
            .order_by(EvidenceRow.paper_id, EvidenceRow.framework, EvidenceRow.seq)
        )
        for pid, fw, page, section, rule, term, snippet in session.execute(stmt):
            if pid in ids:
                snippets[(pid, fw)].append(EvidenceView(page, section, rule, term, snippet))
    out: dict[int, list[VerdictView]] = defaultdict(list)
    stmt = (
        select(
            PredictionRow.paper_id,
            PredictionRow.framework,
            PredictionRow.label,
            PredictionRow.confidence,
        )
        .where(*mine, PredictionRow.label.in_(list(labels)))
        .order_by(PredictionRow.paper_id, PredictionRow.framework)
    )
    for pid, fw, label, conf in session.execute(stmt):
        if pid in ids:
            out[pid].append(VerdictView(fw, label, conf, tuple(snippets.get((pid, fw), ()))))
    return out


def _code_links(session: Session, ids: set[int]) -> dict[int, list[str]]:
    """Every code-repository URL per paper (framework repositories included), once each: the
    set `miner evaluate-links` scores (miner.show.found_links, the same `is_repo` test)."""
    out: dict[int, list[str]] = defaultdict(list)
    seen: set[tuple[int, str]] = set()
    stmt = (
        select(CodeLink.paper_id, CodeLink.url)
        .where(CodeLink.extractor_version == EXTRACTOR_VERSION)
        .order_by(CodeLink.id)
    )
    for pid, url in session.execute(stmt):
        if pid in ids and is_repo(url) and (pid, url.lower()) not in seen:
            seen.add((pid, url.lower()))
            out[pid].append(url)
    return out
