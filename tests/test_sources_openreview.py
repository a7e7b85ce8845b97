"""OpenReview parser and paging on payloads BUILT FROM THE API DOCUMENTATION (tests/helpers/openreview_shapes.py):
no real recorded OpenReview response exists in the shared fixtures (nor anywhere we looked), so
every payload here is synthetic: v1 shapes for ICLR 2018-2023 and NeurIPS 2021-2022, v2 shapes for
ICLR 2024+, NeurIPS 2023+ and ICML 2023+."""

from __future__ import annotations

import json
from collections.abc import Mapping

import pytest

from miner.errors import ParseError, UsageError
from miner.sources.openreview import OpenReviewSource, api_version, notes_request, parse_notes
from miner.sources.openreview_decisions import DECIDES, deciding_signal
from miner.sources.source import CrawlSpec, Page
from tests.helpers.openreview_shapes import (
    note_v1,
    note_v1_replies,
    note_v2,
    notes_page,
    reply,
)


def accepted(body: bytes, venue: str, year: int) -> dict[str, str | None]:
    return {r.source_id: r.track for r in parse_notes(body, venue, year).records}


def test_api_version_by_venue_and_year() -> None:
    assert api_version("ICLR", 2023) == 1 and api_version("ICLR", 2024) == 2
    assert api_version("NEURIPS", 2022) == 1 and api_version("NEURIPS", 2023) == 2
    url, params = notes_request("ICLR", 2024, 0)
    assert url == "https://api2.openreview.net/notes"
    assert params == {"content.venueid": "ICLR.cc/2024/Conference", "offset": 0, "limit": 1000}
    url, params = notes_request("ICLR", 2019, 1000)
    assert url == "https://api.openreview.net/notes"
    assert params["invitation"] == "ICLR.cc/2019/Conference/-/Blind_Submission"


def test_per_year_table_of_deciding_signals() -> None:
    assert deciding_signal("ICLR", 2019, 1) == "meta_review"
    assert {deciding_signal("ICLR", y, 1) for y in (2018, 2020, 2021, 2022, 2023)} == {"decision"}
    assert {deciding_signal(v, y, 2) for v, y in [("ICLR", 2024), ("NEURIPS", 2023)]} == {"venueid"}
    assert set(DECIDES) >= {("NEURIPS", 2021), ("NEURIPS", 2022)}


def test_iclr_2018_acceptance_decisions_workshop_invites_do_not_count() -> None:
    inv = "ICLR.cc/2018/Conference/-/Acceptance_Decision"
    body = notes_page(
        [
            note_v1_replies(1, [reply(inv, decision="Accept (Oral)")]),
            note_v1_replies(2, [reply(inv, decision="Invite to Workshop Track")]),
            note_v1_replies(3, [reply(inv, decision="Reject")]),
            note_v1_replies(4, []),
        ]
    )
    page = parse_notes(body, "ICLR", 2018)
    assert {r.source_id: r.track for r in page.records} == {"v1id1": "oral"}
    assert page.outcomes == {"accepted": 1, "rejected": 2, "undecided": 1}


def test_iclr_2019_decides_by_meta_review_not_by_venueid() -> None:
    """Issue 19: ICLR 2019 keeps its decisions in meta-reviews; a venueid alone is no decision."""
    mr = "ICLR.cc/2019/Conference/-/Paper{}/Meta_Review"
    body = notes_page(
        [
            note_v1_replies(1, [reply(mr.format(1), recommendation="Accept (Poster)")]),
            note_v1_replies(2, [reply(mr.format(2), recommendation="Reject")]),
            note_v1_replies(3, [], venueid="ICLR.cc/2019/Conference"),
        ]
    )
    assert accepted(body, "ICLR", 2019) == {"v1id1": "poster"}


