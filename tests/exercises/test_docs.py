"""docs/exercises.md is generated from the metadata and must be current."""

import pathlib

from minnet.exercises.docs import render

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "exercises.md"


def test_docs_exercises_md_is_current():
    assert DOC.read_text() == render(), "run: python -m minnet.exercises.docs"


def test_docs_list_every_mistake():
    text = render()
    for line in ("`db-averaged`", "`numerical-gradient`", "| 1 |"):
        assert line in text
