"""The report as a reader sees it (issue 16): report.html rendered by headless Chromium from
Debian's packages; the DOM is checked and a screenshot is kept. Skips where Chromium is not
installed (`.ci/run` installs it in CI)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers.cli import Miner

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="chromium not installed (apt chromium)")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    cmd = [str(CHROMIUM), *FLAGS, f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=True)


@pytest.fixture(scope="module")
def page(demo_db: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("browser")
    Miner(demo_db, out / "data")("report", "-o", str(out / "r"))
    html = out / "r" / "report.html"
    dom = chromium(out, "--dump-dom", html.as_uri()).stdout
    return html, dom


def test_the_rendered_page_leads_with_the_figures(page: tuple[Path, str]) -> None:
    _, dom = page
    order = [dom.index(x) for x in ('id="headline"', 'id="trend"', 'id="tally"')]
    assert order == sorted(order)  # headline, then the chart, then the table
    assert re.search(r"used in \d+ of \d+ papers classified", dom)
    assert dom.count("<img") == 2 and "data:image/png;base64," in dom
    assert "Generated " in dom and "reproduce with" in dom and "framework-miner " in dom
    assert "Coverage: " in dom


def test_no_raw_markdown_shows(page: tuple[Path, str]) -> None:
    _, dom = page
    text = re.sub(r"<(style|script)[^>]*>.*?</\1>", "", dom, flags=re.S)
    text = re.sub(r"<[^>]+>", "", text)
    assert "`" not in text and "*uses*" not in text and "**" not in text
    assert "<em>uses</em>" in dom and "<code>" in dom


def test_every_count_link_lands_on_an_anchor(page: tuple[Path, str]) -> None:
    _, dom = page
    targets = set(re.findall(r"href=\"#([^\"]+)\"", dom))
    ids = set(re.findall(r"id=\"([^\"]+)\"", dom))
    assert targets and targets <= ids


def test_screenshot(page: tuple[Path, str], tmp_path: Path) -> None:
    html, _ = page
    shot = Path(os.environ.get("MINER_ARTIFACTS", tmp_path)) / "report.png"
    shot.parent.mkdir(parents=True, exist_ok=True)
    chromium(tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", html.as_uri())
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 20_000
