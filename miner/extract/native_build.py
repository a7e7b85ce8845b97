"""Compile miner/extract/_stext*.c against the installed PyMuPDF (IO: runs gcc, writes a file).

Run after installing the package (`make test` and `make demo` do):
`python -m miner.extract.native_build`. The extension must match the MuPDF inside the PyMuPDF
wheel it is loaded with, so it is built here, with the headers and the shared library that wheel
ships (`pymupdf/mupdf-devel/include`, `pymupdf/libmupdf.so.*`), and not in pip's isolated
build environment, which would fetch PyMuPDF anew. A failure (no compiler, no headers) is one
log line and exit status 0: extraction then reads pages through PyMuPDF's text dictionary.
The module is one shared object compiled from the units listed in SOURCES (see _stext.h).
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
SOURCES = tuple(
    HERE / name
    for name in ("_stext.c", "_stext_geometry.c", "_stext_text.c", "_stext_words.c", "_stext.h")
)
"""Every file the module is built from: the C units (compiled) and their private header."""

__all__ = ["build", "compile_command", "target"]


def target() -> Path:
    """Where the compiled module goes: beside its source, named for this interpreter."""
    return HERE / f"_stext{sysconfig.get_config_var('EXT_SUFFIX') or '.so'}"


def _pymupdf_dir() -> Path:
    import pymupdf  # not at import time: `miner` must start without PyMuPDF

    return Path(pymupdf.__file__).resolve().parent


def _libmupdf() -> Path:
    """The wheel's MuPDF library (ValueError when PyMuPDF ships none)."""
    pymupdf_dir = _pymupdf_dir()
    libs = sorted(pymupdf_dir.glob("libmupdf.so.*"))
    if not libs:
        raise ValueError(f"no libmupdf.so.* in {pymupdf_dir}")
    return libs[-1]


def compile_command(out: Path) -> list[str]:
    """The gcc command line, or ValueError naming what is missing."""
    for source in SOURCES:
        if not source.is_file():
            raise ValueError(f"no {source.name} beside {__name__} (an install without it?)")
    cc = shutil.which((sysconfig.get_config_var("CC") or "gcc").split()[0]) or shutil.which("gcc")
    if cc is None:
        raise ValueError("no C compiler (gcc) on PATH")
    py_include = Path(sysconfig.get_paths()["include"])
    if not (py_include / "Python.h").is_file():
        raise ValueError(f"no Python.h in {py_include} (install the Python headers)")
    lib = _libmupdf()
    include = lib.parent / "mupdf-devel" / "include"
    if not (include / "mupdf" / "fitz.h").is_file():
        raise ValueError(f"PyMuPDF ships no MuPDF headers at {include}")
    # No -march: the arithmetic of the glyph boxes must be that of PyMuPDF's own build.
    return [
        cc,
        "-shared",
        "-fPIC",
        "-O2",
        "-ffp-contract=off",
        "-Wall",
        "-Werror=implicit-function-declaration",
        "-fvisibility=hidden",  # the units' shared stx_ names stay private; PyInit is exported
        f"-I{py_include}",
        f"-I{include}",
        *(str(source) for source in SOURCES if source.suffix == ".c"),
        "-o",
        str(out),
        f"-L{lib.parent}",
        f"-l:{lib.name}",
        f"-Wl,-rpath,{lib.parent}",
    ]


def build(force: bool = False) -> Path | None:
    """Compile the module unless it is newer than its sources and PyMuPDF; None on failure."""
    out = target()
    tmp = out.with_name(out.name + ".tmp")
    try:
        cmd = compile_command(tmp)
        newest = max(*(s.stat().st_mtime for s in SOURCES), _libmupdf().stat().st_mtime)
    except (ValueError, ImportError) as exc:
        logger.warning("native text walker not built: %s", exc)
        return None
    if not force and out.exists() and out.stat().st_mtime > newest:
        return out
    try:
        done = subprocess.run(cmd, capture_output=True, text=True)
    except OSError as exc:
        done = subprocess.CompletedProcess(cmd, 1, "", str(exc))
    if done.returncode != 0 or not tmp.exists():
        tmp.unlink(missing_ok=True)
        why = done.stderr.strip()[-2000:] or f"{cmd[0]} exited with {done.returncode}"
        logger.warning("native text walker not built: %s", why)
        return None
    tmp.replace(out)  # a running interpreter keeps the module it loaded
    return out


def main() -> int:
    """Build and say what happened on stderr; always 0 (the pure-Python path remains)."""
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    built = build(force="--force" in sys.argv[1:])
    if built is not None:
        logger.info("native text walker: %s", built)
    return 0


if __name__ == "__main__":
    sys.exit(main())
