"""The vocabulary in the forms papers print names in (#13), generated from each table row:
versions, hyphenated or joined compounds, capitalisation, possessives; never inside a word."""

from __future__ import annotations

import re

import pytest

from classifiers.labels import (
    LIBRARIES,
    VOCABULARY_VERSION,
    compile_terms,
    find_terms,
    normalize_text,
)

VOCAB = compile_terms()
# The frameworks' own names as documented, with the split their makers print (Py-Torch, ...).
FRAMEWORK_NAMES = {
    "pytorch": "Py Torch",
    "tensorflow": "Tensor Flow",
    "keras": "Keras",
    "jax": "JAX",
    "mxnet": "MX Net",
    "theano": "Theano",
    "chainer": "Chainer",
    "paddlepaddle": "Paddle Paddle",
    "mindspore": "Mind Spore",
    "cntk": "CNTK",
    "dynet": "DyNet",
    "caffe": "Caffe",
}
# (name with its parts split by spaces, framework, printed with spaces/underscores too)
NAMES = [(lib.name.replace("-", " "), lib.framework, True) for lib in LIBRARIES] + [
    (n, fw, False) for fw, n in FRAMEWORK_NAMES.items()
]


def frameworks_in(text: str) -> set[str]:
    return {t.framework for t, _, _ in find_terms(normalize_text(text), VOCAB)}


def printed_forms(name: str, spaced: bool) -> list[str]:
    """A name (parts split by spaces) as papers print it: parts joined, hyphenated, and for a
    library also spaced or underscored; as is, lower, upper and capitalised."""
    parts = name.split()
    compounds = {"".join(parts), "-".join(parts)}
    if spaced:
        compounds |= {" ".join(parts), "_".join(parts)}
    forms = set()
    for c in compounds:
        forms |= {c, c.lower(), c.upper(), c[:1].upper() + c[1:].lower()}
    return sorted(forms)


@pytest.mark.parametrize(("name", "framework", "spaced"), NAMES)
def test_every_printed_form_names_its_framework(name: str, framework: str, spaced: bool) -> None:
    for form in printed_forms(name, spaced):
        for text in (
            f"We build on {form} for all experiments.",
            f"implemented with {form} 1.13.1 on GPUs",
            f"using {form} v0.9 (2021)",
            f"{form}'s API and {form}\u2019s defaults",
            f"({form})",
            f"the {form}3 library",  # a footnote mark
        ):
            assert frameworks_in(text) == {framework}, (form, text)


@pytest.mark.parametrize(("name", "framework", "spaced"), NAMES)
def test_never_inside_another_word(name: str, framework: str, spaced: bool) -> None:
    form = "".join(name.split()).lower()
    for text in (f"pre{form} methods", f"{form}ish methods", f"the {form}xyz tool"):
        assert framework not in frameworks_in(text), text


def test_import_names_count_too() -> None:
    with_import = [lib for lib in LIBRARIES if lib.import_name]
    assert with_import
    for lib in with_import:
        assert frameworks_in(f"import {lib.import_name} as m") == {lib.framework}


def test_every_library_row_names_its_source() -> None:
    assert VOCABULARY_VERSION
    for lib in LIBRARIES:
        assert re.search(r"\w\.\w", lib.source), lib  # a documentation address
        assert lib.framework in {*FRAMEWORK_NAMES, "pytorch"}
