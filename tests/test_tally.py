"""Tally (issue #6): Wilson intervals, every denominator, (none)/(undetermined), mentions kept
apart from uses, the keyword baseline side by side, filters and output formats."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from classifiers import get_classifier
from classifiers.labels import FRAMEWORKS
from db import make_engine
from db.schema import Extraction, Paper, PredictionRow
from miner.errors import UsageError
from miner.extract import EXTRACTOR_VERSION
from miner.tally import NONE, UNDETERMINED, tally, tally_warnings, wilson
from tests.helpers.cli import Miner

RULES = get_classifier("rules")
BASE = get_classifier("keyword-baseline")
T0 = datetime(2024, 1, 1)


def add_paper(
    session: Session,
    n: int,
    venue: str,
    year: int,
    *,
    status: str | None = "ok",
    pdf: bool = True,
    uses: tuple[str, ...] = (),
    mentions: tuple[str, ...] = (),
    base_uses: tuple[str, ...] | None = None,
    classified: bool = True,
) -> None:
    """One paper with an extraction status and rules (and optionally baseline) verdicts."""
    session.add(
        Paper(
            id=n,
            source="test",
            source_id=str(n),
            venue=venue,
            year=year,
            pdf_sha256=f"{n:064d}" if pdf else None,
            fetch_status="local" if pdf else "failed",
            created_at=T0,
        )
    )
    session.flush()  # no ORM relationships: insert the paper before rows that reference it
    if status is not None:
        session.add(
            Extraction(
                paper_id=n,
                extractor_version=EXTRACTOR_VERSION,
                status=status,
                extracted_at=T0,
            )
        )
    verdicts = [(RULES, uses, mentions)] if classified else []
    if base_uses is not None:
        verdicts.append((BASE, base_uses, ()))
    for clf, used, mentioned in verdicts:
        for fw in FRAMEWORKS:
            label = "uses" if fw in used else "mentions" if fw in mentioned else "absent"
            session.add(
                PredictionRow(
                    paper_id=n,
                    classifier=clf.NAME,
                    classifier_version=clf.VERSION,
                    framework=fw,
                    label=label,
                    confidence=0.9,
                    extractor_version=EXTRACTOR_VERSION,
                )
            )


@pytest.fixture
def engine(tmp_path: Path) -> Engine:
    """Conf 2019: 6 papers listed, 1 without PDF, 1 unreadable, 4 read and classified."""
    eng = make_engine(str(tmp_path / "t.db"))
    with Session(eng) as s:
        add_paper(s, 1, "Conf", 2019, uses=("pytorch",), base_uses=("pytorch", "tensorflow"))
        add_paper(s, 2, "Conf", 2019, uses=("pytorch", "jax"), base_uses=("pytorch",))
        add_paper(s, 3, "Conf", 2019, mentions=("tensorflow",), base_uses=("tensorflow",))
        add_paper(s, 4, "Conf", 2019, base_uses=())
        add_paper(s, 5, "Conf", 2019, status="no_text", classified=False)
        add_paper(s, 6, "Conf", 2019, status=None, pdf=False, classified=False)
        add_paper(s, 7, "Conf", 2020, uses=("tensorflow",), base_uses=("tensorflow",))
        add_paper(s, 8, "Other", 2019, uses=("pytorch",), base_uses=("pytorch",))
        s.commit()
    return eng


def test_wilson_matches_published_values() -> None:
    low, high = wilson(2, 5)
    assert (round(low or 0, 4), round(high or 0, 4)) == (0.1176, 0.7693)
    assert wilson(0, 10)[0] == 0.0 and round(wilson(0, 10)[1] or 0, 4) == 0.2775
    assert wilson(0, 0) == (None, None)
    for n in range(1, 200):  # the share always lies inside its interval, also at 0 and n
        for k in (0, 1, n - 1, n):
            low, high = wilson(k, n)
            assert low is not None and high is not None and low <= k / n <= high
    with pytest.raises(ValueError):
        wilson(3, 2)


def test_denominators_and_shares(engine: Engine) -> None:
    rows = {r.framework: r for r in tally(engine, classifier="rules", venue="conf", year=2019)}
    assert list(rows) == ["pytorch", "jax", NONE, UNDETERMINED]
    pt = rows["pytorch"]
    assert (pt.papers, pt.with_pdf, pt.missing_pdf, pt.extracted_ok, pt.failed) == (6, 5, 1, 4, 1)
    assert (pt.classified, pt.with_any, pt.uses) == (4, 2, 2)
    assert pt.share == 0.5 and pt.share_of_with_any == 1.0
    assert (pt.share_low, pt.share_high) == wilson(2, 4)
    assert (pt.with_any_low, pt.with_any_high) == wilson(2, 2)
    assert (rows[NONE].uses, rows[NONE].share) == (2, 0.5)
    assert rows[UNDETERMINED].uses == 2 and rows[UNDETERMINED].share is None
    assert (pt.classifier, pt.classifier_version) == (RULES.NAME, RULES.VERSION)
    # Every listed paper is in exactly one of: a with_any paper, (none), (undetermined).
    assert pt.with_any + rows[NONE].uses + rows[UNDETERMINED].uses == pt.papers


def test_groupings(engine: Engine) -> None:
    by_venue = tally(engine, classifier="rules", by="venue")
    assert {(r.venue, r.year) for r in by_venue} == {("Conf", None), ("Other", None)}
    overall = tally(engine, classifier="rules", by="all")
    assert {r.papers for r in overall} == {8}
    by_year = {(r.year, r.framework): r.uses for r in tally(engine, classifier="rules", by="year")}
    assert by_year[(2019, "pytorch")] == 3 and by_year[(2020, "tensorflow")] == 1


def test_mentions_are_a_separate_column_never_added_to_uses(engine: Engine) -> None:
    plain = {r.framework: r for r in tally(engine, classifier="rules", venue="Conf", year=2019)}
    rows = {
        r.framework: r
        for r in tally(engine, classifier="rules", venue="Conf", year=2019, include_mentions=True)
    }
    assert "tensorflow" not in plain
    assert rows["tensorflow"].uses == 0 and rows["tensorflow"].extras["mentions_only"] == 1
    assert rows["pytorch"].uses == plain["pytorch"].uses
    assert rows[NONE].extras["mentions_only"] is None


def test_baseline_side_by_side(engine: Engine) -> None:
    rows = {
        r.framework: r.as_dict()
        for r in tally(engine, classifier="rules", venue="Conf", year=2019, baseline=True)
    }
    assert rows["tensorflow"]["uses"] == 0 and rows["tensorflow"]["baseline_uses"] == 2
    assert rows["pytorch"]["baseline_uses"] == 2 and rows["pytorch"]["baseline_share"] == 0.5
    assert rows[NONE]["baseline_uses"] == 1
    assert rows["pytorch"]["baseline_classifier"] == f"{BASE.NAME} {BASE.VERSION}"


def test_baseline_not_run_is_a_usage_error(mem_engine: Engine) -> None:
    eng = mem_engine
    with Session(eng) as s:
        add_paper(s, 1, "Conf", 2019, uses=("pytorch",))
        s.commit()
    with pytest.raises(UsageError, match="classify --classifier keyword-baseline"):
        tally(eng, classifier="rules", baseline=True)


def test_framework_filter_keeps_zero_rows(engine: Engine) -> None:
    rows = tally(engine, classifier="rules", by="venue,year", framework="jax")
    assert [(r.venue, r.year, r.uses) for r in rows] == [
        ("Conf", 2019, 1),
        ("Conf", 2020, 0),
        ("Other", 2019, 0),
    ]
    with pytest.raises(UsageError, match="unknown framework"):
        tally(engine, classifier="rules", framework="numpy")
    with pytest.raises(UsageError):
        tally(engine, classifier="nope")


def test_unclassified_papers_are_undetermined_and_warned(mem_engine: Engine) -> None:
    eng = mem_engine
    with Session(eng) as s:
        add_paper(s, 1, "Conf", 2019, uses=("pytorch",))
        add_paper(s, 2, "Conf", 2019, classified=False)
        s.commit()
    rows = {r.framework: r for r in tally(eng, classifier="rules")}
    assert rows["pytorch"].classified == 1 and rows[UNDETERMINED].uses == 1
    assert any("not classified" in w for w in tally_warnings(list(rows.values())))


def test_cli_formats_agree(engine: Engine, tmp_path: Path) -> None:
    engine.dispose()
    m = Miner(tmp_path / "t.db", tmp_path / "data")
    data = m.json("tally", "--by", "venue", "--include-mentions", "--baseline")
    conf = {r["framework"]: r for r in data if r["venue"] == "Conf"}
    assert conf["pytorch"]["uses"] == 2 and conf["pytorch"]["classified"] == 5
    assert {"share_low", "share_high", "mentions_only", "baseline_uses", "missing_pdf"} <= set(
        conf["pytorch"]
    )
    text = m("tally", "--by", "venue", "--csv").stdout
    parsed = list(csv.DictReader(io.StringIO(text)))
    assert [(r["venue"], r["framework"], int(r["uses"])) for r in parsed] == [
        (r["venue"], r["framework"], r["uses"]) for r in m.json("tally", "--by", "venue")
    ]
    table = m("tally", "--venue", "Conf", "--year", "2019")
    assert "ci95" in table.stdout and "0.150-0.850" in table.stdout
    assert "not merely mentioned" in table.stderr
    md = m("tally", "--markdown", "--include-mentions").stdout
    assert md.startswith("| venue | year | framework | uses | mentions_only |")
    bad = m("tally", "--framework", "numpy", ok=False)
    assert bad.exit_code == 2
