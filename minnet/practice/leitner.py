"""Spaced repetition for ``minnet practice quiz``: Leitner boxes in ``.minnet/practice.json``.

Every card starts in box 1. Self-graded right moves it up one box (at most
``BOXES``); wrong sends it back to box 1. The quiz asks the lowest boxes
first, and within a box the card asked least recently, so a card missed
today comes back before one known for a week.
"""

from minnet.working_folder import load_state, save_state, state_path

PATH = state_path("practice", folder="")
BOXES = 5


def load(folder="."):
    return load_state("practice", lambda: {"cards": {}, "asked": 0}, folder)


def save(state, folder="."):
    save_state("practice", state, folder)


def box(state, card_id):
    return state["cards"].get(card_id, {}).get("box", 1)


def due(state, card_ids, n):
    """The ``n`` cards to ask next: lowest box, then least recently asked, then table order."""
    def rank(item):
        index, card_id = item
        return box(state, card_id), state["cards"].get(card_id, {}).get("last", -1), index

    return [card_id for _, card_id in sorted(enumerate(card_ids), key=rank)[:n]]


def grade(state, card_id, right):
    """Move a card after a self-grade; returns its new box."""
    state["asked"] = state.get("asked", 0) + 1
    entry = state["cards"].setdefault(card_id, {"box": 1})
    entry["box"] = min(entry["box"] + 1, BOXES) if right else 1
    entry["last"] = state["asked"]
    return entry["box"]
