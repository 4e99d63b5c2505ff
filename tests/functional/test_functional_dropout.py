"""Inverted dropout as a pure pair: identity in eval, expectation kept in training."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.functional.dropout import (
    _bits_per_entry,
    dropout2d_backward,
    dropout2d_forward,
    dropout_backward,
    dropout_forward,
    dropout_mask,
)
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.kernels import BACKENDS, use_backend
from minnet.random import default_generator, seed

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
    out, cache = dropout_forward(x, p, rng=seed)
    kept_and_scale, mask_shape = cache
    assert out.dtype == dtype and out.shape == x.shape and mask_shape == shape
    np.testing.assert_array_equal(x, before)
    if p == 0:
        assert kept_and_scale is None and out is x
        return
    kept, scale = kept_and_scale  # the cache keeps a bool mask (1 byte an entry) and the scale
    assert kept.dtype == bool and kept.shape == shape
    assert scale == dtype(1.0 / (1.0 - p)) and np.asarray(scale).dtype == dtype
    mask = kept * scale
    assert mask.dtype == dtype and set(np.unique(mask)) <= {dtype(0), scale}
    np.testing.assert_array_equal(mask, dropout_mask(shape, p, dtype, rng=seed))  # the same draw
    np.testing.assert_array_equal(out, x * mask)
    grad_out = np.random.default_rng(seed + 1).standard_normal(shape).astype(dtype)
    np.testing.assert_array_equal(dropout_backward(grad_out, cache), grad_out * mask)


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


# --- dropout2d and the checks of every entry point -------------------------------------------


def test_dropout2d_mask_is_one_value_per_sample_and_channel():
    x = np.random.default_rng(0).standard_normal((5, 6, 3, 2)).astype(np.float32)
    out, cache = dropout2d_forward(x, 0.5, rng=2)
    (kept, scale), shape = cache
    mask = kept * scale
    assert mask.shape == (5, 6, 1, 1) and shape == x.shape and out.dtype == np.float32
    np.testing.assert_array_equal(out, x * mask)
    grad_out = np.ones(x.shape, np.float32)
    np.testing.assert_array_equal(dropout2d_backward(grad_out, cache),
                                  np.broadcast_to(mask, x.shape))
    out, cache = dropout2d_forward(x, 0.5, training=False)
    assert out is x and cache == (None, x.shape)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, message", [
    (lambda: dropout_forward(np.ones(3), p=1.0), ConfigError,
     r"^dropout_forward: the 'p' parameter must be a float in the range \[0.0, 1.0\), got 1.0"),
    (lambda: dropout_forward(np.ones(3), p=-0.1, training=False), ConfigError, r"'p'"),
    (lambda: dropout_forward(np.ones(3), training="yes"), ConfigError,
     r"dropout_forward: the 'training' parameter must be a bool"),
    (lambda: dropout_forward(np.ones(3), rng="seed"), ConfigError, r"rng: expected None"),
    (lambda: dropout_forward(np.ones(3), training=False, rng=-1), ConfigError, r"rng"),
    (lambda: dropout_forward(np.array(["a"])), DTypeError,
     r"^dropout_forward: expected a float input, got an array of dtype <U1"),
    (lambda: dropout_backward(np.ones((3, 2)), dropout_forward(np.ones((2, 3)), rng=0)[1]),
     ShapeError, r"^dropout_backward: expected grad_out of shape \(2, 3\) \(the forward "
                 r"output's\), got \(3, 2\)"),
    (lambda: dropout_backward(np.ones(4), dropout_forward(np.ones(3), training=False)[1]),
     ShapeError, r"expected grad_out of shape \(3,\)"),
    (lambda: dropout_backward(np.array([None] * 3), dropout_forward(np.ones(3), rng=0)[1]),
     DTypeError, r"dropout_backward: expected a float grad_out"),
    (lambda: dropout2d_forward(np.ones((2, 3, 4))), ShapeError,
     r"^dropout2d_forward: expected x of shape \(N, C, H, W\), got \(2, 3, 4\); a 3-d input "
     r"is ambiguous"),
    (lambda: dropout2d_forward(np.ones((2, 3)), training=False), ShapeError,
     r"got \(2, 3\); for \(N, features\) use Dropout"),
    (lambda: dropout2d_backward(np.ones((2, 3, 1, 1)),
                                dropout2d_forward(np.ones((2, 3, 2, 2)), rng=0)[1]),
     ShapeError, r"expected grad_out of shape \(2, 3, 2, 2\)"),
])
def test_entry_points_refuse_bad_arguments_on_both_backends(backend, call, error, message):
    with use_backend(backend), pytest.raises(error, match=message):
        call()


def test_evaluation_with_rng_none_draws_nothing_from_the_default_generator():
    seed(5)
    state = default_generator().bit_generator.state
    dropout_forward(np.ones(3), 0.5, training=False)
    assert default_generator().bit_generator.state == state
