"""Read hand-checked gold labels (CSV, format of shared/gold/README.md) into records (file IO)."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from miner.errors import UsageError

REQUIRED = ("uses", "mentions_only")


@dataclass(frozen=True, slots=True)
class GoldPaper:
    """Gold labels of one paper."""

    slug: str
    sha256: str
    uses: frozenset[str]
    mentions_only: frozenset[str]
    official_code: str
    """Normalized lowercase repo URL, or empty."""
    code_links: frozenset[str]
    """Lowercase normalized repo URLs."""
    confidence: str = "high"
    evidence: str = ""
    notes: str = ""
    batch: str = ""
    """Which labelling batch the paper came in (the optional `batch` column)."""


def _split(value: str | None) -> frozenset[str]:
    return frozenset(v.strip().lower() for v in (value or "").split(";") if v.strip())


def load_gold(path: str | Path, required: tuple[str, ...] = REQUIRED) -> list[GoldPaper]:
    """Gold rows from a CSV with `slug` or `sha256` and the required columns.

    Raises UsageError naming the missing columns or the unreadable file.
    """
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            cols = set(reader.fieldnames or ())
            missing = [c for c in required if c not in cols]
            if not ({"slug", "sha256"} & cols):
                missing.append("slug or sha256")
            if missing:
                raise UsageError(
                    f"gold file {path} lacks column(s) {', '.join(missing)}; see shared/gold/README.md"
                )
            rows = list(reader)
    except OSError as exc:
        raise UsageError(f"cannot read gold file {path}: {exc.strerror}") from exc
    except (UnicodeDecodeError, csv.Error) as exc:
        raise UsageError(
            f"gold file {path} is not UTF-8 CSV ({exc}); see shared/gold/README.md"
        ) from exc
    return [
        GoldPaper(
            slug=(r.get("slug") or "").strip(),
            sha256=(r.get("sha256") or "").strip().lower(),
            uses=_split(r.get("uses")),
            mentions_only=_split(r.get("mentions_only")),
            official_code=(r.get("official_code") or "").strip().lower().rstrip("/"),
            code_links=_split(r.get("code_links")),
            confidence=(r.get("confidence") or "high").strip(),
            evidence=r.get("evidence") or "",
            notes=r.get("notes") or "",
            batch=(r.get("batch") or "").strip(),
        )
        for r in rows
    ]
