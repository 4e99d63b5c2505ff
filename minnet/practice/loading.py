"""Load the cards of ``minnet.practice.cards`` and check that each one is complete.

A card module defines ``ID``, ``SOURCES`` (seed labels such as ``003:44c``),
``TOPIC``, ``RELATED`` (other card ids), ``QUESTION``, ``ANSWER`` (at most
150 words), ``PREDICT`` (a ``Prediction``), ``CLAIMS`` (``Claim`` objects),
``experiment(seed, quick) -> dict`` and ``figure(result, ax)``.
"""

import importlib
from dataclasses import dataclass

from minnet.practice.cards import ORDER

MAX_ANSWER_WORDS = 150
FIELDS = ("ID", "SOURCES", "TOPIC", "RELATED", "QUESTION", "ANSWER", "PREDICT", "CLAIMS",
          "experiment", "figure")


@dataclass(frozen=True)
class Prediction:
    """A multiple-choice question that the card's run settles: ``choices[answer]`` is right."""

    question: str
    choices: tuple
    answer: int

    def render(self):
        lines = [self.question]
        lines += [f"  {chr(ord('a') + i)}) {choice}" for i, choice in enumerate(self.choices)]
        return "\n".join(lines)

    @property
    def letter(self):
        return chr(ord("a") + self.answer)


def load_cards():
    """``{id: module}`` in table order."""
    cards = {}
    for name in ORDER:
        module = importlib.import_module(f"minnet.practice.cards.{name}")
        cards[module.ID] = module
    return cards


def problems(card):
    """What makes a card incomplete, as a list of sentences (empty when complete)."""
    missing = [field for field in FIELDS if not hasattr(card, field)]
    if missing:
        return [f"missing {', '.join(missing)}"]
    found = []
    words = len(card.ANSWER.split())
    if words > MAX_ANSWER_WORDS:
        found.append(f"ANSWER has {words} words (at most {MAX_ANSWER_WORDS})")
    for field in ("QUESTION", "ANSWER", "TOPIC"):
        if not getattr(card, field).strip():
            found.append(f"{field} is empty")
    if not card.SOURCES:
        found.append("SOURCES is empty")
    if not isinstance(card.PREDICT, Prediction) or not 0 <= card.PREDICT.answer < len(
            card.PREDICT.choices) or len(card.PREDICT.choices) < 2:
        found.append("PREDICT must be a Prediction with at least two choices and a valid answer")
    names = [claim.name for claim in card.CLAIMS]
    if not names:
        found.append("no CLAIMS")
    if len(set(names)) != len(names):
        found.append("claim names repeat")
    if card.__name__.rsplit(".", 1)[-1] != card.ID.replace("-", "_"):
        found.append(f"module name does not match ID {card.ID!r}")
    return found
