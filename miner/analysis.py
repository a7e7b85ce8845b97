"""pandas DataFrames over the database for notebooks: the tally exactly as `miner tally --json`
gives it, papers with verdicts, and the evidence snippets behind every count (DB reads only).

    >>> from miner.analysis import tally_frame, evidence_frame
    >>> tally_frame("demo.db", by="venue,year")
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from miner.export import flat_rows, paper_records
from miner.tally import tally

if TYPE_CHECKING:
    import pandas as pd

    from db import Engine

EVIDENCE_COLUMNS = [
    "paper_id",
    "venue",
    "year",
    "title",
    "file",
    "framework",
    "label",
    "confidence",
    "page",
    "section",
    "rule",
    "term",
    "snippet",
]


def engine_for(db: str | Engine) -> Engine:
    """An engine from a path, a SQLAlchemy URL or an engine (returned as is)."""
    if isinstance(db, str):
        from db import make_engine

        return make_engine(db)
    return db


def tally_frame(
    db: str | Engine,
    *,
    classifier: str | None = None,
    venue: str | None = None,
    year: int | None = None,
    framework: str | None = None,
    by: str = "venue,year",
    include_mentions: bool = False,
    baseline: bool = False,
) -> pd.DataFrame:
    """The tally as a DataFrame: one row per group and framework, same columns and figures as
    `miner tally --json` with the same options (shares in 0..1, intervals in *_low/*_high)."""
    import pandas as pd

    rows = tally(
        engine_for(db),
        classifier=classifier,
        venue=venue,
        year=year,
        framework=framework,
        by=by,
        include_mentions=include_mentions,
        baseline=baseline,
    )
    frame = pd.DataFrame([r.as_dict() for r in rows])
    if not frame.empty:
        frame["year"] = frame["year"].astype("Int64")
    return frame


def papers_frame(
    db: str | Engine,
    *,
    classifier: str | None = None,
    venue: str | None = None,
    year: int | None = None,
) -> pd.DataFrame:
    """One row per paper and non-absent verdict (as `miner export --format csv`)."""
    import pandas as pd

    records = paper_records(engine_for(db), classifier=classifier, venue=venue, year=year)
    return pd.DataFrame(flat_rows(records))


def evidence_frame(
    db: str | Engine,
    *,
    classifier: str | None = None,
    framework: str | None = None,
    venue: str | None = None,
    year: int | None = None,
    label: str | None = "uses",
) -> pd.DataFrame:
    """One row per evidence snippet behind a verdict (page, section, rule, term, snippet),
    filtered by framework and label (`uses`, `mentions`, or None for both)."""
    import pandas as pd

    records = paper_records(engine_for(db), classifier=classifier, venue=venue, year=year)
    rows: list[dict[str, Any]] = []
    for rec in records:
        for v in rec["verdicts"]:
            if framework is not None and v["framework"] != framework:
                continue
            if label is not None and v["label"] != label:
                continue
            for ev in v["evidence"]:
                rows.append(
                    {
                        **{k: rec[k] for k in ("paper_id", "venue", "year", "title", "file")},
                        "framework": v["framework"],
                        "label": v["label"],
                        "confidence": v["confidence"],
                        **ev,
                    }
                )
    return pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)


def trend_png(
    db: str | Engine,
    *,
    classifier: str | None = None,
    venue: str | None = None,
    year: int | None = None,
    frameworks: tuple[str, ...] = (),
) -> bytes:
    """The report's trend chart as PNG bytes (same colours, intervals and years as
    `miner report` and `miner plot trend`), e.g. `IPython.display.Image(trend_png(db))`."""
    import io

    from miner.plots import trend_figure

    rows = tally(engine_for(db), classifier=classifier, venue=venue, year=year, by="venue,year")
    buf = io.BytesIO()
    trend_figure(rows, frameworks or None).savefig(buf, format="png", dpi=100)
    return buf.getvalue()
