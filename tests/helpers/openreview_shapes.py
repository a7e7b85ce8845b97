"""OpenReview API response shapes, in one place, BUILT FROM THE PUBLIC API DOCUMENTATION.

No real recorded OpenReview response exists (see ../shared/fixtures/http/openreview/PROVENANCE.md),
so these payloads are synthetic: field names and nesting follow docs.openreview.net (API v1 notes
with plain content values and `details.directReplies`; API v2 notes whose content fields are
`{"value": ...}`; `count` for paging) and the 429 body quoted in a public GitHub issue
(mireklzicar/openreview_downloader#4: `RateLimitError` with `details.resetTime`).
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


def note_v2(i: int, venueid: str = "ICLR.cc/2024/Conference") -> dict[str, Any]:
    """An API v2 note: every content field wrapped in {"value": ...}."""
    return {
        "id": f"v2id{i}",
        "forum": f"v2id{i}",
        "number": i,
        "content": {
            "title": {"value": f"Paper {i}"},
            "authors": {"value": [f"Author {i}"]},
            "abstract": {"value": f"Abstract {i}."},
            "pdf": {"value": f"/pdf/{i:040x}.pdf"},
            "venue": {"value": "ICLR 2024 spotlight"},
            "venueid": {"value": venueid},
        },
    }


def notes_page(notes: list[dict[str, Any]], count: int | None = None) -> bytes:
    """A `GET /notes` response body."""
    return json.dumps({"notes": notes, "count": len(notes) if count is None else count}).encode()


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
