"""Gold CSV loading and its one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from miner.errors import UsageError
from miner.gold import load_gold


def test_load_gold(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text(
        "slug,sha256,uses,mentions_only,official_code,code_links\n"
        "p1,ABC,pytorch;JAX,keras,https://github.com/A/B/,https://github.com/a/b;https://gitlab.com/x/y\n"
    )
    (g,) = load_gold(path)
    assert g.uses == {"pytorch", "jax"} and g.mentions_only == {"keras"}
    assert (
        g.official_code == "https://github.com/a/b" and len(g.code_links) == 2 and g.sha256 == "abc"
    )


def test_wrong_columns(tmp_path: Path) -> None:
    path = tmp_path / "g.csv"
    path.write_text("name,labels\nx,y\n")
    with pytest.raises(UsageError, match="lacks column"):
        load_gold(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="cannot read"):
        load_gold(tmp_path / "none.csv")
