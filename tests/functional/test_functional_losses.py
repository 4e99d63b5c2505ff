"""The loss pairs: values against naive loops, gradient checks, stability at huge logits."""

import math

import numpy as np
import pytest

from minnet.functional import losses as F
from minnet.gradcheck import numerical_gradient, rel_error


def naive_cross_entropy(logits, target, smoothing):
    """-sum_c q_c log softmax(z)_c averaged over rows, one row at a time, with math."""
    total = 0.0
    for row, label in zip(logits.tolist(), target.tolist(), strict=True):
        log_norm = math.log(sum(math.exp(value) for value in row))
        for c, value in enumerate(row):
            q = (1 - smoothing) * (c == label) + smoothing / len(row)
            total -= q * (value - log_norm)
    return total / len(logits)


def naive_bce(logits, target):
    total = 0.0
    for x, t in zip(logits.ravel().tolist(), target.ravel().tolist(), strict=True):
        s = 1 / (1 + math.exp(-x))
        total -= t * math.log(s) + (1 - t) * math.log(1 - s)
    return total / logits.size


@pytest.mark.parametrize("smoothing", [0.0, 0.1, 1.0])
def test_cross_entropy_value_and_gradient(smoothing, rng):
    logits = rng.standard_normal((6, 4))
    target = rng.integers(0, 4, size=6)
    loss, cache = F.cross_entropy_forward(logits, target, smoothing)
    assert isinstance(loss, float)
    assert abs(loss - naive_cross_entropy(logits, target, smoothing)) < 1e-12
    grad_out = 0.37
    numeric = numerical_gradient(
        lambda z: F.cross_entropy_forward(z, target, smoothing)[0], logits.copy()
    )
    assert rel_error(F.cross_entropy_backward(grad_out, cache), grad_out * numeric) < 1e-6


def test_bce_with_logits_value_and_gradient(rng):
    logits = rng.standard_normal((5, 3)) * 3
    target = rng.uniform(0, 1, size=(5, 3))
    loss, cache = F.bce_with_logits_forward(logits, target)
    assert abs(loss - naive_bce(logits, target)) < 1e-12
    numeric = numerical_gradient(lambda z: F.bce_with_logits_forward(z, target)[0], logits.copy())
    assert rel_error(F.bce_with_logits_backward(-1.7, cache), -1.7 * numeric) < 1e-6


def test_mse_value_and_gradient(rng):
    pred = rng.standard_normal((4, 2))
    target = rng.standard_normal((4, 2))
    loss, cache = F.mse_forward(pred, target)
    naive = sum((p - t) ** 2 for p, t in zip(pred.ravel(), target.ravel(), strict=True)) / 8
    assert abs(loss - naive) < 1e-14
    numeric = numerical_gradient(lambda z: F.mse_forward(z, target)[0], pred.copy())
    assert rel_error(F.mse_backward(2.5, cache), 2.5 * numeric) < 1e-6


def test_cross_entropy_at_huge_logits_is_finite_and_exact():
    logits = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4]])
    loss, cache = F.cross_entropy_forward(logits, np.array([1, 0]), 0.0)
    assert loss == pytest.approx((2e4 + 2e4 + math.log(2)) / 2)
    assert np.all(np.isfinite(F.cross_entropy_backward(1.0, cache)))
    smoothed, _ = F.cross_entropy_forward(logits, np.array([0, 1]), 0.2)
    assert np.isfinite(smoothed)


def test_bce_at_huge_logits_is_finite_and_exact():
    logits = np.array([1e4, -1e4, 1e4, -1e4])
    loss, cache = F.bce_with_logits_forward(logits, np.array([1.0, 0.0, 0.0, 1.0]))
    assert loss == pytest.approx((1e4 + 1e4) / 4)
    np.testing.assert_array_equal(F.bce_with_logits_backward(1.0, cache), [0, 0, 0.25, -0.25])


def test_pairs_modify_nothing_and_keep_float32(rng):
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    labels = np.array([0, 2, 1, 1])
    probs = rng.uniform(size=(4, 3)).astype(np.float32)
    before = logits.copy(), labels.copy(), probs.copy()
    cases = [
        (F.cross_entropy_forward(logits, labels, 0.1), F.cross_entropy_backward),
        (F.bce_with_logits_forward(logits, probs), F.bce_with_logits_backward),
        (F.mse_forward(logits, probs), F.mse_backward),
    ]
    for (_, cache), backward in cases:
        assert backward(np.float64(1.0), cache).dtype == np.float32
    for array, original in zip((logits, labels, probs), before, strict=True):
        np.testing.assert_array_equal(array, original)
