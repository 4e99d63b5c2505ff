"""Source labels to cards: every item of the seed texts must be answered by some card.

The labels are the spec's "Seed items" (issue 10): 44 leaf questions of 003, the 13
prompts of 000 that have text (P12 has none), and the 36 checklist items of
001/004 (one article, two captures) and 002.
"""


from tests.practice.conftest import CARDS

LEAVES_003 = (
    "41", "42", "43a", "43b", "44a", "44b", "44c", "44d", "45", "46a", "46b", "47", "48", "49",
    "50", "51", "52", "53a", "53b", "54", "55", "56", "57a", "57b", "58a", "58b", "58c", "59",
    "60a", "60b", "61", "62", "63", "64", "65", "66a", "66b", "67a", "67b", "67c", "68a", "68b",
    "69", "70")
PROMPTS_000 = tuple(f"P{i}" for i in range(14) if i != 12)  # P12 has no text in the seed
ITEMS_001 = tuple(f"C{i}" for i in range(1, 18))
ITEMS_002 = ("I1", "I2", "I3", "I4", "I5", "A1", "A2", "A3", "A4", "L1", "L2", "L3", "L4",
             "F1", "F2", "O1", "O2", "O3", "O4")

SEED_LABELS = (tuple(f"003:{x}" for x in LEAVES_003) + tuple(f"000:{x}" for x in PROMPTS_000)
               + tuple(f"001:{x}" for x in ITEMS_001) + tuple(f"002:{x}" for x in ITEMS_002))

COVERED = {label for card in CARDS.values() for label in card.SOURCES}
UNCOVERED = [label for label in SEED_LABELS if label not in COVERED]


def test_the_label_list_is_the_whole_seed():
    assert len(LEAVES_003) == 44
    assert len(PROMPTS_000) == 13 and "P12" not in PROMPTS_000
    assert len(ITEMS_001) + len(ITEMS_002) == 36
    assert len(set(SEED_LABELS)) == len(SEED_LABELS) == 93


def test_every_card_source_is_a_seed_label():
    """A typo in SOURCES would cover nothing while looking like coverage."""
    unknown = {card.ID: [s for s in card.SOURCES if s not in SEED_LABELS]
               for card in CARDS.values()}
    assert {card: labels for card, labels in unknown.items() if labels} == {}


def test_built_cards_cover_their_labels():
    """The covered part of the map: each built card answers at least one label."""
    assert COVERED and COVERED <= set(SEED_LABELS)
    for card in CARDS.values():
        assert set(card.SOURCES) & set(SEED_LABELS), card.ID


def test_every_seed_label_is_covered():
    assert UNCOVERED == [], f"{len(UNCOVERED)} labels without a card: {', '.join(UNCOVERED)}"
