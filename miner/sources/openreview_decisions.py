"""Which OpenReview notes are accepted papers, and in which track (pure).

Built from the public API documentation (docs.openreview.net) and the venues' published
decision formats, not from recorded responses (none exist). A paper counts only on a decision:
the signal DECIDES names for its venue and year must say accept, and no other signal may say
rejected, withdrawn or desk-rejected. The signals a note can carry:

* `decision`: a direct reply whose invitation ends `/Decision` (ICLR 2018: `/Acceptance_Decision`)
  with `content.decision` such as `Accept (Poster)`, `Accept: notable-top-5%`, `Reject`,
  `Invite to Workshop Track` (v1: `details.directReplies`; v2: `details.replies` too).
* `meta_review`: a reply ending `/Meta_Review` whose `content.recommendation` (or `decision`)
  holds the verdict: ICLR 2019 published its decisions this way, not as Decision notes.
* `venueid`: `content.venueid` is the conference id (`ICLR.cc/2024/Conference`) for accepted
  papers, `.../Rejected_Submission`, `.../Withdrawn_Submission`, `.../Desk_Rejected_Submission`
  otherwise; it decides on API v2, where every year sets it.
* `venue`: `content.venue` text, e.g. `ICLR 2024 spotlight`, `Submitted to ICLR 2023`,
  `ICLR 2021 Conference Withdrawn Submission`: only ever a veto and a track hint.
* withdrawal and desk-reject replies (`/Withdraw`, `/Withdrawal`, `/Desk_Reject`,
  `/Desk_Rejection`): always a veto.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

DECIDES: dict[tuple[str, int], str] = {
    ("ICLR", 2018): "decision",
    ("ICLR", 2019): "meta_review",
    ("ICLR", 2020): "decision",
    ("ICLR", 2021): "decision",
    ("ICLR", 2022): "decision",
    ("ICLR", 2023): "decision",
    ("NEURIPS", 2021): "decision",
    ("NEURIPS", 2022): "decision",
}
"""The signal that decides acceptance per venue and year on API v1; API v2 years: `venueid`."""
NEGATIVE_VENUEIDS = (
    ("Desk_Rejected_Submission", "desk_rejected"),  # before Rejected_Submission, its suffix
    ("Withdrawn_Submission", "withdrawn"),
    ("Rejected_Submission", "rejected"),
)
NEGATIVE_WORDS = ("reject", "withdraw", "submitted to", "desk")
VETO_REPLIES = ("/Withdraw", "/Withdrawal", "/Desk_Reject", "/Desk_Rejection")
TRACK_WORDS = (
    ("notable-top-5%", "oral"),
    ("notable-top-25%", "spotlight"),
    ("oral", "oral"),
    ("talk", "oral"),
    ("spotlight", "spotlight"),
    ("poster", "poster"),
)
"""Decision or venue words -> track (ICLR 2023's top-5% were orals, top-25% spotlights)."""


@dataclass(frozen=True, slots=True)
class Verdict:
    """What the signals say about one note."""

    outcome: str
    """accepted | rejected | withdrawn | desk_rejected | undecided"""
    track: str | None = None
    """oral | spotlight | poster, when a signal names it."""


def deciding_signal(venue: str, year: int, api: int) -> str:
    """The signal that decides for a venue and year (see DECIDES)."""
    return "venueid" if api == 2 else DECIDES.get((venue, year), "decision")


def value(content: Mapping[str, Any], key: str) -> Any:
    """A content field in either shape: v1 plain value, v2 `{"value": ...}`."""
    raw = content.get(key)
    return raw.get("value") if isinstance(raw, dict) else raw


def track_of(*texts: str | None) -> str | None:
    """oral / spotlight / poster from the first text that names one."""
    for text in texts:
        low = (text or "").lower()
        for word, track in TRACK_WORDS:
            if word in low:
                return track
    return None


def _reply_verdicts(replies: Sequence[Mapping[str, Any]]) -> tuple[dict[str, str], str | None]:
    """{signal: verdict text} from decision / meta-review replies, and a veto outcome if any."""
    found: dict[str, str] = {}
    veto = None
    for reply in replies:
        invitation = str(reply.get("invitation") or "")
        invitations = [invitation, *map(str, reply.get("invitations") or [])]
        raw = reply.get("content")
        content: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
        if any(i.endswith(VETO_REPLIES) for i in invitations):
            veto = "desk_rejected" if any("Desk_Reject" in i for i in invitations) else "withdrawn"
        elif any(i.endswith(("/Decision", "/Acceptance_Decision")) for i in invitations):
            found["decision"] = str(value(content, "decision") or "")
        elif any(i.endswith("/Meta_Review") for i in invitations):
            verdict = value(content, "recommendation") or value(content, "decision")
            found["meta_review"] = str(verdict or "")
    return found, veto


def judge(
    content: Mapping[str, Any], replies: Sequence[Mapping[str, Any]], vid: str, deciding: str
) -> Verdict:
    """The verdict on one note from every signal it carries; `deciding` names the one that decides."""
    venueid = str(value(content, "venueid") or "")
    venue_text = str(value(content, "venue") or "")
    found, veto = _reply_verdicts(replies)
    if veto:
        return Verdict(veto)
    for suffix, outcome in NEGATIVE_VENUEIDS:
        if venueid.endswith(suffix):
            return Verdict(outcome)
    if any(w in venue_text.lower() for w in NEGATIVE_WORDS):
        return Verdict("withdrawn" if "withdraw" in venue_text.lower() else "rejected")
    if deciding == "venueid":
        if venueid != vid:
            return Verdict("undecided")
        return Verdict("accepted", track_of(venue_text, found.get("decision")))
    verdict = found.get(deciding)
    if verdict is None:
        return Verdict("undecided")
    if not verdict.lower().startswith("accept"):
        return Verdict("rejected")
    return Verdict("accepted", track_of(verdict, venue_text))
