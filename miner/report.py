"""A citable report of a selection: headline with intervals and denominators, the tally, charts,
methodology, limitations and an appendix tracing every number to papers and evidence snippets,
computed once (DB reads); miner.report_render writes them as HTML, Markdown and JSON."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from db import Engine
from db.status import completeness, last_run
from miner import __version__
from miner.export import paper_records
from miner.extract import EXTRACTOR_VERSION
from miner.tally import NONE, UNDETERMINED, TallyRow, headline_classifier, tally

TABLE_COLUMNS = ["venue", "year", "framework", "uses", "share", "ci95", "share_of_with_any"]
DENOM_COLUMNS = ["papers", "with_pdf", "extracted_ok", "failed", "classified", "with_any"]
USE_DEFINITION = (
    "A paper *uses* a framework when its text says the authors' own work was built or run with "
    "it (e.g. 'implemented in PyTorch', an import statement, a code-availability sentence). "
    "Citing, comparing with or discussing a framework is a *mention* and is never counted as use."
)
DISPLAY = {
    "pytorch": "PyTorch",
    "tensorflow": "TensorFlow",
    "keras": "Keras",
    "jax": "JAX",
    "mxnet": "MXNet",
    "caffe": "Caffe",
    "caffe2": "Caffe2",
    "theano": "Theano",
    "chainer": "Chainer",
    "paddlepaddle": "PaddlePaddle",
    "mindspore": "MindSpore",
    "cntk": "CNTK",
    "torch-lua": "Torch (Lua)",
    "dynet": "DyNet",
}
LIMITATIONS = [
    "Only papers whose PDF could be read are classified; unreadable PDFs (scans without a text "
    "layer, corrupt or encrypted files) and missing PDFs are counted as `(undetermined)`.",
    "Many papers never name the framework of their own code; they appear as `(none)`, which "
    "means 'no use found in the text', not 'no framework used'.",
    "A paper using several frameworks counts once for each, so framework shares can add up to "
    "more than 100%.",
    "Intervals are 95% Wilson score intervals for sampling error only; classifier errors "
    "(see the evaluation figures) are not included in them.",
]


def pct(x: float | None) -> str:
    """0.375 -> '37.5%'; None -> 'n/a'."""
    return "n/a" if x is None else f"{100 * x:.1f}%"


def ci(low: float | None, high: float | None) -> str:
    """A 95% interval as '13.7–69.4%'."""
    return "n/a" if low is None or high is None else f"{100 * low:.1f}–{100 * high:.1f}%"


def anchor(venue: str | None, year: int | None, framework: str) -> str:
    """The appendix id of one tally cell."""
    raw = f"ev {venue or 'all'} {year or 'all'} {framework}"
    return re.sub(r"[^A-Za-z0-9_]+", "-", raw).strip("-").lower()


@dataclass
class ReportData:
    """Everything a report shows, computed once so every format states the same figures."""

    classifier: str
    classifier_version: str
    selection: str
    overall: list[TallyRow]
    by_venue: list[TallyRow]
    by_venue_year: list[TallyRow]
    records: list[dict[str, Any]]
    evaluation: dict[str, Any] | None = None
    headline: list[str] = field(default_factory=list)
    stamp: dict[str, str] = field(default_factory=dict)
    """generated (date), generator (tool and version), database and command (to reproduce)."""

    @property
    def coverage(self) -> str:
        """How many classified papers state no framework use: a framework unknown, not absent."""
        none = next((r for r in self.overall if r.framework == NONE), None)
        if none is None or not none.classified:
            return "No paper was classified."
        return (
            f"Coverage: {none.uses} of {none.classified} classified papers ({pct(none.share)}) "
            "state no framework use in their text; for those the framework is unknown, not "
            "absent."
        )

    completeness: list[dict[str, Any]] = field(default_factory=list)


def collect(
    engine: Engine,
    *,
    classifier: str | None = None,
    venue: str | None = None,
    year: int | None = None,
    stamp: dict[str, str] | None = None,
) -> ReportData:
    """Tallies at three groupings, the papers with evidence, and the last evaluation run."""
    classifier = headline_classifier(engine, classifier)
    overall = tally(engine, classifier=classifier, venue=venue, year=year, by="all")
    data = ReportData(
        classifier=overall[0].classifier if overall else classifier,
        classifier_version=overall[0].classifier_version if overall else "",
        selection=", ".join(f"{k} {v}" for k, v in (("venue", venue), ("year", year)) if v)
        or "all papers",
        overall=overall,
        by_venue=tally(engine, classifier=classifier, venue=venue, year=year, by="venue"),
        by_venue_year=tally(engine, classifier=classifier, venue=venue, year=year, by="venue,year"),
        records=paper_records(
            engine, classifier=classifier, venue=venue, year=year, max_evidence=3
        ),
        evaluation=last_evaluation(engine),
        stamp=dict(stamp or {}),
        completeness=completeness_rows(engine, venue=venue, year=year),
    )
    data.headline = headline(overall)
    return data


def completeness_rows(
    engine: Engine, *, venue: str | None = None, year: int | None = None
) -> list[dict[str, Any]]:
    """The latest completeness check per crawl and venue/year (db.status.completeness), as
    `label` (venue year [track], or the crawl scope) and `text` (the numbers and the outcome)."""
    out = []
    for row in completeness(engine):
        if (venue and (row["venue"] or "").lower() != venue.lower()) or (
            year and row["year"] != year
        ):
            continue
        label = " ".join(str(row[k]) for k in ("venue", "year", "track") if row[k] is not None)
        parts = [f"{row['crawled']} crawled"]
        if row["published"] is not None:
            parts.append(f"{row['published']} published")
        if row["stated"] is not None:
            parts.append(f"listing {row['listed']} of {row['stated']} ({row['stated_label']})")
        out.append({**row, "label": label or row["scope"], "text": ", ".join(parts)})
    return out


def last_evaluation(engine: Engine) -> dict[str, Any] | None:
    """Figures of the latest finished `miner evaluate` run, if it ever ran on this database."""
    return last_run(engine, "evaluate")


def headline(overall: list[TallyRow]) -> list[str]:
    """Sentences with figures, intervals and denominators, e.g. 'PyTorch: used in 3 of 8
    papers classified (37.5%, 95% CI 13.7–69.4%).' (the denominator of every share)."""
    if not overall:
        return ["No papers match this selection."]
    first = overall[0]
    n = first.classified
    out = [
        f"Of {first.papers} papers listed, {first.with_pdf} have a PDF, {first.extracted_ok} were "
        f"extracted and {n} classified by {first.classifier} {first.classifier_version}; "
        f"{first.failed} PDFs could not be read and {first.missing_pdf} are missing."
    ]
    combined = "decided_by_text" in first.extras
    if combined:
        out.append(
            "Counted: the combined verdict (the text, and the paper's own code where its "
            "repository was read by `miner repos`)."
        )
    for r in overall:
        if r.framework in (NONE, UNDETERMINED) or not r.uses:
            continue
        out.append(
            f"{DISPLAY.get(r.framework, r.framework)}: used in {r.uses} of {n} papers classified "
            f"({pct(r.share)}, 95% CI {ci(r.share_low, r.share_high)})."
            + (_decided(r.extras) if combined else "")
        )
    none = next(r for r in overall if r.framework == NONE)
    out.append(
        f"No framework use found in {none.uses} of {n} papers classified "
        f"({pct(none.share)}, 95% CI {ci(none.share_low, none.share_high)})."
        + (_none_reasons(none.extras) if combined else "")
    )
    return out


