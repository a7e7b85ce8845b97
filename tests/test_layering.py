"""Layering rules from STYLE.md, checked on the import statements of every module."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.helpers.paths import ROOT


def imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.add(node.module.split(".")[0])
    return out


def modules(*packages: str) -> list[Path]:
    return [p for pkg in packages for p in (ROOT / pkg).rglob("*.py")]


def test_only_cli_imports_click() -> None:
    offenders = [
        p
        for p in modules("miner", "classifiers", "db")
        if "click" in imports(p) and "cli" not in p.relative_to(ROOT).parts[:2]
    ]
    assert offenders == []


def test_classifiers_and_extract_stay_pure() -> None:
    pure = modules("classifiers") + list((ROOT / "miner" / "extract").rglob("*.py"))
    offenders = [(p.name, imports(p) & {"httpx", "db", "click", "sqlalchemy"}) for p in pure]
    assert [o for o in offenders if o[1]] == []


def test_db_never_imports_http_or_click() -> None:
    offenders = [(p.name, imports(p) & {"httpx", "click"}) for p in modules("db")]
    assert [o for o in offenders if o[1]] == []


def test_workers_and_the_cli_start_without_scikit_learn() -> None:
    """Extract workers fork from a server that preloads the CLI and the stages (#7): importing
    scikit-learn there cost ~150 MB per process and ~2 s per start."""
    import subprocess
    import sys

    code = (
        "import sys, miner.cli, miner.stages.extract, miner.stages.classify, classifiers;"
        "from miner.records import Block, ExtractedDoc;"
        "doc = ExtractedDoc('ok', page_count=1, blocks=(Block(1, 'body', 'We use JAX.'),));"
        "classifiers.get_classifier('rules');"
        "m = classifiers.get_classifier('model'); assert m.model is not None; m.predict_doc(doc);"
        "print(sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_lazy_model_entry_is_the_model_classifier() -> None:
    from classifiers import CLASSIFIERS
    from classifiers.model import ModelFrameworkClassifier

    assert isinstance(CLASSIFIERS["model"](), ModelFrameworkClassifier)
    assert ModelFrameworkClassifier.NAME == "model"


# Modules outside db/ allowed to import SQLAlchemy or the ORM tables (issue 15): none. A module
# that needs the database calls a function in db/ (db re-exports Engine and Session for types).
SQL_ALLOWLIST: set[str] = set()


def _imports_sql(path: Path) -> bool:
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        if any(n.split(".")[0] == "sqlalchemy" or n.startswith("db.schema") for n in names):
            return True
    return False


def test_all_sql_lives_in_db() -> None:
    """Only db/ imports sqlalchemy or db.schema: reads in db/queries.py, writes in db/store.py."""
    found = {str(p.relative_to(ROOT)) for p in modules("miner", "classifiers") if _imports_sql(p)}
    assert found <= SQL_ALLOWLIST, f"SQL outside db/: {sorted(found - SQL_ALLOWLIST)}"
    assert found >= SQL_ALLOWLIST, f"no longer importing SQL, drop: {sorted(SQL_ALLOWLIST - found)}"


def test_no_two_modules_share_a_name() -> None:
    """One module per name across the packages (issue 15: three modules were called `crawl`)."""
    seen: dict[str, list[str]] = {}
    for p in modules("miner", "classifiers", "db"):
        if p.name != "__init__.py":
            seen.setdefault(p.stem, []).append(str(p.relative_to(ROOT)))
    assert {k: v for k, v in seen.items() if len(v) > 1} == {}


def test_no_module_over_400_lines() -> None:
    """Python modules, and the C sources of the compiled walker (miner/extract/_stext*.c, .h)."""
    c_sources = [p for ext in ("*.c", "*.h") for p in (ROOT / "miner").rglob(ext)]
    assert c_sources, "the walker's C sources are checked too"
    long = {
        str(p.relative_to(ROOT)): n
        for p in modules("miner", "classifiers", "db") + c_sources
        if (n := len(p.read_text().splitlines())) > 400
    }
    assert long == {}


def test_crawl_starts_without_pymupdf() -> None:
    """`miner crawl` loads the CLI (every command module) and its stage, never PyMuPDF: command
    modules import their heavy stage modules (extract) inside the command functions."""
    import subprocess
    import sys

    code = (
        "import sys, miner.cli, miner.stages.crawl, miner.stages.fetch, miner.stages.reparse;"
        "print(sorted(m for m in ('pymupdf', 'fitz', 'sklearn') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
