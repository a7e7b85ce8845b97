"""OpenReview API response shapes, in one place, BUILT FROM THE PUBLIC API DOCUMENTATION.

No real recorded OpenReview response exists (see ../shared/fixtures/http/openreview/PROVENANCE.md),
so these payloads are synthetic: field names and nesting follow docs.openreview.net (API v1 notes
with plain content values and `details.directReplies`; API v2 notes whose content fields are
`{"value": ...}`; `count` for paging) and the 429 body quoted in a public GitHub issue
(mireklzicar/openreview_downloader#4: `RateLimitError` with `details.resetTime`).

Decision shapes per venue and year (miner.sources.openreview_decisions.DECIDES), as the venues
published them: API v1 ICLR 2018 `/-/Acceptance_Decision` replies (`Accept (Oral)`, `Invite to
Workshop Track`, `Reject`); ICLR 2019 `Paper<N>/Meta_Review` replies with `recommendation`;
ICLR 2020-2023 and NeurIPS 2021-2022 `Paper<N>/-/Decision` replies (`Accept (Talk)`,
`Accept: notable-top-5%`...); API v2 (ICLR 2024+, NeurIPS 2023+, ICML 2023+) `content.venueid`
`<Venue>/<year>/Conference` or `.../Rejected_Submission`, `.../Withdrawn_Submission`,
`.../Desk_Rejected_Submission`, with `content.venue` such as `ICLR 2024 spotlight`.
"""

from __future__ import annotations

import json
from typing import Any


def note_v1(
    i: int,
    *,
    venueid: str | None = "ICLR.cc/2023/Conference",
    decision: str | None = None,
    code: str | None = None,
) -> dict[str, Any]:
    """An API v1 Blind_Submission note."""
    content: dict[str, Any] = {
        "title": f"Paper {i}",
        "authors": [f"Author {i}a", f"Author {i}b"],
        "abstract": f"Abstract {i}.",
        "pdf": f"/pdf/{i:040x}.pdf",
    }
    if venueid is not None:
        content["venueid"] = venueid
        content["venue"] = "ICLR 2023 poster" if venueid.endswith("Conference") else "Submitted"
    if code:
        content["code"] = code
    note: dict[str, Any] = {"id": f"v1id{i}", "forum": f"v1id{i}", "number": i, "content": content}
    if decision is not None:
        note["details"] = {
            "directReplies": [
                {"invitation": "ICLR.cc/2019/Conference/-/Paper1/Official_Review", "content": {}},
                {
                    "invitation": f"ICLR.cc/2019/Conference/-/Paper{i}/Decision",
                    "content": {"decision": decision},
                },
            ]
        }
    return note


def reply(invitation: str, **content: str) -> dict[str, Any]:
    """A direct reply (decision, meta-review, withdrawal) with plain v1 content values."""
    return {"invitation": invitation, "content": dict(content)}


def note_v1_replies(
    i: int, replies: list[dict[str, Any]], *, venueid: str | None = None, venue: str | None = None
) -> dict[str, Any]:
    """An API v1 Blind_Submission note whose verdict lives in `details.directReplies`."""
    note = note_v1(i, venueid=None)
    if venueid is not None:
        note["content"]["venueid"] = venueid
    if venue is not None:
        note["content"]["venue"] = venue
    note["details"] = {"directReplies": replies}
    return note


def note_v2(
    i: int, venueid: str | None = "ICLR.cc/2024/Conference", venue: str = "ICLR 2024 spotlight"
) -> dict[str, Any]:
    """An API v2 note: every content field wrapped in {"value": ...} (venueid None: absent)."""
    note: dict[str, Any] = {
        "id": f"v2id{i}",
        "forum": f"v2id{i}",
        "number": i,
        "content": {
            "title": {"value": f"Paper {i}"},
            "authors": {"value": [f"Author {i}"]},
            "abstract": {"value": f"Abstract {i}."},
            "pdf": {"value": f"/pdf/{i:040x}.pdf"},
            "venue": {"value": venue},
            "venueid": {"value": venueid},
        },
    }
    if venueid is None:
        del note["content"]["venueid"]
    return note


def notes_page(
    notes: list[dict[str, Any]], count: int | None = None, *, with_count: bool = True
) -> bytes:
    """A `GET /notes` response body (with_count=False: no `count` field)."""
    data: dict[str, Any] = {"notes": notes}
    if with_count:
        data["count"] = len(notes) if count is None else count
    return json.dumps(data).encode()


def rate_limit_body(reset_time: str) -> bytes:
    """The 429 RateLimitError body."""
    return json.dumps(
        {
            "name": "RateLimitError",
            "message": "Too many requests: You have made 37 requests, surpassing the limit of 36 requests.",
            "status": 429,
            "details": {"limit": 36, "remaining": 0, "resetTime": reset_time, "used": 37},
        }
    ).encode()
