"""Shared for the card tests: each (card, seed) quick run happens once; its time is reported."""

import functools

import pytest

from minnet.practice.loading import load_cards
from minnet.practice.runner import run_card

SEEDS = range(5)
CARDS = load_cards()
TIMES = {}  # card id -> [seconds of each quick run]


@functools.cache
def quick_run(card_id, seed):
    run = run_card(CARDS[card_id], seed=seed, quick=True)
    TIMES.setdefault(card_id, []).append(run.seconds)
    return run


@pytest.fixture
def card_run():
    return quick_run


def pytest_terminal_summary(terminalreporter):
    """Per-card quick time (the 3 s budget is reported, not asserted: machines differ)."""
    if not TIMES:
        return
    terminalreporter.section("practice cards: quick run time (s), worst of seeds 0-4")
    for card_id, seconds in TIMES.items():
        flag = "  OVER 3 s" if max(seconds) > 3.0 else ""
        terminalreporter.write_line(f"{card_id:<24} {max(seconds):5.2f}  "
                                    f"(mean {sum(seconds) / len(seconds):.2f}){flag}")
