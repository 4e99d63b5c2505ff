"""Inverted dropout as a pure pair: identity in eval, expectation kept in training."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.functional.dropout import (
    _bits_per_entry,
    dropout_backward,
    dropout_forward,
    dropout_mask,
)
from minnet.gradcheck import numerical_gradient, rel_error

shapes = st.lists(st.integers(1, 5), min_size=1, max_size=4).map(tuple)
probabilities = st.floats(0.0, 0.95, allow_nan=False, allow_infinity=False,
                          allow_subnormal=False)


@given(shape=shapes, p=probabilities, seed=st.integers(0, 2**16))
def test_eval_is_the_identity(shape, p, seed):
    x = np.random.default_rng(seed).standard_normal(shape)
    out, cache = dropout_forward(x, p, training=False, rng=seed)
    assert out is x and cache == (None, shape)
    grad_out = np.ones(shape)
    assert dropout_backward(grad_out, cache) is grad_out


@given(shape=shapes, p=probabilities, seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_training_keeps_or_scales_each_entry(shape, p, seed, dtype):
    x = np.random.default_rng(seed).standard_normal(shape).astype(dtype)
    before = x.copy()
    out, (mask, mask_shape) = dropout_forward(x, p, rng=seed)
    assert out.dtype == dtype and out.shape == x.shape and mask_shape == shape
    np.testing.assert_array_equal(x, before)
    if p == 0:
        assert mask is None and out is x
        return
    scale = dtype(1.0 / (1.0 - p))
    assert mask.dtype == dtype and set(np.unique(mask)) <= {dtype(0), scale}
    np.testing.assert_array_equal(out, x * mask)
    grad_out = np.random.default_rng(seed + 1).standard_normal(shape).astype(dtype)
    np.testing.assert_array_equal(dropout_backward(grad_out, (mask, shape)), grad_out * mask)


@pytest.mark.parametrize("p, bits", [(0.5, 1), (0.75, 8), (2**-10, 16), (0.1, 32), (0.8, 32)])
def test_random_bits_per_entry(p, bits):
    assert _bits_per_entry(1 - p) == bits


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8, 0.75, 0.25, 2**-10])
def test_drop_fraction_and_expectation_within_statistical_bounds(p):
    """Over n entries the dropped count is Binomial(n, p): 5 standard deviations is the bound."""
    n = 200_000
    mask = dropout_mask((n,), p, rng=0)
    dropped = np.count_nonzero(mask == 0)
    assert abs(dropped - n * p) < 5 * np.sqrt(n * p * (1 - p))
    # the mean of the mask is 1 (expectation kept); its standard deviation is sqrt(p / (1-p))
    assert abs(mask.mean() - 1.0) < 5 * np.sqrt(p / (1 - p) / n)
    # averaged over many masks each entry's scale tends to 1
    many = np.mean([dropout_mask((50,), p, rng=seed) for seed in range(2000)], axis=0)
    assert np.all(np.abs(many - 1.0) < 5 * np.sqrt(p / (1 - p) / 2000))


def test_a_mask_that_keeps_p_instead_would_be_caught():
    """CS231n's old convention (p = keep probability) fails the drop-fraction bound."""
    n, p = 100_000, 0.2
    wrong = dropout_mask((n,), 1 - p, rng=0)  # keeps 20%, drops 80%
    assert abs(np.count_nonzero(wrong == 0) - n * p) > 5 * np.sqrt(n * p * (1 - p))


def test_same_seed_same_mask_and_generator_advances():
    rng = np.random.default_rng(3)
    first = dropout_mask((7, 3), 0.5, rng=rng)
    second = dropout_mask((7, 3), 0.5, rng=rng)
    assert not np.array_equal(first, second)
    np.testing.assert_array_equal(dropout_mask((7, 3), 0.5, rng=3), first)


@pytest.mark.parametrize("shape", [(0,), (1,), (3,), (2, 0, 4), (5, 3)])
def test_mask_of_any_size_including_odd_and_empty(shape):
    mask = dropout_mask(shape, 0.3, np.float32, rng=1)
    assert mask.shape == shape and mask.dtype == np.float32


def test_extreme_probabilities():
    np.testing.assert_array_equal(dropout_mask((3, 2), 0.0, rng=0), 1.0)
    assert np.count_nonzero(dropout_mask((10_000,), 0.999, rng=0)) < 40
    tiny = dropout_mask((10_000,), 1e-12, rng=0)
    assert np.all(tiny == np.float64(1.0 / (1.0 - 1e-12)))


def test_dropout_gradient_check_with_a_fixed_mask():
    rng = np.random.default_rng(0)
    x, grad_out = rng.standard_normal((4, 5)), rng.standard_normal((4, 5))
    _, cache = dropout_forward(x, 0.4, rng=11)
    numeric = numerical_gradient(lambda v: dropout_forward(v, 0.4, rng=11)[0], x.copy(),
                                 grad_out)
    assert rel_error(dropout_backward(grad_out, cache), numeric) < 1e-8