@pytest.mark.parametrize("year", [2020, 2021, 2022, 2023])
def test_iclr_v1_rejected_and_withdrawn_never_count(year: int) -> None:
    """Issue 19: rejected and withdrawn submissions that carry the conference venueid or a
    venue string are not accepted papers."""
    vid = f"ICLR.cc/{year}/Conference"
    dec = f"ICLR.cc/{year}/Conference/Paper{{}}/-/Decision"
    body = notes_page(
        [
            note_v1_replies(1, [reply(dec.format(1), decision="Accept (Spotlight)")], venueid=vid),
            note_v1_replies(2, [reply(dec.format(2), decision="Reject")], venueid=vid),
            note_v1_replies(
                3, [], venueid=f"{vid}/Withdrawn_Submission", venue=f"ICLR {year} Withdrawn"
            ),
            note_v1_replies(
                4,
                [reply(dec.format(4), decision="Accept (Poster)")],
                venue=f"ICLR {year} Conference Withdrawn Submission",
            ),
            note_v1_replies(
                5, [reply(f"{vid}/Paper5/-/Desk_Reject", desk_reject_comments="out of scope")]
            ),
            note_v1_replies(6, [], venueid=vid, venue=f"ICLR {year} Poster"),
            note_v1_replies(7, [reply(dec.format(7), decision="Accept: notable-top-5%")]),
        ]
    )
    page = parse_notes(body, "ICLR", year)
    assert {r.source_id: r.track for r in page.records} == {"v1id1": "spotlight", "v1id7": "oral"}
    assert page.outcomes == {
        "accepted": 2,
        "rejected": 1,
        "withdrawn": 2,
        "desk_rejected": 1,
        "undecided": 1,
    }


@pytest.mark.parametrize("year", [2021, 2022])
def test_neurips_v1_decisions(year: int) -> None:
    dec = f"NeurIPS.cc/{year}/Conference/Paper{{}}/-/Decision"
    body = notes_page(
        [
            note_v1_replies(1, [reply(dec.format(1), decision="Accept (Oral)")]),
            note_v1_replies(2, [reply(dec.format(2), decision="Reject")]),
            note_v1_replies(3, [reply(f"NeurIPS.cc/{year}/Conference/Paper3/-/Withdraw")]),
        ]
    )
    (rec,) = parse_notes(body, "NEURIPS", year).records
    assert (rec.source_id, rec.track, rec.venue, rec.year) == ("v1id1", "oral", "NeurIPS", year)


@pytest.mark.parametrize(
    ("venue", "year", "prefix"),
    [("ICLR", 2024, "ICLR.cc"), ("NEURIPS", 2023, "NeurIPS.cc"), ("ICML", 2023, "ICML.cc")],
)
def test_v2_venueid_decides_and_tracks_are_recorded(venue: str, year: int, prefix: str) -> None:
    vid = f"{prefix}/{year}/Conference"
    name = "NeurIPS" if venue == "NEURIPS" else venue
    body = notes_page(
        [
            note_v2(1, vid, f"{name} {year} oral"),
            note_v2(2, vid, f"{name} {year} spotlight"),
            note_v2(3, vid, f"{name} {year} Poster"),
            note_v2(4, f"{vid}/Rejected_Submission", f"Submitted to {name} {year}"),
            note_v2(5, f"{vid}/Withdrawn_Submission", f"{name} {year} Withdrawn Submission"),
            note_v2(6, f"{vid}/Desk_Rejected_Submission", f"{name} {year} Desk Rejected"),
            note_v2(7, None, f"{name} {year} poster"),  # issue 19: no venueid is no decision
        ]
    )
    page = parse_notes(body, venue, year)
    assert {r.source_id: r.track for r in page.records} == {
        "v2id1": "oral",
        "v2id2": "spotlight",
        "v2id3": "poster",
    }
    assert page.outcomes == {
        "accepted": 3,
        "rejected": 1,
        "withdrawn": 1,
        "desk_rejected": 1,
        "undecided": 1,
    }


def test_v1_fields() -> None:
    body = notes_page([note_v1(1, decision="Accept: poster", code="https://github.com/a/b")])
    (rec,) = parse_notes(body, "ICLR", 2023).records
    assert rec.track == "poster"
    assert rec.source_id == rec.openreview_id == "v1id1"
    assert rec.title == "Paper 1" and rec.authors == ("Author 1a", "Author 1b")
    assert rec.pdf_url == f"https://openreview.net/pdf/{1:040x}.pdf"
    assert rec.urls == ("https://openreview.net/forum?id=v1id1", "https://github.com/a/b")


def test_v2_values_are_unwrapped() -> None:
    (rec,) = parse_notes(notes_page([note_v2(7)]), "ICLR", 2024).records
    assert rec.title == "Paper 7" and rec.authors == ("Author 7",) and rec.abstract == "Abstract 7."
    assert rec.venue == "ICLR" and rec.year == 2024


