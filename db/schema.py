"""SQLAlchemy 2 models with natural keys; the only place tables are defined (no IO)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Paper(Base):
    """A paper as listed by a source; natural key (source, source_id)."""

    __tablename__ = "papers"
    __table_args__ = (UniqueConstraint("source", "source_id", name="uq_papers_source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    source_id: Mapped[str] = mapped_column(String(255))
    venue: Mapped[str | None] = mapped_column(String(64), index=True)
    year: Mapped[int | None] = mapped_column(Integer, index=True)
    track: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str | None] = mapped_column(Text)
    authors: Mapped[list[str]] = mapped_column(JSON, default=list)
    abstract: Mapped[str | None] = mapped_column(Text)
    urls: Mapped[list[str]] = mapped_column(JSON, default=list)
    code_urls: Mapped[list[str]] = mapped_column(JSON, default=list, server_default="[]")
    """The paper's own code links its source gives (PaperRecord.code_urls; issue 20)."""
    arxiv_id: Mapped[str | None] = mapped_column(String(32), index=True)
    openreview_id: Mapped[str | None] = mapped_column(String(64))
    pdf_url: Mapped[str | None] = mapped_column(Text)
    file_path: Mapped[str | None] = mapped_column(Text)
    file_name: Mapped[str | None] = mapped_column(Text)
    pdf_sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    fetch_status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending | ok | failed | local"""
    fetch_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime)


class PdfDocument(Base):
    """A PDF file by content; natural key sha256."""

    __tablename__ = "pdfs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    bytes: Mapped[int] = mapped_column(Integer)
    path: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    """pending | ok | no_text | encrypted | corrupt | empty | not_pdf | too_large | timeout | failed"""
    error: Mapped[str | None] = mapped_column(Text)


class Extraction(Base):
    """One paper's extracted text by extractor version; natural key (paper_id, extractor_version)."""

    __tablename__ = "extractions"
    __table_args__ = (UniqueConstraint("paper_id", "extractor_version", name="uq_extractions"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    extractor_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    error: Mapped[str | None] = mapped_column(Text)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    chars: Mapped[int] = mapped_column(Integer, default=0)
    title: Mapped[str | None] = mapped_column(Text)
    blocks_z: Mapped[bytes | None] = mapped_column(LargeBinary)
    """zlib-compressed JSON list of [page, section, text] blocks in reading order."""
    extracted_at: Mapped[datetime] = mapped_column(DateTime)


class CodeLink(Base):
    """A URL found in a paper; natural key (paper_id, extractor_version, url)."""

    __tablename__ = "links"
    __table_args__ = (UniqueConstraint("paper_id", "extractor_version", "url", name="uq_links"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    extractor_version: Mapped[str] = mapped_column(String(32))
    url: Mapped[str] = mapped_column(Text)
    host: Mapped[str] = mapped_column(String(255))
    kind: Mapped[str] = mapped_column(String(16))
    own: Mapped[bool] = mapped_column(default=False)
    page: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(32))
    origin: Mapped[str] = mapped_column(String(16))
    raw: Mapped[str] = mapped_column(Text, default="")
    context: Mapped[str] = mapped_column(Text, default="", server_default="")
    """The passage around the URL (issue 3)."""
    footnote: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Found in a footnote (issue 3)."""


class PredictionRow(Base):
    """A verdict (miner.records.Prediction); natural key (paper_id, classifier,
    classifier_version, framework)."""

    __tablename__ = "predictions"
    __table_args__ = (
        UniqueConstraint(
            "paper_id", "classifier", "classifier_version", "framework", name="uq_predictions"
        ),
        Index("ix_predictions_clf", "classifier", "classifier_version", "label"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    classifier: Mapped[str] = mapped_column(String(64))
    classifier_version: Mapped[str] = mapped_column(String(64))
    framework: Mapped[str] = mapped_column(String(32))
    label: Mapped[str] = mapped_column(String(16))
    confidence: Mapped[float] = mapped_column(Float)
    extractor_version: Mapped[str] = mapped_column(String(32))


class EvidenceRow(Base):
    """Evidence behind a prediction (miner.records.Evidence): one framework hit with page,
    section, snippet and the rule that fired; table `mentions` before migration 0008."""

    __tablename__ = "evidence"
    __table_args__ = (
        UniqueConstraint(
            "paper_id", "classifier", "classifier_version", "framework", "seq", name="uq_evidence"
        ),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    classifier: Mapped[str] = mapped_column(String(64))
    classifier_version: Mapped[str] = mapped_column(String(64))
    framework: Mapped[str] = mapped_column(String(32))
    seq: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    section: Mapped[str] = mapped_column(String(32))
    snippet: Mapped[str] = mapped_column(Text)
    rule: Mapped[str] = mapped_column(String(64))
    """The rule that fired, e.g. `cue:implemented`, `references`, `contrast` (Evidence.rule)."""
    term: Mapped[str] = mapped_column(String(64), default="")


class Run(Base):
    """One invocation of a stage: what ran, with which versions, and its counts."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    command: Mapped[str] = mapped_column(String(32))
    args: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    versions: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(16), default="running")
    """running | done | interrupted (Ctrl-C, SIGTERM, process gone) | failed"""
    counts: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    """What the run did (stages: items by outcome; evaluate/train: headline figures)."""
    host: Mapped[str | None] = mapped_column(String(255))
    """Machine and process of the run: a later run on that host marks it `interrupted` once
    the process is gone (killed, power cut) instead of leaving it `running` forever."""
    pid: Mapped[int | None] = mapped_column(Integer)


class Migration(Base):
    """Named schema migrations applied to this database, in order."""

    __tablename__ = "schema_migrations"

    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    applied_at: Mapped[datetime] = mapped_column(DateTime)


class RawPayload(Base):
    """A source response kept (zlib-compressed) so parsers can run again offline; key url."""

    __tablename__ = "raw_payloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(2048), unique=True)
    """The site URL with its query string (not the --base-url it was replayed from)."""
    source: Mapped[str] = mapped_column(String(32), index=True)
    scope: Mapped[str] = mapped_column(String(255), index=True)
    """The crawl it belongs to, e.g. `neurips year=2019` (see CrawlSpec.scope)."""
    spec: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    status: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str] = mapped_column(String(128), default="")
    fetched_at: Mapped[datetime] = mapped_column(DateTime)
    sha256: Mapped[str] = mapped_column(String(64))
    """sha256 of the uncompressed body."""
    size: Mapped[int] = mapped_column(Integer)
    body_z: Mapped[bytes] = mapped_column(LargeBinary)
    parser_version: Mapped[str | None] = mapped_column(String(32))
    """Parser version that last produced papers from this payload."""


class CrawlState(Base):
    """Progress of one crawl (source + scope): running / done, page and paper counts."""

    __tablename__ = "crawl_state"
    __table_args__ = (UniqueConstraint("source", "scope", name="uq_crawl_state"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    source: Mapped[str] = mapped_column(String(32))
    scope: Mapped[str] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(16), default="running")
    """running | done | failed"""
    pages: Mapped[int] = mapped_column(Integer, default=0)
    papers: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime)


class RepoAnalysisRow(Base):
    """A code repository's frameworks at one commit; natural key (url, commit, detector_version)."""

    __tablename__ = "repo_analyses"
    __table_args__ = (
        UniqueConstraint("url", "commit", "detector_version", name="uq_repo_analyses"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    url: Mapped[str] = mapped_column(String(512), index=True)
    host: Mapped[str] = mapped_column(String(255))
    commit: Mapped[str] = mapped_column(String(64))
    """Head commit analysed; empty when the repository could not be read or has no commits."""
    detector_version: Mapped[str] = mapped_column(String(32))
    backend: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16))
    """ok | no_code | not_found | failed"""
    error: Mapped[str | None] = mapped_column(Text)
    primary: Mapped[str] = mapped_column(String(255), default="")
    """Primary frameworks, `;`-joined."""
    frameworks: Mapped[list[dict[str, object]]] = mapped_column(JSON, default=list)
    """Per framework: score, label, import/dependency/other file counts, up to 20 files."""
    languages: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    fork: Mapped[bool] = mapped_column(default=False)
    parent: Mapped[str | None] = mapped_column(String(255))
    reimplementation: Mapped[str] = mapped_column(Text, default="")
    files_listed: Mapped[int] = mapped_column(Integer, default=0)
    files_read: Mapped[int] = mapped_column(Integer, default=0)
    truncated: Mapped[bool] = mapped_column(default=False)
    analysed_at: Mapped[datetime] = mapped_column(DateTime)


class PaperRepo(Base):
    """A paper's code link and whether its repository decides the paper's framework."""

    __tablename__ = "paper_repos"
    __table_args__ = (
        UniqueConstraint("paper_id", "url", "detector_version", name="uq_paper_repos"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(512))
    detector_version: Mapped[str] = mapped_column(String(32))
    role: Mapped[str] = mapped_column(String(16))
    """own | third_party"""
    analysis_id: Mapped[int | None] = mapped_column(
        ForeignKey("repo_analyses.id", ondelete="SET NULL")
    )
    decides: Mapped[bool] = mapped_column(default=False)
    reason: Mapped[str] = mapped_column(String(32))
    """decides | outranked | third_party | fork | reimplementation | no_code | not_found | failed |
    pending | not_repository"""
    found_by: Mapped[str] = mapped_column(String(64), default="pdf", server_default="pdf")
    """Where the link came from, `+`-joined in precedence order: pdf, listing, openreview,
    arxiv-metadata, search (miner.repos.candidates; issue 20)."""


class SignalVerdict(Base):
    """Combined verdict per paper and framework: text label, repo label, which signal decided."""

    __tablename__ = "signal_verdicts"
    __table_args__ = (
        UniqueConstraint("paper_id", "classifier_version", "framework", name="uq_signal_verdicts"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    classifier_version: Mapped[str] = mapped_column(String(64))
    framework: Mapped[str] = mapped_column(String(32))
    text_label: Mapped[str] = mapped_column(String(16))
    repo_label: Mapped[str] = mapped_column(String(16))
    """uses | mentions | absent, or empty when no repository decides"""
    label: Mapped[str] = mapped_column(String(16))
    decided_by: Mapped[str] = mapped_column(String(16))
    """text | repo | both"""
    agree: Mapped[bool | None] = mapped_column()
    """Whether text and repo labels agree on use (None without a deciding repository)."""
    repo_urls: Mapped[str] = mapped_column(Text, default="")
    repo_found_by: Mapped[str] = mapped_column(String(64), default="", server_default="")
    """found_by of the deciding repositories (`pdf`, `listing`, ...), empty without one."""


class Lease(Base):
    """A claim on one work item of a stage by one process, until it expires (see db/leases.py)."""

    __tablename__ = "leases"

    stage: Mapped[str] = mapped_column(String(32), primary_key=True)
    item_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    owner: Mapped[str] = mapped_column(String(128), index=True)
    """host:pid:token of the claiming process."""
    expires_at: Mapped[datetime] = mapped_column(DateTime)


class RepoSearch(Base):
    """One paper's repository search (`miner repos --discover`); key (paper_id, discovery_version)."""

    __tablename__ = "repo_searches"
    __table_args__ = (UniqueConstraint("paper_id", "discovery_version", name="uq_repo_searches"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    discovery_version: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    """ok | failed (failed searches are retried)"""
    queries: Mapped[list[str]] = mapped_column(JSON, default=list)
    """The `q` strings sent to GET /search/repositories."""
    hits: Mapped[int] = mapped_column(Integer, default=0)
    incomplete: Mapped[bool] = mapped_column(default=False)
    """GitHub said `incomplete_results` (the search timed out on its side)."""
    error: Mapped[str | None] = mapped_column(Text)
    searched_at: Mapped[datetime] = mapped_column(DateTime)


class RepoDiscovery(Base):
    """A repository search found for a paper, accepted as its own code or rejected with the
    reason; key (paper_id, url, discovery_version)."""

    __tablename__ = "repo_discoveries"
    __table_args__ = (
        UniqueConstraint("paper_id", "url", "discovery_version", name="uq_repo_discoveries"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    paper_id: Mapped[int] = mapped_column(ForeignKey("papers.id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(512))
    discovery_version: Mapped[str] = mapped_column(String(32))
    query: Mapped[str] = mapped_column(Text)
    """The search that found it first."""
    status: Mapped[str] = mapped_column(String(16))
    """accepted | rejected"""
    reason: Mapped[str] = mapped_column(String(128))
    """accepted, or: fork | unofficial | README missing | no citation in README |
    no authorship evidence | outranked by <owner/name>"""
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    """What was found: `title`, `arxiv:<id>`, `doi:<doi>`, `owner:<author>` (login),
    `owner-name:<author>` (profile name), `claim:<words>`, or `said:<words>` for unofficial."""
    owner_type: Mapped[str] = mapped_column(String(16), default="")
    fork: Mapped[bool] = mapped_column(default=False)
    stars: Mapped[int] = mapped_column(Integer, default=0)
    description: Mapped[str] = mapped_column(Text, default="")
    found_at: Mapped[datetime] = mapped_column(DateTime)
