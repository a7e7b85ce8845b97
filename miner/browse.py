"""Datasette metadata for browsing a database: table and column descriptions, and canned queries
that go from a tally number to the papers and the sentences behind it (no IO; the SQL of the
tally comes from db.queries)."""

from __future__ import annotations

from typing import Any

from classifiers import ClassifierId
from db.decisions import DECIDED, NONE_REASONS, decision_select, none_reason_select
from db.queries import paper_select, sqlite_text, tally_by_venue_year_select
from miner import __version__

TABLES = {
    "papers": "One row per paper as listed by a source; natural key (source, source_id).",
    "pdfs": "PDF files by sha256 with page count and read status.",
    "extractions": "Text extracted per paper and extractor version: status (ok, no_text, "
    "corrupt...), error, pages; blocks_z is zlib-compressed JSON of [page, section, text].",
    "links": "URLs found in the papers: normalized url, host, kind (code/framework/other).",
    "predictions": "One verdict per paper, classifier version and framework: label uses / "
    "mentions / absent, confidence.",
    "evidence": "Evidence behind the verdicts: page, section, quoted snippet, the rule that fired "
    "and the matched term.",
    "runs": "Every stage run with its arguments, versions and counts.",
    "schema_migrations": "Named schema migrations applied to this database.",
}
COLUMNS = {
    "predictions": {
        "label": "uses = the paper's own work used it; mentions = named only; absent",
        "classifier_version": "version of the classifier that wrote the row",
    },
    "evidence": {
        "rule": "rule that fired, e.g. cue:implemented, references, contrast",
        "snippet": "the sentence quoted from the PDF",
    },
}


def _lit(value: str) -> str:
    """A SQL string literal (for the names and versions baked into canned queries)."""
    return "'" + value.replace("'", "''") + "'"


_TILDE_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


def tilde_encode(name: str) -> str:
    """A database name as Datasette writes it in URLs (tilde encoding: `it's` -> `it~27s`)."""
    return "".join(
        c if c in _TILDE_SAFE else "+" if c == " " else "".join(f"~{b:02X}" for b in c.encode())
        for c in name
    )


def _url(base: str, path: str, params: dict[str, str]) -> str:
    """SQL building a clickable URL; values are SQL expressions, spaces and & escaped; the fixed
    part is a SQL literal (a database named `it's.db` once broke every canned query, #18)."""
    parts = [_lit(f"{base}{path}?")]
    for i, (name, expr) in enumerate(params.items()):
        sep = "&" if i else ""
        quoted = f"replace(replace(coalesce({expr}, ''), '&', '%26'), ' ', '%20')"
        parts.append(f"'{sep}{name}=' || {quoted}")
    return " || ".join(parts)


def _who_decided(clf: ClassifierId) -> tuple[str, str, str]:
    """For the combined verdict, the tally's extra CTEs, columns and joins: who decided each
    framework's uses and why the `(none)` papers have none, as `miner tally` prints them
    (db.decisions); nothing for a text classifier."""
    if clf.NAME != "combined":
        return "", "", ""
    ctes = (
        f",\nd as ({sqlite_text(decision_select(clf, by='venue,year'))}),"
        f"\nw as ({sqlite_text(none_reason_select(clf, by='venue,year'))})"
    )
    fw = "t.framework not like '(%'"
    names = {"text": "text", "repo": "code", "both": "both"}
    cols = [f"case when {fw} then coalesce(d.{d}, 0) end as decided_by_{names[d]}" for d in DECIDED]
    cols.append(f"case when {fw} then coalesce(d.disagree, 0) end as disagree")
    cols += [
        f"case when t.framework = '(none)' then coalesce(w.{r}, 0) end as none_{r}"
        for r in NONE_REASONS
    ]
    joins = (
        "\nleft join d on d.venue is t.venue and d.year is t.year and d.framework = t.framework"
        "\nleft join w on w.venue is t.venue and w.year is t.year"
    )
    return ctes, "".join(f"\n  {c}," for c in cols), joins


