"""Adaptive average pooling pairs: fast == naive loop, numerical gradients, purity, errors."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_guard import assert_refused_before_any_kernel

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.functional import adaptive_pooling as adaptive_module
from minnet.functional.adaptive_pooling import (
    adaptive_avg_pool1d_backward,
    adaptive_avg_pool1d_forward,
    adaptive_avg_pool2d_backward,
    adaptive_avg_pool2d_forward,
    adaptive_avg_pool_backward_naive,
    adaptive_avg_pool_forward_naive,
)
from minnet.gradcheck import numerical_gradient
from minnet.kernels import BACKENDS, use_backend

PAIRS = {1: (adaptive_avg_pool1d_forward, adaptive_avg_pool1d_backward),
         2: (adaptive_avg_pool2d_forward, adaptive_avg_pool2d_backward)}


@st.composite
def adaptive_problem(draw, dims, max_side=8):
    """(x float64, output_size): sizes smaller, equal or larger than the input's."""
    spatial = tuple(draw(st.integers(1, max_side)) for _ in range(dims))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((draw(st.integers(1, 3)), draw(st.integers(1, 3)), *spatial))
    if dims == 1 or draw(st.booleans()):
        return x, draw(st.integers(1, max_side))
    sizes = st.one_of(st.none(), st.integers(1, max_side))
    return x, (draw(sizes), draw(sizes))


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data(), backend=st.sampled_from(BACKENDS))
def test_fast_equals_naive(dims, data, backend):
    x, output_size = data.draw(adaptive_problem(dims))
    forward, backward = PAIRS[dims]
    with use_backend(backend):
        out, cache = forward(x, output_size)
        grad_out = np.random.default_rng(1).standard_normal(out.shape)
        grad_x = backward(grad_out, cache)
    expected, naive_cache = adaptive_avg_pool_forward_naive(x, output_size)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_x, adaptive_avg_pool_backward_naive(grad_out, naive_cache),
                               rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
@settings(max_examples=12)
@given(data=st.data(), backend=st.sampled_from(BACKENDS))
def test_gradients_match_central_differences(dims, data, backend):
    x, output_size = data.draw(adaptive_problem(dims, max_side=6))
    forward, backward = PAIRS[dims]
    with use_backend(backend):
        out, cache = forward(x, output_size)
        grad_out = np.random.default_rng(2).standard_normal(out.shape)
        numeric = numerical_gradient(lambda v: forward(v, output_size)[0], x, grad_out)
        np.testing.assert_allclose(backward(grad_out, cache), numeric, rtol=1e-6, atol=1e-6)


def test_naive_backward_matches_central_differences():
    x = np.random.default_rng(3).standard_normal((2, 2, 7, 5))
    out, cache = adaptive_avg_pool_forward_naive(x, (3, 4))
    grad_out = np.random.default_rng(4).standard_normal(out.shape)
    numeric = numerical_gradient(lambda v: adaptive_avg_pool_forward_naive(v, (3, 4))[0], x,
                                 grad_out)
    np.testing.assert_allclose(adaptive_avg_pool_backward_naive(grad_out, cache), numeric,
                               rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("backend", BACKENDS)
def test_global_pooling_is_the_mean_and_none_keeps_the_size(backend):
    x = np.random.default_rng(5).standard_normal((2, 3, 4, 5)).astype(np.float32)
    before = x.copy()
    with use_backend(backend):
        out, cache = adaptive_avg_pool2d_forward(x, 1)
        grad_x = adaptive_avg_pool2d_backward(np.ones(out.shape, np.float32), cache)
        assert adaptive_avg_pool2d_forward(x, (None, 2))[0].shape == (2, 3, 4, 2)
        np.testing.assert_array_equal(adaptive_avg_pool2d_forward(x, (None, None))[0], x)
    np.testing.assert_allclose(out[..., 0, 0], x.mean(axis=(2, 3)), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(grad_x, 1 / 20, rtol=1e-6)
    assert out.dtype == grad_x.dtype == np.float32
    np.testing.assert_array_equal(x, before)


BAD_CALLS = [
    (lambda c: adaptive_avg_pool1d_forward(np.zeros((2, 3)), 2), ShapeError,
     "adaptive_avg_pool1d_forward: expected x of shape (N, C, L), got (2, 3)"),
    (lambda c: adaptive_avg_pool2d_forward(np.zeros((2, 3, 4)), 2), ShapeError,
     "expected x of shape (N, C, H, W)"),
    (lambda c: adaptive_avg_pool1d_forward(np.zeros((2, 3, 0)), 2), ShapeError,
     "expected a non-empty input length, got 0"),
    (lambda c: adaptive_avg_pool2d_forward(np.zeros((2, 3, 4, 0)), 2), ShapeError,
     "non-empty input height and width, got (4, 0)"),
    (lambda c: adaptive_avg_pool1d_forward(np.zeros((1, 1, 4)), 0), ConfigError,
     "the 'output_size' parameter must be an int, each >= 1, got 0"),
    (lambda c: adaptive_avg_pool1d_forward(np.zeros((1, 1, 4)), None), ConfigError,
     "'output_size' parameter must be an int"),
    (lambda c: adaptive_avg_pool2d_forward(np.zeros((1, 1, 4, 4)), (2, 0)), ConfigError,
     "tuple of 2 ints (or None: the input's size), each >= 1, got (2, 0)"),
    (lambda c: adaptive_avg_pool2d_forward(np.zeros((1, 1, 4, 4)), (2, 2, 2)), ConfigError,
     "'output_size'"),
    (lambda c: adaptive_avg_pool2d_forward(np.zeros((1, 1, 4, 4)), 2.0), ConfigError,
     "'output_size'"),
    (lambda c: adaptive_avg_pool2d_forward(np.full((1, 1, 4, 4), "a"), 2), DTypeError,
     "dtype <U1"),
    (lambda c: adaptive_avg_pool1d_backward(np.zeros((1, 1, 3)), c), ShapeError,
     "adaptive_avg_pool1d_backward: expected grad_out of shape (1, 1, 2)"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, fragment", BAD_CALLS)
def test_bad_inputs_raise_clear_errors_before_any_kernel(monkeypatch, backend, call, error,
                                                         fragment):
    """The same error on both backends, raised in Python: no kernel sees a wrong shape."""
    assert_refused_before_any_kernel(
        monkeypatch, backend, adaptive_module,
        ("adaptive_avg_pool_2d", "adaptive_avg_pool_2d_backward"),
        lambda: adaptive_avg_pool1d_forward(np.zeros((1, 1, 4)), 2)[1], call, error, fragment)
