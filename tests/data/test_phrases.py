"""toy_phrases: deterministic, balanced, and its labels live in the word order."""

from collections import defaultdict

import numpy as np
import pytest

from minnet.data.phrases import (
    COMPLIMENTS,
    INSULTS,
    MAX_PHRASE_LEN,
    PhraseData,
    toy_phrases,
)
from minnet.errors import ConfigError


def bag_of_words(X, vocab_size):
    """Word counts (N, V), ignoring the padding id 0."""
    counts = np.zeros((len(X), vocab_size))
    rows = np.repeat(np.arange(len(X)), X.shape[1])
    np.add.at(counts, (rows, X.ravel()), 1.0)
    counts[:, 0] = 0.0
    return counts


def bigram_counts(X, vocab_size):
    """Counts of each (word, next word) pair that occurs, (N, number of distinct bigrams)."""
    codes = X[:, :-1] * vocab_size + X[:, 1:]
    used, column = np.unique(codes, return_inverse=True)
    counts = np.zeros((len(X), len(used)))
    rows = np.repeat(np.arange(len(X)), codes.shape[1])
    np.add.at(counts, (rows, column.ravel()), 1.0)
    return counts


def logistic_regression_accuracy(features, y, steps=300, lr=1.0):
    """Training accuracy of full-batch gradient descent on the mean logistic loss."""
    features = np.column_stack([features, np.ones(len(features))])
    w = np.zeros(features.shape[1])
    for _ in range(steps):
        p = 1.0 / (1.0 + np.exp(-(features @ w)))
        w -= lr * features.T @ (p - y) / len(y)
    return np.mean((features @ w > 0) == y)


def least_squares_accuracy(features, y):
    features = np.column_stack([features, np.ones(len(features))])
    w = np.linalg.lstsq(features, 2.0 * y - 1.0, rcond=None)[0]
    return np.mean((features @ w > 0) == y)


@pytest.fixture(scope="module")
def phrases():
    return toy_phrases(1000, rng=0)


def test_shapes_dtypes_and_vocabulary(phrases):
    assert isinstance(phrases, PhraseData)
    X, y, vocab, texts = phrases
    assert X.shape == (1000, MAX_PHRASE_LEN) and X.dtype == np.int64
    assert y.shape == (1000,) and y.dtype == np.int64
    assert set(np.unique(y)) == {0, 1}
    assert vocab[0] == "<pad>" and len(set(vocab)) == len(vocab)
    assert len(texts) == 1000 and X.min() >= 0 and X.max() < len(vocab)


def test_token_ids_decode_to_the_texts_left_padded(phrases):
    for row, text in zip(phrases.X, phrases.texts, strict=True):
        words = text.split()
        padding = len(row) - len(words)
        assert [phrases.vocab[i] for i in row[padding:]] == words
        assert np.all(row[:padding] == 0)  # padding on the left: the last step is a word


def asserted_adjective(text):
    """An independent reading of a phrase: which of its two adjectives it asserts.

    The word just before the first adjective decides: after "not", "less" or
    "never" the first one is denied, so the second is asserted; after the
    subject ("are", "you're", "ur") or "more" the first one is asserted.
    """
    words = text.split()
    slots = [i for i, w in enumerate(words) if w in INSULTS or w in COMPLIMENTS]
    assert len(slots) == 2, text
    cue = words[slots[0] - 1]
    assert cue in {"not", "less", "never", "are", "you're", "ur", "more"}, text
    return words[slots[1]] if cue in {"not", "less", "never"} else words[slots[0]]


def test_each_label_is_1_exactly_when_the_asserted_adjective_is_an_insult(phrases):
    expected = [int(asserted_adjective(text) in INSULTS) for text in phrases.texts]
    np.testing.assert_array_equal(phrases.y, expected)
    # the oracle agrees with the docstring's own example
    assert asserted_adjective("you are fake not smart") == "fake"
    assert asserted_adjective("you are less fake than smart") == "smart"


def test_deterministic_for_a_seed_and_different_for_another():
    a, b, c = toy_phrases(200, rng=5), toy_phrases(200, rng=5), toy_phrases(200, rng=6)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert a.texts == b.texts
    assert a.texts != c.texts
    assert a.vocab == c.vocab  # the vocabulary does not depend on the sample


@pytest.mark.parametrize("n", [1000, 2, 7, 333])
def test_labels_balanced(n):
    y = toy_phrases(n, rng=3).y
    assert len(y) == n
    assert 0.4 <= y.mean() <= 0.6
    assert abs(2 * int(y.sum()) - n) <= 1  # exactly half, up to one for odd n


def test_every_phrase_has_a_twin_with_the_same_words_and_the_opposite_label(phrases):
    labels_by_bag = defaultdict(list)
    for text, label in zip(phrases.texts, phrases.y, strict=True):
        labels_by_bag[tuple(sorted(text.split()))].append(int(label))
    for labels in labels_by_bag.values():
        assert labels.count(0) == labels.count(1)


def test_a_bag_of_words_cannot_solve_it(phrases):
    counts = bag_of_words(phrases.X, len(phrases.vocab))
    assert logistic_regression_accuracy(counts, phrases.y) <= 0.6
    assert least_squares_accuracy(counts, phrases.y) <= 0.6


def test_the_bag_of_words_classifier_works_when_the_label_is_in_the_bag(phrases):
    # Control for the test above: the same classifier on the same features does
    # learn a label that the words alone determine (does the phrase contain "not"?).
    counts = bag_of_words(phrases.X, len(phrases.vocab))
    contains_not = (phrases.X == phrases.vocab.index("not")).any(axis=1).astype(float)
    assert 0.2 < contains_not.mean() < 0.8
    assert logistic_regression_accuracy(counts, contains_not) >= 0.95


def test_word_order_features_solve_it(phrases):
    counts = bigram_counts(phrases.X, len(phrases.vocab))
    assert logistic_regression_accuracy(counts, phrases.y) >= 0.95
    assert least_squares_accuracy(counts, phrases.y) >= 0.95


def test_max_len_pads_further_and_refuses_to_truncate():
    data = toy_phrases(10, rng=0, max_len=MAX_PHRASE_LEN + 5)
    assert data.X.shape == (10, MAX_PHRASE_LEN + 5)
    assert np.all(data.X[:, :5] == 0)
    with pytest.raises(ConfigError, match=r"toy_phrases.*'max_len'.*at least"):
        toy_phrases(10, rng=0, max_len=MAX_PHRASE_LEN - 1)
    with pytest.raises(ConfigError, match=r"toy_phrases.*'max_len'.*>= 1"):
        toy_phrases(10, rng=0, max_len=0)


@pytest.mark.parametrize("bad", [0, 1, -5, 2.5, "10"])
def test_bad_n_is_refused(bad):
    with pytest.raises(ConfigError, match=r"toy_phrases.*'n'"):
        toy_phrases(bad, rng=0)


def test_position_word_one_hots_are_not_enough(phrases):
    # The filler words shift positions, so "word w at position t" does not fix
    # the slot's role; the docstring says so, this checks it.
    X, vocab_size = phrases.X, len(phrases.vocab)
    one_hot = np.zeros((len(X), X.shape[1] * vocab_size))
    one_hot[np.arange(len(X))[:, None], np.arange(X.shape[1]) * vocab_size + X] = 1.0
    assert least_squares_accuracy(one_hot, phrases.y) < 0.9
