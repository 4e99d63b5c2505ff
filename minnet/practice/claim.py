"""A card's claims: an ordering or a ratio with a margin, checked on a run's result.

A ``Claim`` names two numbers in the result of ``experiment(seed, quick)``:
``key``, measured on the setup the card is about, and ``twin_key``, the same
measurement on a setup where the claim must NOT hold (its must-fail twin).
A claim that passes on both would be a test that cannot fail; the card tests
hold every claim to pass on its setup and to fail on its twin, on seeds 0-4.

There is no equality comparison on purpose: seed-dependent numbers are
compared with a margin (``threshold``), never matched exactly.
"""

import math
import operator
from dataclasses import dataclass

COMPARISONS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


@dataclass(frozen=True)
class Outcome:
    """One measured value held against its threshold."""

    name: str
    value: float
    comparison: str
    threshold: float
    passed: bool
    twin: bool = False

    def render(self):
        verdict = "PASS" if self.passed else "FAIL"
        label = f"{self.name} (twin)" if self.twin else self.name
        return f"{label}: {self.value:.4g} {self.comparison} {self.threshold:g}  {verdict}"


@dataclass(frozen=True)
class Claim:
    """``result[key] <comparison> threshold`` must hold; ``result[twin_key]`` must not.

    name : kebab-case, unique within the card
    text : the claim in words, as the reader should remember it
    """

    name: str
    text: str
    key: str
    comparison: str
    threshold: float
    twin_key: str

    def __post_init__(self):
        if self.comparison not in COMPARISONS:
            raise ValueError(f"claim {self.name!r}: comparison must be one of "
                             f"{sorted(COMPARISONS)}, got {self.comparison!r}")

    def _outcome(self, result, key, twin):
        value = float(result[key])
        # NaN compares False either way: a run that blew up neither passes nor fails silently.
        passed = not math.isnan(value) and COMPARISONS[self.comparison](value, self.threshold)
        return Outcome(self.name, value, self.comparison, self.threshold, passed, twin)

    def check(self, result):
        return self._outcome(result, self.key, twin=False)

    def check_twin(self, result):
        """The twin's outcome; ``passed`` is False when the twin behaves as it must."""
        return self._outcome(result, self.twin_key, twin=True)
