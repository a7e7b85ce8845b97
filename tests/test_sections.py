"""Section labels from headings, on block strings (issue 3)."""

from __future__ import annotations

import pytest

from miner.extract.sections import assign_sections, heading_section


@pytest.mark.parametrize(
    ("text", "section"),
    [
        ("References", "references"),
        ("7 REFERENCES", "references"),
        ("Bibliography\n[1] A. Author", "references"),
        ("# References", "references"),
        ("Acknowledgements", "acknowledgements"),
        ("Acknowledgments. We thank the reviewers.", "acknowledgements"),
        ("Appendix A: Proofs", "appendix"),
        ("Supplementary Material", "appendix"),
        ("1. Introduction", "body"),
        ("References to prior work are made throughout this text.", None),
        ("We thank our references for comments", None),
    ],
)
def test_heading_section(text: str, section: str | None) -> None:
    assert heading_section(text) == section


def test_assign_sections_walks_the_paper() -> None:
    blocks = [
        (1, "A Title"),
        (1, "Abstract\nWe do things."),
        (1, "1 Introduction"),
        (1, "Text."),
        (2, "Acknowledgements"),
        (2, "Thanks."),
        (2, "References"),
        (2, "[1] A. Author, B. Author. Title. 2019."),
        (3, "A Additional Experiments"),
        (3, "2 Introduction to the appendix"),
    ]
    assert assign_sections(blocks) == [
        "front",
        "front",
        "body",
        "body",
        "acknowledgements",
        "acknowledgements",
        "references",
        "references",
        "appendix",
        "appendix",
    ]


def test_no_references_invented() -> None:
    blocks = [(1, "Title"), (2, "Body text that cites references [1]."), (3, "More.")]
    assert "references" not in assign_sections(blocks)


def test_front_ends_on_page_two_without_introduction() -> None:
    assert assign_sections([(1, "Title"), (1, "Abstract"), (2, "Text")]) == [
        "front",
        "front",
        "body",
    ]
