"""Pooling pairs: fast == naive loops, numerical gradients, purity, bad inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.functional.pooling import (
    avg_pool2d_backward,
    avg_pool2d_backward_naive,
    avg_pool2d_forward,
    avg_pool2d_forward_naive,
    max_pool1d_backward,
    max_pool1d_backward_naive,
    max_pool1d_forward,
    max_pool1d_forward_naive,
    max_pool2d_backward,
    max_pool2d_backward_naive,
    max_pool2d_forward,
    max_pool2d_forward_naive,
)
from minnet.gradcheck import numerical_gradient
from minnet.kernels import BACKENDS, use_backend

BACKEND = st.sampled_from(BACKENDS)


def assert_close(analytic, numeric):
    """Central differences of a function linear in the checked array are exact up to rounding
    (about 1e-9 here): a tight rtol with a small atol for entries near zero."""
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)
PAIRS = {
    "max2d": (max_pool2d_forward, max_pool2d_backward, max_pool2d_forward_naive,
              max_pool2d_backward_naive, 2),
    "max1d": (max_pool1d_forward, max_pool1d_backward, max_pool1d_forward_naive,
              max_pool1d_backward_naive, 1),
    "avg2d": (avg_pool2d_forward, avg_pool2d_backward, avg_pool2d_forward_naive,
              avg_pool2d_backward_naive, 2),
}


@st.composite
def pool_problem(draw, dims, max_side=7):
    """(x float64 with distinct values, kernel_size, stride or None, padding)."""
    as_ints = draw(st.booleans())  # int arguments (the same on every axis), or tuples
    count = 1 if as_ints else dims
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(count)) * (dims // count)
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel[:count]) * (dims // count)
    stride = None if draw(st.booleans()) else (
        tuple(draw(st.integers(1, 3)) for _ in range(count)) * (dims // count))
    spatial = tuple(draw(st.integers(max(1, k - 2 * p), max_side))
                    for k, p in zip(kernel, padding, strict=True))
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), *spatial)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    # a permutation: distinct values, so that max pooling is differentiable everywhere
    x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0 - 3.0
    if as_ints:
        kernel, padding = kernel[0], padding[0]
        stride = stride if stride is None else stride[0]
    return x, kernel, stride, padding


@pytest.mark.parametrize("name", list(PAIRS))
@given(data=st.data(), backend=BACKEND)
def test_fast_equals_naive(name, data, backend):
    forward, backward, forward_naive, backward_naive, dims = PAIRS[name]
    x, kernel, stride, padding = data.draw(pool_problem(dims))
    with use_backend(backend):
        out, cache = forward(x, kernel, stride, padding)
        grad_out = np.random.default_rng(1).standard_normal(out.shape)
        grad_x = backward(grad_out, cache)
    expected, naive_cache = forward_naive(x, kernel, stride, padding)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_x, backward_naive(grad_out, naive_cache), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("name", list(PAIRS))
@settings(max_examples=15)
@given(data=st.data(), backend=BACKEND)
def test_gradients_match_central_differences(name, data, backend):
    forward, backward, _, _, dims = PAIRS[name]
    x, kernel, stride, padding = data.draw(pool_problem(dims, max_side=5))
    with use_backend(backend):
        out, cache = forward(x, kernel, stride, padding)
        grad_out = np.random.default_rng(2).standard_normal(out.shape)  # random, never ones
        numeric = numerical_gradient(lambda v: forward(v, kernel, stride, padding)[0], x,
                                     grad_out)
        assert_close(backward(grad_out, cache), numeric)


@pytest.mark.parametrize("name", list(PAIRS))
def test_naive_backward_matches_central_differences(name):
    _, _, forward, backward, dims = PAIRS[name]
    shape = (2, 2) + (6,) * dims
    x = np.random.default_rng(3).permutation(np.prod(shape)).reshape(shape) / 5.0
    out, cache = forward(x, 3, 2, 1)
    grad_out = np.random.default_rng(4).standard_normal(out.shape)
    numeric = numerical_gradient(lambda v: forward(v, 3, 2, 1)[0], x, grad_out)
    assert_close(backward(grad_out, cache), numeric)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(PAIRS))
def test_pure_and_dtype_preserving(backend, name):
    forward, backward, forward_naive, _, dims = PAIRS[name]
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3) + (8,) * dims).astype(np.float32)
    before = x.copy()
    with use_backend(backend):
        out, cache = forward(x, 2)
        grad_out = rng.standard_normal(out.shape).astype(np.float32)
        grad_before = grad_out.copy()
        grad_x = backward(grad_out, cache)
    assert out.dtype == grad_x.dtype == np.float32
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(grad_out, grad_before)
    np.testing.assert_allclose(out, forward_naive(x.astype(np.float64), 2)[0], rtol=1e-5,
                               atol=1e-6)
    assert forward(x.astype(np.int64), 2)[0].dtype == np.float64  # ints become float64


def test_defaults_and_output_sizes_follow_pytorch():
    x = np.random.default_rng(6).standard_normal((1, 1, 7, 9))
    assert max_pool2d_forward(x, 2)[0].shape == (1, 1, 3, 4)  # stride = kernel, floor
    assert max_pool2d_forward(x, (3, 2), stride=(2, 3), padding=(1, 1))[0].shape == \
        (1, 1, (7 + 2 - 3) // 2 + 1, (9 + 2 - 2) // 3 + 1)
    assert avg_pool2d_forward(x, 3, 1, 1)[0].shape == (1, 1, 7, 9)
    assert max_pool1d_forward(x[:, :, 0], 4, 3, 2)[0].shape == (1, 1, (9 + 4 - 4) // 3 + 1)


def test_avg_pool_counts_the_padding():
    out, _ = avg_pool2d_forward(np.ones((1, 1, 2, 2)), 2, stride=1, padding=1)
    np.testing.assert_allclose(out[0, 0], [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5],
                                           [0.25, 0.5, 0.25]])


def test_max_pool_1d_indices_are_positions_in_the_sequence():
    out, (_, argmax, *_) = max_pool1d_forward(np.array([[[3.0, 1.0, 4.0, 1.0, 5.0]]]), 2, 2,
                                                1)
    np.testing.assert_array_equal(out, [[[3.0, 4.0, 5.0]]])
    np.testing.assert_array_equal(argmax.reshape(-1), [0, 2, 4])


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: max_pool2d_forward(np.zeros((2, 5, 5)), 2), ShapeError,
     "expected x of shape (N, C, H, W), got (2, 5, 5)"),
    (lambda: max_pool1d_forward(np.zeros((2, 5)), 2), ShapeError,
     "expected x of shape (N, C, L)"),
    (lambda: avg_pool2d_forward(np.zeros((1, 1, 2, 5)), 3), ShapeError,
     "kernel size (3, 3) once padded by (0, 0) on each side, got (2, 5)"),
    (lambda: max_pool2d_forward(np.zeros((1, 1, 4, 4)), 0), ConfigError,
     "'kernel_size' parameter must be an int or a tuple of 2 ints, each >= 1, got 0"),
    (lambda: max_pool2d_forward(np.zeros((1, 1, 4, 4)), 2, stride=(1, 0)), ConfigError,
     "'stride'"),
    (lambda: max_pool1d_forward(np.zeros((1, 1, 4)), 2, padding=-1), ConfigError,
     "'padding' parameter must be an int, each >= 0, got -1"),
    (lambda: avg_pool2d_forward(np.zeros((1, 1, 4, 4)), 3, padding=2), ConfigError,
     "at most half the kernel size (3, 3), got (2, 2)"),
    (lambda: max_pool2d_forward(np.full((1, 1, 4, 4), "a"), 2), DTypeError, "dtype <U1"),
    (lambda: max_pool2d_backward(np.zeros((1, 1, 3, 3)),
                                 max_pool2d_forward(np.zeros((1, 1, 4, 4)), 2)[1]),
     ShapeError, "expected grad_out of shape (1, 1, 2, 2)"),
])
def test_bad_inputs_raise_clear_errors(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)
