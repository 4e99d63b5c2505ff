"""docs/practice-cards.md is generated from the cards and must be current."""

import pathlib

from minnet.practice.docs import render
from tests.practice.conftest import CARDS

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "practice-cards.md"


def test_docs_practice_cards_md_is_current():
    assert DOC.read_text() == render(), "run: python -m minnet.practice.docs"


def test_docs_name_every_card_and_claim():
    text = render()
    for card in CARDS.values():
        assert f"## {card.ID}" in text
        for claim in card.CLAIMS:
            assert f"`{claim.name}`" in text