def _decided(x: dict[str, Any]) -> str:
    return (
        f" Decided by the text {x['decided_by_text']}, by the code {x['decided_by_code']}, "
        f"by both agreeing {x['decided_by_both']}; text and code disagree on {x['disagree']}."
    )


def _none_reasons(x: dict[str, Any]) -> str:
    return (
        f" Of these, own code uses no listed framework: {x['none_no_listed_framework_in_code']};"
        f" no own code found: {x['none_no_own_code']}; not analysed: {x['none_not_analysed']}."
    )


def table_rows(rows: list[TallyRow]) -> list[dict[str, Any]]:
    """Display cells of the tally table, with the appendix anchor of each count."""
    out = []
    for r in rows:
        out.append(
            {
                "venue": r.venue or "all",
                "year": r.year or "all",
                "framework": r.framework,
                "uses": r.uses,
                "share": pct(r.share),
                "ci95": ci(r.share_low, r.share_high),
                "share_of_with_any": pct(r.share_of_with_any),
                **{c: getattr(r, c) for c in DENOM_COLUMNS},
                "anchor": anchor(r.venue, r.year, r.framework),
            }
        )
    return out


def appendix(data: ReportData) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(anchor, caption, papers) for every count in the venue x year table."""
    out = []
    for r in data.by_venue_year:
        group = [p for p in data.records if p["venue"] == r.venue and p["year"] == r.year]
        if r.framework == UNDETERMINED:
            papers = [p for p in group if not p["classified"]]
        elif r.framework == NONE:
            papers = [
                p
                for p in group
                if p["classified"] and not any(v["label"] == "uses" for v in p["verdicts"])
            ]
        else:
            papers = [
                {**p, "verdicts": [v for v in p["verdicts"] if v["framework"] == r.framework]}
                for p in group
                if any(
                    v["framework"] == r.framework and v["label"] == "uses" for v in p["verdicts"]
                )
            ]
        if not papers:
            continue  # zero counts get no appendix entry and no link
        caption = f"{r.venue or 'all'} {r.year or 'all'} — {r.framework}: {len(papers)} paper(s)"
        out.append((anchor(r.venue, r.year, r.framework), caption, papers))
    return out


def report_json(data: ReportData) -> dict[str, Any]:
    """The report's figures as data (same numbers as `miner tally --json`)."""
    return {
        "generator": f"framework-miner {__version__}",
        "stamp": data.stamp,
        "coverage": data.coverage,
        "classifier": data.classifier,
        "classifier_version": data.classifier_version,
        "extractor_version": EXTRACTOR_VERSION,
        "selection": data.selection,
        "headline": data.headline,
        "overall": [r.as_dict() for r in data.overall],
        "by_venue": [r.as_dict() for r in data.by_venue],
        "by_venue_year": [r.as_dict() for r in data.by_venue_year],
        "evaluation": data.evaluation,
    }


