"""Report and plots (issue #6): a self-contained, reproducible report whose every number links
to the papers and evidence behind it, with headline wording that says use, not mention."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from miner.report import DISPLAY
from tests.helpers.cli import Miner


@pytest.fixture(scope="module")
def report_dir(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("report")
    Miner(demo_db, out / "data")("report", "-o", str(out / "r"), "--svg")
    return out / "r"


def test_report_files_and_self_contained_html(report_dir: Path) -> None:
    names = {p.name for p in report_dir.iterdir()}
    assert {"report.html", "report.md", "report.json", "trend.png", "venues.png"} <= names
    assert {"trend.svg", "venues.svg"} <= names
    assert (report_dir / "trend.png").read_bytes().startswith(b"\x89PNG")
    page = (report_dir / "report.html").read_text()
    assert page.count("src='data:image/png;base64,") == 2
    assert not re.search(r"""(src|href)=['"]https?:""", page)


def test_headline_says_use_with_denominators_and_intervals(report_dir: Path) -> None:
    data = json.loads((report_dir / "report.json").read_text())
    first, *claims = data["headline"]
    assert first.startswith("Of 8 papers listed")
    assert data["classifier"] in first and data["classifier_version"] in first
    pattern = re.compile(
        r"^(.+?): used in (\d+) of (\d+) papers classified \([\d.]+%, 95% CI [\d.]+–[\d.]+%\)\.$"
    )
    overall = {r["framework"]: r for r in data["overall"]}
    used = [c for c in claims if pattern.match(c)]
    assert used, claims
    for claim in used:
        name, k, n = pattern.match(claim).groups()  # type: ignore[union-attr]
        fw = {shown: key for key, shown in DISPLAY.items()}[name]
        assert (int(k), int(n)) == (overall[fw]["uses"], overall[fw]["classified"])
    assert not any("mention" in c for c in claims)
    md = (report_dir / "report.md").read_text()
    assert all(c in md for c in claims)


def test_every_table_number_links_to_its_evidence(report_dir: Path) -> None:
    md = (report_dir / "report.md").read_text()
    links = re.findall(r"\[(\d+)\]\(#([\w-]+)\)", md)
    counts = re.findall(r"^\| [^|]+ \| [^|]+ \| [^|]+ \| ([^|]+) \|", md, flags=re.M)[1:]
    assert links and len(links) == len([c for c in counts if c.strip() != "0"])
    for count, target in links:
        section = md.split(f'<a id="{target}"></a>', 1)[1].split("<a id=", 1)[0]
        papers = re.findall(r"^- paper \d+:", section, flags=re.M)
        assert len(papers) == int(count), target
        if int(count) and "none" not in target and "undetermined" not in target:
            assert "uses, p. " in section  # at least one quoted evidence snippet
    page = (report_dir / "report.html").read_text()
    for target in re.findall(r"href='#([\w-]+)'", page):
        assert f"id='{target}'" in page


def test_report_is_reproducible(demo_db: Path, report_dir: Path, tmp_path: Path) -> None:
    """The command the report names as its reproduction gives the same files again."""
    names = ("report.md", "report.json", "report.html", "trend.png")
    before = {name: (report_dir / name).read_bytes() for name in names}
    stamp = json.loads(before["report.json"])["stamp"]
    assert stamp["command"] == (
        f"miner --db {demo_db} report --classifier rules -o {report_dir} --svg"
    )
    assert stamp["generator"].startswith("framework-miner ") and stamp["database"] == str(demo_db)
    Miner(demo_db, tmp_path / "data")(*stamp["command"].split()[3:])
    for name in names:
        assert (report_dir / name).read_bytes() == before[name], name


def test_plot_command(demo_db: Path, tmp_path: Path) -> None:
    m = Miner(demo_db, tmp_path / "data")
    m("plot", "trend", "--framework", "jax", "-o", str(tmp_path / "t.svg"))
    assert (tmp_path / "t.svg").read_text().lstrip().startswith("<?xml")
    m("plot", "venues", "-o", str(tmp_path / "v.png"))
    assert (tmp_path / "v.png").stat().st_size > 1000
    bad = m("plot", "venues", "-o", str(tmp_path / "v.gif"), ok=False)
    assert bad.exit_code == 2 and ".png or .svg" in bad.stderr
    none = m("plot", "trend", "--venue", "Nowhere", "-o", str(tmp_path / "n.png"), ok=False)
    assert none.exit_code == 2


def test_readme_shows_the_real_demo_table(demo_db: Path, tmp_path: Path) -> None:
    """The README's demo table is what the demo database gives today (issue #6)."""
    from tests.helpers.paths import ROOT

    readme = (ROOT / "README.md").read_text()
    table = Miner(demo_db, tmp_path / "data")("-q", "tally", "--by", "venue").stdout
    assert table.strip() and table.strip() in readme
    assert "![" in readme and "docs/demo-trend.png" in readme
    assert (ROOT / "docs" / "demo-trend.png").stat().st_size < 200_000
