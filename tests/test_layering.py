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
    """Extract workers fork from a server that preloads the CLI and the pipeline (#7): importing
    scikit-learn there cost ~150 MB per process and ~2 s per start."""
    import subprocess
    import sys

    code = (
        "import sys, miner.cli, miner.pipeline, classifiers;"
        "classifiers.get_classifier('rules');"
        "print(sorted(m for m in ('sklearn', 'scipy', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_lazy_model_entry_is_the_model_classifier() -> None:
    from classifiers import CLASSIFIERS
    from classifiers.model import ModelFrameworkClassifier

    assert isinstance(CLASSIFIERS["model"](), ModelFrameworkClassifier)
    assert ModelFrameworkClassifier.NAME == "model"
