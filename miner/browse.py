"""Datasette metadata for browsing a database: table and column descriptions, and canned queries
that go from a tally number to the papers and the sentences behind it (no IO)."""

from __future__ import annotations

from typing import Any

from miner import __version__
from miner.extract import EXTRACTOR_VERSION

TABLES = {
    "papers": "One row per paper as listed by a source; natural key (source, source_id).",
    "pdfs": "PDF files by sha256 with page count and read status.",
    "extractions": "Text extracted per paper and extractor version: status (ok, no_text, "
    "corrupt...), error, pages; blocks_z is zlib-compressed JSON of [page, section, text].",
    "links": "URLs found in the papers: normalized url, host, kind (code/framework/other).",
    "predictions": "One verdict per paper, classifier version and framework: label uses / "
    "mentions / absent, confidence.",
    "mentions": "Evidence behind the verdicts: page, section, quoted snippet, the rule that fired "
    "(kind) and the matched term.",
    "runs": "Every stage run with its arguments, versions and counts.",
    "schema_migrations": "Named schema migrations applied to this database.",
}
COLUMNS = {
    "predictions": {
        "label": "uses = the paper's own work used it; mentions = named only; absent",
        "classifier_version": "version of the classifier that wrote the row",
    },
    "mentions": {
        "kind": "rule that fired, e.g. cue:implemented, references, contrast",
        "snippet": "the sentence quoted from the PDF",
    },
}


def _lit(value: str) -> str:
    """A SQL string literal (for the names and versions baked into canned queries)."""
    return "'" + value.replace("'", "''") + "'"


def _url(base: str, path: str, params: dict[str, str]) -> str:
    """SQL building a clickable URL; values are SQL expressions, spaces and & escaped."""
    parts = [f"'{base}{path}?'"]
    for i, (name, expr) in enumerate(params.items()):
        sep = "&" if i else ""
        quoted = f"replace(replace(coalesce({expr}, ''), '&', '%26'), ' ', '%20')"
        parts.append(f"'{sep}{name}=' || {quoted}")
    return " || ".join(parts)


TITLE = (
    "coalesce(p.title, (select e.title from extractions e where e.paper_id = p.id "
    "and e.title is not null order by e.id desc limit 1), p.file_name)"
)


def canned_queries(db_name: str, classifier: str, version: str, base_url: str) -> dict[str, Any]:
    """Queries: tally by venue/year, papers using X at venue V, and one paper's evidence."""
    clf = f"r.classifier = {_lit(classifier)} and r.classifier_version = {_lit(version)}"
    base = base_url.rstrip("/") + f"/{db_name}"
    tally_sql = f"""
with classified as (
  select p.id, p.venue, p.year from papers p
  join extractions e on e.paper_id = p.id
    and e.extractor_version = {_lit(EXTRACTOR_VERSION)} and e.status = 'ok'
  where exists (select 1 from predictions r where r.paper_id = p.id and {clf})
),
denominators as (select venue, year, count(*) as classified from classified group by venue, year)
select c.venue, c.year, r.framework, count(*) as uses, d.classified,
  round(1.0 * count(*) / d.classified, 3) as share,
  {_url(base, "/papers_using", {"framework": "r.framework", "venue": "c.venue", "year": "c.year"})}
    as papers
from classified c
join predictions r on r.paper_id = c.id and {clf} and r.label = 'uses'
join denominators d on d.venue is c.venue and d.year is c.year
where (:venue = '' or c.venue = :venue) and (:year = '' or c.year = :year)
group by c.venue, c.year, r.framework
order by c.venue, c.year, uses desc, r.framework"""
    papers_sql = f"""
select p.id as paper_id, p.venue, p.year, {TITLE} as title, r.confidence,
  (select count(*) from mentions m where m.paper_id = p.id and m.framework = r.framework
     and m.classifier = r.classifier and m.classifier_version = r.classifier_version) as snippets,
  {_url(base, "/paper_evidence", {"paper_id": "cast(p.id as text)"})} as evidence
from papers p join predictions r on r.paper_id = p.id and {clf}
where r.label = 'uses' and r.framework = :framework
  and (:venue = '' or p.venue = :venue) and (:year = '' or p.year = :year)
order by p.venue, p.year, p.id"""
    evidence_sql = f"""
select p.id as paper_id, {TITLE} as title, m.framework, r.label,
  m.page, m.section, m.kind as rule, m.term, m.snippet
from mentions m
join papers p on p.id = m.paper_id
join predictions r on r.paper_id = m.paper_id and r.framework = m.framework
  and r.classifier = m.classifier and r.classifier_version = m.classifier_version
where m.paper_id = :paper_id and {clf}
order by r.label desc, m.framework, m.seq"""
    return {
        "tally_by_venue_year": {
            "title": f"Papers using each framework by venue and year ({classifier} {version})",
            "description": "uses out of papers extracted and classified; leave venue/year empty "
            "for all. Follow `papers` to the papers behind a number.",
            "sql": tally_sql.strip(),
        },
        "papers_using": {
            "title": "Papers using a framework at a venue",
            "description": "framework e.g. pytorch; venue/year optional. Follow `evidence` to "
            "the sentences.",
            "sql": papers_sql.strip(),
        },
        "paper_evidence": {
            "title": "The sentences behind a paper's verdicts",
            "description": "Evidence snippets with page, section and the rule that fired.",
            "sql": evidence_sql.strip(),
        },
    }


def datasette_metadata(
    db_name: str, classifier: str, version: str, base_url: str = "http://127.0.0.1:8001"
) -> dict[str, Any]:
    """The metadata.json for `datasette serve DB -m metadata.json`."""
    tables: dict[str, Any] = {
        name: {"description": text, **({"columns": COLUMNS[name]} if name in COLUMNS else {})}
        for name, text in TABLES.items()
    }
    return {
        "title": "framework-miner",
        "description": "Which deep-learning framework do the papers of a venue actually use? "
        f"Verdicts by {classifier} {version}, with the evidence behind each.",
        "source": f"framework-miner {__version__}",
        "databases": {
            db_name: {
                "tables": tables,
                "queries": canned_queries(db_name, classifier, version, base_url),
            }
        },
    }
