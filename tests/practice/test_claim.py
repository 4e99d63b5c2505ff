"""The Claim type: orderings with a margin, never equality; NaN never passes."""

import math

import pytest

from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction, problems


def test_claim_checks_value_and_twin():
    claim = Claim("ratio", "a is 10x b", "a", ">", 10.0, "a_twin")
    assert claim.check({"a": 11.0, "a_twin": 2.0}).passed
    assert not claim.check_twin({"a": 11.0, "a_twin": 2.0}).passed
    assert not claim.check({"a": 10.0, "a_twin": 2.0}).passed  # strict: the margin is the bound
    assert Claim("r", "", "a", ">=", 10.0, "b").check({"a": 10.0}).passed


@pytest.mark.parametrize("comparison", ["==", "!=", "~", "approx"])
def test_no_exact_comparison(comparison):
    with pytest.raises(ValueError, match="comparison"):
        Claim("exact", "", "a", comparison, 1.0, "b")


@pytest.mark.parametrize("comparison", [">", ">=", "<", "<="])
def test_nan_neither_passes_nor_hides(comparison):
    outcome = Claim("c", "", "a", comparison, 1.0, "b").check({"a": math.nan})
    assert not outcome.passed and "FAIL" in outcome.render()


def test_problems_names_what_is_missing():
    class Card:  # a card module stand-in with too long an answer and no claims
        __name__ = "minnet.practice.cards.fake"
        ID, SOURCES, TOPIC, RELATED = "fake", ("003:41",), "t", ()
        QUESTION, ANSWER = "q?", "word " * 151
        PREDICT = Prediction("which?", ("a", "b"), 2)
        CLAIMS = ()
        experiment = figure = staticmethod(lambda *a: None)

    found = " | ".join(problems(Card))
    assert "151 words" in found and "PREDICT" in found and "no CLAIMS" in found
    del Card.CLAIMS
    assert problems(Card) == ["missing CLAIMS"]
