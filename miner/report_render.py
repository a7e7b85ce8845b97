"""Rendering of a ReportData as Markdown and as one self-contained HTML page, and
`write_report`, which writes them with report.json and the charts into a folder (file IO)."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from db import Engine
from miner.extract import EXTRACTOR_VERSION
from miner.plots import save, trend_figure, venues_figure
from miner.report import (
    DENOM_COLUMNS,
    LIMITATIONS,
    TABLE_COLUMNS,
    USE_DEFINITION,
    ReportData,
    appendix,
    collect,
    esc,
    inline_html,
    report_json,
    table_rows,
)

CSS = """
body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}
table{border-collapse:collapse;font-size:.9em}td,th{border:1px solid #ccc;padding:.2em .5em}
th{background:#f4f4f4}td.n{text-align:right}.headline{font-size:1.1em;background:#f8f8e8;
padding:.5em 1em;border-left:4px solid #cc9}blockquote{margin:.2em 0 .2em 1em;color:#444;
font-size:.9em}img{max-width:100%}figure{margin:1em 0}.stamp{color:#555;font-size:.9em}
"""


def _methodology(data: ReportData) -> list[str]:
    lines = [
        USE_DEFINITION,
        f"Classifier: `{data.classifier}` version `{data.classifier_version}`; "
        f"extractor version `{EXTRACTOR_VERSION}`.",
        "Share = papers using the framework / papers extracted and classified; "
        "share_of_with_any = papers using it / papers using any framework. "
        "Intervals: 95% Wilson score.",
        data.coverage,
    ]
    if data.evaluation:
        lines.append(evaluation_sentence(data.evaluation))
    else:
        lines.append("No `miner evaluate` run is recorded in this database.")
    checks = "; ".join(f"{c['label']}: {c['text']} ({c['outcome']})" for c in data.completeness)
    lines.append(
        "Completeness (papers crawled against the published count and the listing's own count, "
        f"1% tolerance): {checks or 'no crawl checked in this database'}."
    )
    return lines


def evaluation_sentence(run: dict[str, Any]) -> str:
    """The latest `miner evaluate` run as one sentence: what was scored, on what, the figures
    (micro and macro F1 of `uses` first, with their intervals when recorded)."""
    args = run.get("args") or {}
    counts = dict(run.get("counts") or {})

    def figure(key: str) -> str:
        value = counts.pop(key)
        low, high = counts.pop(f"{key}_low", None), counts.pop(f"{key}_high", None)
        text = f"{value:.3f}" if isinstance(value, float) else str(value)
        return text + (f" (95% CI {low:.3f}–{high:.3f})" if low is not None else "")

    first = [f"{k.replace('_', ' ')} {figure(k)}" for k in HEADLINE_FIGURES if k in counts]
    rest = [
        f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in sorted(counts.items())
    ]
    what = str(args.get("classifier") or "a classifier")
    gold = f" against `{args['gold']}`" if args.get("gold") else ""
    when = f" ({run['finished_at']})" if run.get("finished_at") else ""
    return f"Latest `miner evaluate` run{when}: `{what}`{gold}: " + "; ".join(first + rest) + "."


HEADLINE_FIGURES = ("micro_f1", "macro_f1", "baseline_micro_f1", "baseline_macro_f1")


def _evidence_md(p: dict[str, Any]) -> list[str]:
    title = p["title"] or p["file"] or p["source_id"]
    out = [f"- paper {p['paper_id']}: {title} (`{p['file'] or p['source_id']}`, {p['status']})"]
    if p["error"]:
        out.append(f"  - reason: {p['error']}")
    for v in p["verdicts"]:
        for ev in v["evidence"]:
            snippet = " ".join(str(ev["snippet"]).split())
            out.append(
                f"  - {v['framework']} {v['label']}, p. {ev['page']} {ev['section']} "
                f"[{ev['rule']}]: “{snippet}”"
            )
    return out


def _stamp_md(data: ReportData) -> list[str]:
    st = data.stamp
    if not st:
        return []
    return [
        f"Generated {st['generated']} by {st['generator']} from `{st['database']}`; "
        f"reproduce with `{st['command']}`."
    ]


def render_markdown(data: ReportData) -> str:
    """The report as Markdown; charts are linked as trend.png and venues.png beside it."""
    cols = TABLE_COLUMNS + DENOM_COLUMNS
    lines = [f"# Framework use — {data.selection}", ""]
    lines += [*_stamp_md(data), ""]
    lines += [data.headline[0], ""] + [f"- **{h}**" for h in data.headline[1:]]
    lines += [
        "",
        "![Share of papers using each framework per year](trend.png)",
        "",
        "![Papers using each framework per venue](venues.png)",
    ]
    lines += ["", "## Tally by venue and year", ""]
    lines.append("| " + " | ".join(cols) + " |")
    lines.append("|" + "|".join("---" for _ in cols) + "|")
    for row in table_rows(data.by_venue_year):
        cells = [str(row[c]) for c in cols]
        if row["uses"]:
            cells[cols.index("uses")] = f"[{row['uses']}](#{row['anchor']})"
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "## Methodology", ""]
    lines += [f"- {m}" for m in _methodology(data)]
    lines += ["", "## Limitations", ""] + [f"- {m}" for m in LIMITATIONS]
    lines += ["", "## Appendix: papers and evidence behind every number", ""]
    for aid, caption, papers in appendix(data):
        lines += [f'<a id="{aid}"></a>', "", f"### {caption}", ""]
        for p in papers:
            lines += _evidence_md(p)
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _evidence_html(p: dict[str, Any]) -> str:
    title = p["title"] or p["file"] or p["source_id"]
    parts = [
        f"<li>paper {p['paper_id']}: {esc(title)} (<code>{esc(p['file'] or p['source_id'])}"
        f"</code>, {esc(p['status'])})"
    ]
    if p["error"]:
        parts.append(f"<br>reason: {esc(p['error'])}")
    for v in p["verdicts"]:
        for ev in v["evidence"]:
            parts.append(
                f"<blockquote>{esc(v['framework'])} {esc(v['label'])}, p. {esc(ev['page'])} "
                f"{esc(ev['section'])} [{esc(ev['rule'])}]: “{esc(ev['snippet'])}”</blockquote>"
            )
    return "".join(parts) + "</li>"


def render_html(data: ReportData, images: dict[str, str]) -> str:
    """The report as one HTML page with the charts embedded as base64 PNG: headline and charts
    first, then the table, methodology, limitations and the evidence appendix."""
    cols = TABLE_COLUMNS + DENOM_COLUMNS
    out = [
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>Framework use — {esc(data.selection)}</title><style>{CSS}</style></head><body>",
        f"<h1>Framework use — {esc(data.selection)}</h1>",
        *(f"<p class='stamp'>{inline_html(line)}</p>" for line in _stamp_md(data)),
        f"<p>{esc(data.headline[0])}</p><div class='headline' id='headline'>",
        *(f"<p>{esc(h)}</p>" for h in data.headline[1:]),
        "</div>",
    ]
    for name, alt in (
        ("trend", "Share of papers using each framework per year"),
        ("venues", "Papers using each framework per venue"),
    ):
        if name in images:
            out.append(
                f"<figure id='{name}'><img alt='{alt}' src='data:image/png;base64,"
                f"{images[name]}'></figure>"
            )
    out += ["<h2>Tally by venue and year</h2><table id='tally'><tr>"]
    out += [f"<th>{esc(c)}</th>" for c in cols] + ["</tr>"]
    for row in table_rows(data.by_venue_year):
        cells = []
        for c in cols:
            text = esc(row[c])
            if c == "uses" and row["uses"]:
                text = f"<a href='#{row['anchor']}'>{text}</a>"
            cls = " class='n'" if c not in ("venue", "framework") else ""
            cells.append(f"<td{cls}>{text}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table><h2>Methodology</h2><ul id='methodology'>")
    out += [f"<li>{inline_html(m)}</li>" for m in _methodology(data)]
    out.append("</ul><h2>Limitations</h2><ul>")
    out += [f"<li>{inline_html(m)}</li>" for m in LIMITATIONS]
    out.append("</ul><h2>Appendix: papers and evidence behind every number</h2>")
    for aid, caption, papers in appendix(data):
        out.append(f"<h3 id='{aid}'>{esc(caption)}</h3><ul>")
        out += [_evidence_html(p) for p in papers]
        out.append("</ul>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def write_report(
    engine: Engine,
    out_dir: Path,
    *,
    classifier: str | None = None,
    venue: str | None = None,
    year: int | None = None,
    svg: bool = False,
    stamp: dict[str, str] | None = None,
) -> dict[str, Path]:
    """Write report.html, report.md, report.json, trend.png and venues.png (plus .svg) into
    out_dir (created); returns the paths by name. Rerunning on the same DB rewrites equal files."""
    out_dir.mkdir(parents=True, exist_ok=True)
    data = collect(engine, classifier=classifier, venue=venue, year=year, stamp=stamp)
    paths: dict[str, Path] = {}
    charts = {"trend": trend_figure(data.by_venue_year), "venues": venues_figure(data.by_venue)}
    images: dict[str, str] = {}
    for name, fig in charts.items():
        paths[name] = save(fig, out_dir / f"{name}.png")
        images[name] = base64.b64encode(paths[name].read_bytes()).decode("ascii")
        if svg:
            paths[f"{name}_svg"] = save(fig, out_dir / f"{name}.svg")
    paths["json"] = out_dir / "report.json"
    paths["json"].write_text(json.dumps(report_json(data), indent=2) + "\n", encoding="utf-8")
    paths["markdown"] = out_dir / "report.md"
    paths["markdown"].write_text(render_markdown(data), encoding="utf-8")
    paths["html"] = out_dir / "report.html"
    paths["html"].write_text(render_html(data, images), encoding="utf-8")
    return paths