def _with(note: dict[str, object], **content: object) -> bytes:
    note["content"].update(content)  # type: ignore[attr-defined]
    return notes_page([note])


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (json.dumps({"notes": 5, "count": 1}).encode(), "notes"),
        (json.dumps({"notes": [{"id": "x", "content": "a string"}]}).encode(), "notes[0].content"),
        (_with(note_v2(1), title={"value": ["a", "list"]}), "notes[0].content.title"),
        (_with(note_v2(1), authors={"value": "Alice"}), "notes[0].content.authors"),
        (b"[" * 100_000 + b"]" * 100_000, "ICLR 2024"),
        (json.dumps({"notes": [{"id": "a\u0000b", "content": {}}]}).encode(), "notes[0].id"),
        (json.dumps({"notes": [], "count": "many"}).encode(), "count"),
        (json.dumps([1, 2]).encode(), "ICLR 2024"),
        (json.dumps({"notes": [{"id": "x", "details": {"replies": 3}}]}).encode(), "replies"),
    ],
)
def test_wrong_shapes_raise_parse_error_naming_the_field(body: bytes, field: str) -> None:
    """Issue 18 for OpenReview: a wrong shape is a ParseError naming the field, no traceback,
    and `"Alice"` is never stored as the authors A, l, i, c, e."""
    with pytest.raises(ParseError) as err:
        parse_notes(body, "ICLR", 2024)
    assert err.value.source == "openreview" and field in str(err.value)


def serve(pages: Mapping[int, bytes]) -> tuple[list[int], object]:
    asked: list[int] = []

    def get(
        url: str, params: Mapping[str, str | int] | None = None, *, fresh: bool = False
    ) -> Page:
        assert params is not None
        asked.append(int(params["offset"]))
        return Page(url, 200, pages[int(params["offset"])])

    return asked, get


def test_paging_until_short_page() -> None:
    notes = [note_v2(i) for i in range(5)]
    asked, get = serve(
        {0: notes_page(notes[:2], 5), 2: notes_page(notes[2:4], 5), 4: notes_page(notes[4:], 5)}
    )
    source = OpenReviewSource(page_size=2)
    records = list(source.crawl(get, CrawlSpec("openreview", venue="ICLR", year=2024)))  # type: ignore[arg-type]
    assert [r.source_id for r in records] == [f"v2id{i}" for i in range(5)]
    assert asked == [0, 2, 4]


def test_full_pages_without_count_stop_at_the_hard_maximum() -> None:
    """Issue 18: no `count` and every page full; paging stops after max_pages, with an error."""
    pages = {o: notes_page([note_v2(o), note_v2(o + 1)], with_count=False) for o in range(0, 40, 2)}
    asked, get = serve(pages)
    source = OpenReviewSource(page_size=2, max_pages=5)
    with pytest.raises(ParseError, match="no end after 5 pages"):
        list(source.crawl(get, CrawlSpec("openreview", venue="ICLR", year=2024)))  # type: ignore[arg-type]
    assert asked == [0, 2, 4, 6, 8]


def test_a_repeated_page_stops_paging() -> None:
    """Issue 18: a server that ignores offset returns the same full page forever."""
    same = notes_page([note_v2(1), note_v2(2)], with_count=False)
    asked, get = serve({o: same for o in range(0, 20, 2)})
    with pytest.raises(ParseError, match="offset 2 repeats"):
        list(
            OpenReviewSource(page_size=2).crawl(
                get, CrawlSpec("openreview", venue="ICLR", year=2024)
            )
        )  # type: ignore[arg-type]
    assert asked == [0, 2]


def test_listed_is_every_note_against_count() -> None:
    body = notes_page([note_v2(1), note_v2(2, "ICLR.cc/2024/Conference/Rejected_Submission")], 7)
    listed = OpenReviewSource().listed("u", body, CrawlSpec("openreview", venue="ICLR", year=2024))
    assert (listed.entries, listed.stated, listed.label, listed.per_page) == (2, 7, "count", False)


def test_bad_payloads_and_specs() -> None:
    with pytest.raises(ParseError):
        parse_notes(b"<html>", "ICLR", 2024)
    with pytest.raises(UsageError):
        OpenReviewSource().parse("x", b"{}", CrawlSpec("openreview", venue="CVPR", year=2024))