def esc(value: Any) -> str:
    """HTML-escaped text of a value."""
    return html.escape("" if value is None else str(value))


def inline_html(text: str) -> str:
    """Escaped text with the Markdown the report's sentences use (`code`, **strong**, *em*) as
    HTML, so no raw Markdown shows in report.html."""
    out = esc(text)
    out = re.sub(r"`([^`]+)`", r"<code>\1</code>", out)
    out = re.sub(r"\*\*([^*]+)\*\*", r"<strong>\1</strong>", out)
    return re.sub(r"(?<![\w*])\*([^*\s][^*]*?)\*(?![\w*])", r"<em>\1</em>", out)


def make_stamp(
    db: str,
    out_dir: Path,
    *,
    classifier: str,
    venue: str | None = None,
    year: int | None = None,
    svg: bool = False,
    day: str | None = None,
) -> dict[str, str]:
    """The report's stamp: the date (UTC, day only, so reruns the same day give equal files),
    the tool's version, the database (no password) and the `miner report` command that
    reproduces the report with these options."""
    import datetime
    import shlex

    from db.engine import display_url

    database = display_url(db)
    command = ["miner", "--db", shlex.quote(database), "report"]
    command += [f"--venue {shlex.quote(venue)}"] if venue else []
    command += [f"--year {year}"] if year else []
    command += [f"--classifier {classifier}", f"-o {shlex.quote(str(out_dir))}"]
    command += ["--svg"] if svg else []
    return {
        "generated": day or datetime.datetime.now(datetime.UTC).date().isoformat(),
        "generator": f"framework-miner {__version__}",
        "database": database,
        "command": " ".join(command),
    }
