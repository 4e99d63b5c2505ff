"""spiral, xor and adding_problem: shapes, dtypes, determinism and their defining property."""

import numpy as np
import pytest

from minnet.data.generators import adding_problem, spiral, xor
from minnet.errors import ConfigError


def least_squares_accuracy(X, y):
    """Training accuracy of a linear classifier fitted by least squares (with a bias)."""
    features = np.column_stack([X, np.ones(len(X))])
    w = np.linalg.lstsq(features, 2.0 * y - 1.0, rcond=None)[0]
    return np.mean((features @ w > 0) == y)


@pytest.mark.parametrize("make, kwargs", [
    (spiral, {"n_per_class": 20, "n_classes": 4}),
    (xor, {"n": 50}),
    (adding_problem, {"n": 30, "seq_len": 12}),
])
def test_deterministic_for_a_seed(make, kwargs):
    X1, y1 = make(**kwargs, rng=3)
    X2, y2 = make(**kwargs, rng=3)
    X3, _ = make(**kwargs, rng=4)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    assert not np.array_equal(X1, X3)


def spiral_naive(n_per_class, n_classes, noise, rng):
    """CS231n's loop, with its np.random calls replaced by the Generator ``rng``."""
    X = np.zeros((n_per_class * n_classes, 2))
    y = np.zeros(n_per_class * n_classes, dtype=np.int64)
    for j in range(n_classes):
        ix = range(n_per_class * j, n_per_class * (j + 1))
        r = np.linspace(0.0, 1, n_per_class)
        t = np.linspace(j * 4, (j + 1) * 4, n_per_class) + rng.standard_normal(n_per_class) * noise
        X[ix] = np.c_[r * np.sin(t), r * np.cos(t)]
        y[ix] = j
    return X, y


def test_spiral_matches_the_cs231n_loop():
    X, y = spiral(n_per_class=50, n_classes=3, noise=0.2, rng=0)
    assert X.shape == (150, 2) and X.dtype == np.float64
    assert y.shape == (150,) and y.dtype == np.int64
    X_naive, y_naive = spiral_naive(50, 3, 0.2, np.random.default_rng(0))
    np.testing.assert_allclose(X, X_naive, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(y, y_naive)  # sorted by class, as in CS231n
    assert np.all(np.hypot(X[:, 0], X[:, 1]) <= 1.0 + 1e-12)


def test_spiral_is_not_linearly_separable():
    X, y = spiral(n_per_class=100, n_classes=2, rng=0)
    assert least_squares_accuracy(X, y) < 0.8


def test_spiral_noise_moves_points():
    clean, _ = spiral(20, 3, noise=0.0, rng=0)
    noisy, _ = spiral(20, 3, noise=0.2, rng=0)
    assert np.abs(clean - noisy).max() > 0.01


def test_xor_labels_and_balance():
    X, y = xor(n=400, noise=0.1, rng=0)
    assert X.shape == (400, 2) and X.dtype == np.float64
    assert y.shape == (400,) and y.dtype == np.int64
    np.testing.assert_array_equal(y, (np.sign(X[:, 0]) != np.sign(X[:, 1])).astype(int))
    assert y.sum() == 200
    assert least_squares_accuracy(X, y) < 0.65  # a linear model cannot solve it
    product = (X[:, 0] * X[:, 1] < 0).astype(float)  # one multiplicative feature can
    assert least_squares_accuracy(product[:, None], y) == 1.0


def test_adding_problem_structure():
    X, y = adding_problem(n=200, seq_len=11, rng=0)
    assert X.shape == (200, 11, 2) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.float64
    values, markers = X[..., 0], X[..., 1]
    assert np.all((values >= 0) & (values <= 1))
    assert set(np.unique(markers)) == {0.0, 1.0}
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :5].sum(axis=1) == 1)  # one mark in the first half (t < 5)
    assert np.all(markers[:, 5:].sum(axis=1) == 1)  # and one in the second
    np.testing.assert_allclose(y, (values * markers).sum(axis=1))
    assert markers[:, 0].any() and markers[:, -1].any()  # the end positions are reachable


def test_adding_problem_baseline_mse_is_about_one_sixth():
    _, y = adding_problem(n=20000, seq_len=4, rng=1)
    assert abs(np.mean((y - 1.0) ** 2) - 1 / 6) < 0.01


def test_adding_problem_shortest_sequence():
    X, y = adding_problem(n=5, seq_len=2, rng=0)
    np.testing.assert_array_equal(X[..., 1], 1.0)
    np.testing.assert_allclose(y, X[..., 0].sum(axis=1))


@pytest.mark.parametrize("call, pattern", [
    (lambda: spiral(n_per_class=0), r"spiral.*'n_per_class'.*>= 1"),
    (lambda: spiral(n_classes=-1), r"spiral.*'n_classes'.*>= 1"),
    (lambda: spiral(noise=-0.1), r"spiral.*'noise'"),
    (lambda: xor(n=0), r"xor.*'n'.*>= 1"),
    (lambda: xor(n=1.5), r"xor.*'n'.*must be an int"),
    (lambda: xor(noise=float("inf")), r"xor.*'noise'"),
    (lambda: adding_problem(n=0), r"adding_problem.*'n'.*>= 1"),
    (lambda: adding_problem(seq_len=1), r"adding_problem.*'seq_len'.*>= 2"),
    (lambda: spiral(rng="x"), r"rng"),
])
def test_bad_arguments(call, pattern):
    with pytest.raises(ConfigError, match=pattern):
        call()
