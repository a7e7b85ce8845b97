"""OpenReview parser and paging on payloads BUILT FROM THE API DOCUMENTATION (tests/helpers/openreview_shapes.py):
no real recorded OpenReview response exists in the shared fixtures."""

from __future__ import annotations

from collections.abc import Mapping

import pytest

from miner.errors import ParseError, UsageError
from miner.sources.openreview import OpenReviewSource, api_version, notes_request, parse_notes
from miner.sources.source import CrawlSpec, Page
from tests.helpers.openreview_shapes import note_v1, note_v2, notes_page


def test_api_version_by_venue_and_year() -> None:
    assert api_version("ICLR", 2023) == 1 and api_version("ICLR", 2024) == 2
    assert api_version("NEURIPS", 2022) == 1 and api_version("NEURIPS", 2023) == 2
    url, params = notes_request("ICLR", 2024, 0)
    assert url == "https://api2.openreview.net/notes"
    assert params == {"content.venueid": "ICLR.cc/2024/Conference", "offset": 0, "limit": 1000}
    url, params = notes_request("ICLR", 2019, 1000)
    assert url == "https://api.openreview.net/notes"
    assert params["invitation"] == "ICLR.cc/2019/Conference/-/Blind_Submission"


def test_v1_accepted_by_venueid() -> None:
    body = notes_page(
        [
            note_v1(1, code="https://github.com/a/b"),
            note_v1(2, venueid="ICLR.cc/2023/Conference/Rejected_Submission"),
        ]
    )
    records, n, total = parse_notes(body, "ICLR", 2023)
    assert (n, total) == (2, 2)
    (rec,) = records
    assert rec.source_id == rec.openreview_id == "v1id1"
    assert rec.title == "Paper 1" and rec.authors == ("Author 1a", "Author 1b")
    assert rec.pdf_url == f"https://openreview.net/pdf/{1:040x}.pdf"
    assert rec.urls == ("https://openreview.net/forum?id=v1id1", "https://github.com/a/b")
    assert rec.track == "ICLR 2023 poster"


def test_v1_accepted_by_decision_when_venueid_missing() -> None:
    body = notes_page(
        [
            note_v1(1, venueid=None, decision="Accept (Oral)"),
            note_v1(2, venueid=None, decision="Reject"),
            note_v1(3, venueid=None),
        ]
    )
    assert [r.source_id for r in parse_notes(body, "ICLR", 2019)[0]] == ["v1id1"]


def test_v2_values_are_unwrapped() -> None:
    (rec,) = parse_notes(notes_page([note_v2(7)]), "ICLR", 2024)[0]
    assert rec.title == "Paper 7" and rec.authors == ("Author 7",) and rec.abstract == "Abstract 7."
    assert rec.venue == "ICLR" and rec.year == 2024


def test_paging_until_short_page() -> None:
    notes = [note_v2(i) for i in range(5)]
    pages = {0: notes[:2], 2: notes[2:4], 4: notes[4:]}
    asked = []

    def get(url: str, params: Mapping[str, str | int] | None) -> Page:
        assert params is not None
        asked.append(params["offset"])
        return Page(url, 200, notes_page(pages[int(params["offset"])], count=5))

    source = OpenReviewSource(page_size=2)
    records = list(source.crawl(get, CrawlSpec("openreview", venue="ICLR", year=2024)))
    assert [r.source_id for r in records] == [f"v2id{i}" for i in range(5)]
    assert asked == [0, 2, 4]


def test_bad_payloads_and_specs() -> None:
    with pytest.raises(ParseError):
        parse_notes(b"<html>", "ICLR", 2024)
    with pytest.raises(UsageError):
        OpenReviewSource().parse("x", b"{}", CrawlSpec("openreview", venue="CVPR", year=2024))