def canned_queries(db_name: str, classifier: str, version: str, base_url: str) -> dict[str, Any]:
    """Queries: tally by venue/year, papers using X at venue V, and one paper's evidence.

    The tally and the papers behind it are the read model's own selects (db.queries) as SQL
    text, so they count exactly what `miner tally --by venue,year` counts.
    """
    clf_id = ClassifierId(classifier, version)
    clf = f"r.classifier = {_lit(classifier)} and r.classifier_version = {_lit(version)}"
    base = base_url.rstrip("/") + f"/{tilde_encode(db_name)}"
    venue_year = (
        "(:venue = '' or lower(t.venue) = lower(:venue)) "
        "and (:year = '' or t.year = cast(:year as integer))"
    )
    link = {"framework": "t.framework", "venue": "t.venue", "year": "cast(t.year as text)"}
    z = "1.959963984540054"  # as miner.tally.Z95
    half = f"{z} * sqrt(t.p * (1 - t.p) / t.n + {z} * {z} / (4.0 * t.n * t.n))"
    centre = f"(t.p + {z} * {z} / (2.0 * t.n))"
    denom = f"(1 + {z} * {z} / t.n)"
    shared = "t.framework != '(undetermined)' and t.n > 0"
    ctes, cols, joins = _who_decided(clf_id)
    tally_sql = f"""
with t as (
  select r.*, 1.0 * r.uses / nullif(r.classified, 0) as p, r.classified as n
  from ({sqlite_text(tally_by_venue_year_select(clf_id))}) r
){ctes}
select t.venue, t.year, t.framework, t.uses,
  case when {shared} then round(t.p, 3) end as share,
  case when {shared} then round(max(0.0, min(t.p, ({centre} - {half}) / {denom})), 3) end
    as share_low,
  case when {shared} then round(min(1.0, max(t.p, ({centre} + {half}) / {denom})), 3) end
    as share_high,
  t.papers, t.classified, t.with_any,{cols}
  case when t.framework not like '(%' then {_url(base, "/papers_using", link)} end
    as papers_link
from t{joins}
where {venue_year}
order by t.venue, t.year,
  case t.framework when '(none)' then 1 when '(undetermined)' then 2 else 0 end,
  t.uses desc, t.framework"""
    papers_sql = f"""
select t.id as paper_id, t.venue, t.year, coalesce(t.title, t.file) as title, r.confidence,
  (select count(*) from evidence m where m.paper_id = t.id and m.framework = r.framework
     and m.classifier = r.classifier and m.classifier_version = r.classifier_version) as snippets,
  {_url(base, "/paper_evidence", {"paper_id": "cast(t.id as text)"})} as evidence
from ({sqlite_text(paper_select(clf_id))}) t
join predictions r on r.paper_id = t.id and {clf}
where t.classified = 1 and r.label = 'uses' and r.framework = :framework and {venue_year}
order by t.venue, t.year, t.id"""
    evidence_sql = f"""
select p.id as paper_id, coalesce(p.title, p.file_name) as title, m.framework, r.label,
  m.page, m.section, m.rule, m.term, m.snippet
from evidence m
join papers p on p.id = m.paper_id
join predictions r on r.paper_id = m.paper_id and r.framework = m.framework
  and r.classifier = m.classifier and r.classifier_version = m.classifier_version
where m.paper_id = :paper_id and {clf}
order by r.label desc, m.framework, m.seq"""
    return {
        "tally_by_venue_year": {
            "title": f"Papers using each framework by venue and year ({classifier} {version})",
            "description": "uses out of papers extracted and classified, with the 95% Wilson "
            "interval and the denominators, as `miner tally --by venue,year`; (none) = no use "
            "found, (undetermined) = not classified. Leave venue/year empty for all (venue in any "
            "case). Follow `papers_link` to the papers behind a number."
            + (
                " Combined verdict: decided_by_text/_code/_both and disagree count who decided "
                "each framework's uses; on (none), the none_ columns say why those papers have none."
                if classifier == "combined"
                else ""
            ),
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
