"""Repository facts (`../shared/fixtures/repos/*.json`) rendered as file texts (pure, no IO).

A facts file records a real repository's code files with the modules each imports, its dependency
files with the packages they declare, and its README's first heading and flags; no source text.
`facts_files` turns those facts back into files at their real paths whose content is exactly the
recorded import statements, dependency lists and README flags, so the real backends and the
detector can run on real repository structure offline (`miner.repos.replica`).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

Facts = Mapping[str, Any]

README_FLAGS = {
    "mentions_unofficial": "This is an unofficial implementation.",
    "mentions_reimplementation": "This repository is a reimplementation of the original code.",
    "points_to_official_code_elsewhere": "The official code can be found at another repository.",
}
"""One sentence per README flag: the facts record booleans, not the README's words."""

_COMMENT = {"matlab": "% ", "r": "# ", "julia": "# ", "lua": "-- ", "prototxt": "# "}


def python_source(imports: Iterable[str]) -> str:
    """Import statements for recorded module names (`.x` and `.` stay relative imports)."""
    lines = []
    for module in imports:
        lines.append(
            f"from {module} import _name" if module.startswith(".") else f"import {module}"
        )
    return "\n".join(lines) + "\n" if lines else ""


def notebook_source(imports: Iterable[str], kernel_language: str | None = None) -> str:
    """An nbformat 4 notebook whose one code cell holds the import statements."""
    meta: dict[str, Any] = {}
    if kernel_language:
        meta = {"kernelspec": {"language": kernel_language, "name": kernel_language}}
    cell: dict[str, Any] = {
        "cell_type": "code",
        "execution_count": None,
        "metadata": {},
        "outputs": [],
        "source": python_source(imports).splitlines(keepends=True),
    }
    return json.dumps({"cells": [cell], "metadata": meta, "nbformat": 4, "nbformat_minor": 5})


def code_source(entry: Facts) -> str:
    """The text of one recorded code file: its imports in its own language, else a marker."""
    lang = entry.get("lang")
    imports = list(entry.get("imports") or [])
    if lang == "python":
        return python_source(imports)
    if lang == "notebook":
        return notebook_source(imports, entry.get("kernel_language"))
    if lang == "lua":
        return "".join(f"require '{m}'\n" for m in imports)
    return f"{_COMMENT.get(str(lang), '// ')}{lang} file (content not recorded)\n"


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(json.dumps(n) for n in names)


def dependency_source(entry: Facts) -> str:
    """A dependency file in its own format declaring the recorded packages."""
    kind = entry.get("kind")
    packages = list(entry.get("packages") or [])
    optional = list(entry.get("optional_packages") or [])
    if kind == "setup.py":
        extras = f", extras_require={{'extra': [{_quoted(optional)}]}}" if optional else ""
        return f"setup(name='x', install_requires=[{_quoted(packages)}]{extras})\n"
    if kind == "setup.cfg":
        text = "[options]\ninstall_requires =\n" + "".join(f"    {n}\n" for n in packages)
        if optional:
            text += "\n[options.extras_require]\nextra =\n" + "".join(
                f"    {n}\n" for n in optional
            )
        return text
    if kind == "pyproject":
        text = f'[project]\nname = "x"\ndependencies = [{_quoted(packages)}]\n'
        if optional:
            text += f"\n[project.optional-dependencies]\nextra = [{_quoted(optional)}]\n"
        return text
    if kind == "pipfile":
        text = "[packages]\n" + "".join(f'{json.dumps(n)} = "*"\n' for n in packages)
        return text + "\n[dev-packages]\n" + "".join(f'{json.dumps(n)} = "*"\n' for n in optional)
    if kind in ("conda-env", "conda-meta"):
        head = "requirements:\n  run:\n" if kind == "conda-meta" else "name: env\ndependencies:\n"
        return head + "".join(f"  - {n}\n" for n in packages + optional)
    includes = [f"-r {i}\n" for i in entry.get("includes") or []]
    return "".join(includes) + "".join(f"{n}\n" for n in packages + optional)


def readme_source(readme: Facts) -> str:
    """The README: its recorded first heading, then one sentence per flag that is set."""
    heading = readme.get("first_heading")
    lines = [f"# {heading}", ""] if heading else []
    lines += [sentence for flag, sentence in README_FLAGS.items() if readme.get(flag)]
    return "\n".join(lines) + "\n"


def facts_files(facts: Facts) -> dict[str, str]:
    """Path -> text of every recorded file (code, dependency files, README), by path.

    A `setup.py` recorded both as code and as a dependency file gets its imports, then the
    `setup(...)` call.
    """
    files: dict[str, str] = {}
    for entry in facts.get("code_files") or []:
        files[entry["path"]] = code_source(entry)
    for entry in facts.get("dependency_files") or []:
        files[entry["path"]] = files.get(entry["path"], "") + dependency_source(entry)
    readme = facts.get("readme")
    if readme and readme.get("path"):
        files[readme["path"]] = readme_source(readme)
    return dict(sorted(files.items()))


def vendored_paths(facts: Facts) -> set[str]:
    """Code files the facts mark as vendored (under a third_party-like folder)."""
    return {e["path"] for e in facts.get("code_files") or [] if e.get("vendored")}
