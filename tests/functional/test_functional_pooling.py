"""Pooling pairs: fast == naive loops, numerical gradients, purity, PyTorch's rules, bad inputs.

Every option is drawn: dilation (max), ceil_mode, count_include_pad and
divisor_override (average). PyTorch as the oracle is in test_functional_pooling_torch.py.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from kernel_guard import assert_refused_before_any_kernel

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.functional import pooling as pooling_module
from minnet.functional.pooling import (
    avg_pool1d_backward,
    avg_pool1d_forward,
    avg_pool2d_backward,
    avg_pool2d_forward,
    max_pool1d_backward,
    max_pool1d_forward,
    max_pool2d_backward,
    max_pool2d_forward,
)
from minnet.functional.pooling_naive import (
    avg_pool1d_backward_naive,
    avg_pool1d_forward_naive,
    avg_pool2d_backward_naive,
    avg_pool2d_forward_naive,
    max_pool1d_backward_naive,
    max_pool1d_forward_naive,
    max_pool2d_backward_naive,
    max_pool2d_forward_naive,
)
from minnet.functional.windows import output_size
from minnet.gradcheck import numerical_gradient
from minnet.kernels import BACKENDS, use_backend

BACKEND = st.sampled_from(BACKENDS)


def assert_close(analytic, numeric):
    """Central differences of a function linear in the checked array are exact up to rounding
    (about 1e-9 here): a tight rtol with a small atol for entries near zero."""
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


# name -> (forward, backward, forward_naive, backward_naive, dims, kind)
PAIRS = {
    "max2d": (max_pool2d_forward, max_pool2d_backward, max_pool2d_forward_naive,
              max_pool2d_backward_naive, 2, "max"),
    "max1d": (max_pool1d_forward, max_pool1d_backward, max_pool1d_forward_naive,
              max_pool1d_backward_naive, 1, "max"),
    "avg2d": (avg_pool2d_forward, avg_pool2d_backward, avg_pool2d_forward_naive,
              avg_pool2d_backward_naive, 2, "avg"),
    "avg1d": (avg_pool1d_forward, avg_pool1d_backward, avg_pool1d_forward_naive,
              avg_pool1d_backward_naive, 1, "avg"),
}


@st.composite
def pool_problem(draw, name, max_side=7):
    """(x float64 with distinct values, args): the positional arguments after x, in
    PyTorch's order, with every window of the drawn geometry holding an input."""
    dims, kind = PAIRS[name][4:]
    as_ints = draw(st.booleans())  # int arguments (the same on every axis), or tuples
    count = 1 if as_ints else dims

    def per_axis(values):
        return tuple(draw(values) for _ in range(count)) * (dims // count)

    kernel = per_axis(st.integers(1, 3))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel[:count]) * (dims // count)
    stride = None if draw(st.booleans()) else per_axis(st.integers(1, 3))
    dilation = per_axis(st.integers(1, 2)) if kind == "max" else (1,) * dims
    ceil_mode = draw(st.booleans())
    steps = kernel if stride is None else stride
    sizes = []
    for k, s, p, d in zip(kernel, steps, padding, dilation, strict=True):
        size = draw(st.integers(max(1, d * (k - 1) + 1 - 2 * p), max_side))
        count_out = output_size(size, k, s, p, p, d, ceil_mode)
        taps = np.arange(count_out)[:, None] * s - p + d * np.arange(k)
        if not ((taps >= 0) & (taps < size)).any(axis=1).all():
            size = max_side  # a dilated window over padding only: take a long input instead
        sizes.append(size)
    shape = (draw(st.integers(1, 3)), draw(st.integers(1, 3)), *sizes)
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    # a permutation: distinct values, so that max pooling is differentiable everywhere
    x = rng.permutation(np.prod(shape)).reshape(shape) / 7.0 - 3.0
    if as_ints:
        kernel, padding, dilation = kernel[0], padding[0], dilation[0]
        stride = stride if stride is None else stride[0]
    if kind == "max":
        return x, (kernel, stride, padding, dilation, ceil_mode)
    args = (kernel, stride, padding, ceil_mode, draw(st.booleans()))
    if dims == 2:
        args += (draw(st.sampled_from([None, None, 1, 3])),)  # divisor_override
    return x, args


@pytest.mark.parametrize("name", list(PAIRS))
@given(data=st.data(), backend=BACKEND)
def test_fast_equals_naive(name, data, backend):
    forward, backward, forward_naive, backward_naive = PAIRS[name][:4]
    x, args = data.draw(pool_problem(name))
    with use_backend(backend):
        out, cache = forward(x, *args)
        grad_out = np.random.default_rng(1).standard_normal(out.shape)
        grad_x = backward(grad_out, cache)
    expected, naive_cache = forward_naive(x, *args)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(grad_x, backward_naive(grad_out, naive_cache), rtol=1e-12,
                               atol=1e-12)


@pytest.mark.parametrize("name", list(PAIRS))
@settings(max_examples=15)
@given(data=st.data(), backend=BACKEND)
def test_gradients_match_central_differences(name, data, backend):
    forward, backward = PAIRS[name][:2]
    x, args = data.draw(pool_problem(name, max_side=5))
    with use_backend(backend):
        out, cache = forward(x, *args)
        grad_out = np.random.default_rng(2).standard_normal(out.shape)  # random, never ones
        numeric = numerical_gradient(lambda v: forward(v, *args)[0], x, grad_out)
        assert_close(backward(grad_out, cache), numeric)


@pytest.mark.parametrize("name, args", [
    ("max2d", (3, 2, 1)), ("max1d", (3, 2, 1)), ("avg2d", (3, 2, 1)), ("avg1d", (3, 2, 1)),
    ("max2d", (2, 2, 1, 2, True)), ("max1d", (3, 2, 1, 2, True)),
    ("avg2d", (3, 2, 1, True, False)), ("avg1d", (3, 2, 1, True, False)),
    ("avg2d", (2, 3, 1, True, True, 3)),
])
def test_naive_backward_matches_central_differences(name, args):
    """The reference itself is proven (the new options included)."""
    _, _, forward, backward, dims, _ = PAIRS[name]
    shape = (2, 2) + (6,) * dims
    x = np.random.default_rng(3).permutation(np.prod(shape)).reshape(shape) / 5.0
    out, cache = forward(x, *args)
    grad_out = np.random.default_rng(4).standard_normal(out.shape)
    numeric = numerical_gradient(lambda v: forward(v, *args)[0], x, grad_out)
    assert_close(backward(grad_out, cache), numeric)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(PAIRS))
def test_pure_and_dtype_preserving(backend, name):
    forward, backward, forward_naive, _, dims, kind = PAIRS[name]
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3) + (9,) * dims).astype(np.float32)
    before = x.copy()
    # ceil_mode and padding: a rescaled average (its divisors vary), a dilated maximum
    args = (2, None, 1, 2, True) if kind == "max" else (2, None, 1, True)
    with use_backend(backend):
        out, cache = forward(x, *args)
        grad_out = rng.standard_normal(out.shape).astype(np.float32)
        grad_before = grad_out.copy()
        grad_x = backward(grad_out, cache)
    assert out.dtype == grad_x.dtype == np.float32
    np.testing.assert_array_equal(x, before)
    np.testing.assert_array_equal(grad_out, grad_before)
    np.testing.assert_allclose(out, forward_naive(x.astype(np.float64), *args)[0], rtol=1e-5,
                               atol=1e-6)
    assert forward(x.astype(np.int64), 2)[0].dtype == np.float64  # ints become float64


def test_defaults_and_output_sizes_follow_pytorch():
    x = np.random.default_rng(6).standard_normal((1, 1, 7, 9))
    assert max_pool2d_forward(x, 2)[0].shape == (1, 1, 3, 4)  # stride = kernel, floor
    assert max_pool2d_forward(x, 2, ceil_mode=True)[0].shape == (1, 1, 4, 5)
    assert max_pool2d_forward(x, (3, 2), stride=(2, 3), padding=(1, 1))[0].shape == \
        (1, 1, (7 + 2 - 3) // 2 + 1, (9 + 2 - 2) // 3 + 1)
    assert max_pool2d_forward(x, 2, 1, 0, (2, 3))[0].shape == (1, 1, 7 - 2, 9 - 3)  # dilated
    assert avg_pool2d_forward(x, 3, 1, 1)[0].shape == (1, 1, 7, 9)
    assert max_pool1d_forward(x[:, :, 0], 4, 3, 2)[0].shape == (1, 1, (9 + 4 - 4) // 3 + 1)
    assert avg_pool1d_forward(x[:, :, 0], 4, 3, 2, True)[0].shape == (1, 1, 4)


def test_ceil_mode_last_window_must_start_inside_the_input_or_left_padding():
    """Length 4, kernel 3, stride 2, padding 1: ceil((4 + 2 - 3) / 2) + 1 = 3 windows, the
    last starting at input 2 * 2 - 1 = 3, inside: kept. Length 5, stride 3: the third window
    would start at input 2 * 3 - 1 = 5, in the right padding: dropped (PyTorch's rule)."""
    x = np.arange(4.0).reshape(1, 1, 4)
    np.testing.assert_array_equal(max_pool1d_forward(x, 3, 2, 1, ceil_mode=True)[0],
                                  [[[1.0, 3.0, 3.0]]])
    x = np.arange(5.0).reshape(1, 1, 5)
    assert max_pool1d_forward(x, 3, 3, 1, ceil_mode=True)[0].shape == (1, 1, 2)
    assert max_pool1d_forward(np.zeros((1, 1, 1)), 2, ceil_mode=True)[0].shape == (1, 1, 1)


def test_average_divisors_follow_pytorch():
    """count_include_pad counts padding but not a ceil_mode window past the right padding."""
    x = np.arange(1.0, 7.0).reshape(1, 1, 6)  # windows [-1, 2), [1, 4), [3, 6), [5, 8)
    np.testing.assert_allclose(avg_pool1d_forward(x, 3, 2, 1, True, True)[0][0, 0],
                               [3 / 3, 9 / 3, 15 / 3, 6 / 2])
    np.testing.assert_allclose(avg_pool1d_forward(x, 3, 2, 1, True, False)[0][0, 0],
                               [3 / 2, 9 / 3, 15 / 3, 6 / 1])
    x2 = np.ones((1, 1, 2, 2))
    np.testing.assert_allclose(avg_pool2d_forward(x2, 2, 1, 1)[0][0, 0],
                               [[0.25, 0.5, 0.25], [0.5, 1.0, 0.5], [0.25, 0.5, 0.25]])
    np.testing.assert_allclose(avg_pool2d_forward(x2, 2, 1, 1, False, False)[0], 1.0)
    np.testing.assert_allclose(avg_pool2d_forward(x2, 2, 1, 1, False, True, 2)[0][0, 0],
                               [[0.5, 1.0, 0.5], [1.0, 2.0, 1.0], [0.5, 1.0, 0.5]])


def test_max_pool_1d_indices_are_positions_in_the_sequence():
    out, cache = max_pool1d_forward(np.array([[[3.0, 1.0, 4.0, 1.0, 5.0]]]), 2, 2, 1)
    np.testing.assert_array_equal(out, [[[3.0, 4.0, 5.0]]])
    np.testing.assert_array_equal(pooling_module.indices_of(cache), [[[0, 2, 4]]])


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("name", list(PAIRS))
def test_empty_batch_gives_an_empty_output(backend, name):
    forward, backward, *_, dims, _ = PAIRS[name]
    with use_backend(backend):
        out, cache = forward(np.zeros((0, 2) + (5,) * dims), 2)
        assert out.shape == (0, 2) + (2,) * dims
        assert backward(np.zeros(out.shape), cache).shape == (0, 2) + (5,) * dims


def _caches():
    return {"max": max_pool2d_forward(np.zeros((1, 1, 4, 4)), 2)[1],
            "avg": avg_pool1d_forward(np.zeros((1, 1, 4)), 2)[1]}


# Each call takes valid caches ``c`` (built before the kernels are replaced).
BAD_CALLS = [
    (lambda c: max_pool2d_forward(np.zeros((2, 5, 5)), 2), ShapeError,
     "max_pool2d_forward: expected x of shape (N, C, H, W), got (2, 5, 5)"),
    (lambda c: max_pool1d_forward(np.zeros((2, 5)), 2), ShapeError,
     "expected x of shape (N, C, L)"),
    (lambda c: avg_pool1d_forward(np.zeros((2, 5, 5, 5)), 2), ShapeError,
     "avg_pool1d_forward: expected x of shape (N, C, L)"),
    (lambda c: avg_pool2d_forward(np.zeros((1, 1, 2, 5)), 3), ShapeError,
     "kernel size (3, 3) once padded by (0, 0) on each side, got (2, 5)"),
    (lambda c: max_pool1d_forward(np.zeros((1, 1, 4)), 2, 1, 0, 4), ShapeError,
     "dilated kernel size 5 (kernel_size 2, dilation 4)"),
    # the empty length: NaN (NumPy) or uninitialised memory (numba) before
    (lambda c: max_pool1d_forward(np.zeros((2, 3, 0)), 2, padding=1), ShapeError,
     "max_pool1d_forward: expected a non-empty input length, got 0"),
    (lambda c: avg_pool2d_forward(np.zeros((1, 1, 0, 3)), 2, padding=1), ShapeError,
     "expected a non-empty input height and width, got (0, 3)"),
    (lambda c: avg_pool1d_forward(np.zeros((1, 1, 0)), 1), ShapeError, "non-empty input length"),
    # PyTorch returns -inf and an index past the input for this window
    (lambda c: max_pool1d_forward(np.zeros((1, 1, 2)), 2, 1, 1, 3), ShapeError,
     "window 0 along the length covers only padding (kernel_size 2, dilation 3, padding 1"),
    (lambda c: max_pool2d_forward(np.zeros((1, 1, 4, 4)), 0), ConfigError,
     "'kernel_size' parameter must be an int or a tuple of 2 ints, each >= 1, got 0"),
    (lambda c: max_pool2d_forward(np.zeros((1, 1, 4, 4)), 2, stride=(1, 0)), ConfigError,
     "'stride'"),
    (lambda c: max_pool1d_forward(np.zeros((1, 1, 4)), 2, padding=-1), ConfigError,
     "'padding' parameter must be an int, each >= 0, got -1"),
    (lambda c: avg_pool2d_forward(np.zeros((1, 1, 4, 4)), 3, padding=2), ConfigError,
     "at most half the kernel size (3, 3), got (2, 2)"),
    (lambda c: max_pool2d_forward(np.zeros((1, 1, 4, 4)), 2, dilation=0), ConfigError,
     "'dilation' parameter must be an int or a tuple of 2 ints, each >= 1, got 0"),
    (lambda c: max_pool1d_forward(np.zeros((1, 1, 4)), 2, ceil_mode=1), ConfigError,
     "'ceil_mode' parameter must be a bool, got 1"),
    (lambda c: avg_pool1d_forward(np.zeros((1, 1, 4)), 2, count_include_pad="no"), ConfigError,
     "'count_include_pad' parameter must be a bool"),
    (lambda c: avg_pool2d_forward(np.zeros((1, 1, 4, 4)), 2, divisor_override=0), ConfigError,
     "'divisor_override' parameter must be an int >= 1, got 0"),
    (lambda c: avg_pool2d_forward(np.zeros((1, 1, 4, 4)), 2, divisor_override=2.0), ConfigError,
     "'divisor_override' parameter must be an int"),
    (lambda c: max_pool2d_forward(np.full((1, 1, 4, 4), "a"), 2), DTypeError, "dtype <U1"),
    (lambda c: max_pool2d_backward(np.zeros((1, 1, 3, 3)), c["max"]), ShapeError,
     "max_pool2d_backward: expected grad_out of shape (1, 1, 2, 2)"),
    (lambda c: avg_pool1d_backward(np.zeros((1, 1, 3)), c["avg"]), ShapeError,
     "avg_pool1d_backward: expected grad_out of shape (1, 1, 2)"),
    (lambda c: avg_pool1d_backward(np.zeros((1, 1, 2), dtype=complex), c["avg"]), DTypeError,
     "expected a float grad_out, got an array of dtype complex128"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("call, error, fragment", BAD_CALLS)
def test_bad_inputs_raise_clear_errors_before_any_kernel(monkeypatch, backend, call, error,
                                                         fragment):
    """The same error on both backends, raised in Python: no kernel sees a wrong shape."""
    assert_refused_before_any_kernel(
        monkeypatch, backend, pooling_module,
        ("max_pool_2d", "max_pool_2d_backward", "avg_pool_2d", "avg_pool_2d_backward"),
        _caches, call, error, fragment)


def test_indices_are_int32_inside_and_int64_for_the_user():
    """The cache keeps int32 indices (the fast 2x2 loop); return_indices gives PyTorch's int64."""
    from minnet.functional.pooling import index_dtype, indices_of, max_pool2d_forward

    out, cache = max_pool2d_forward(np.arange(16.0).reshape(1, 1, 4, 4), 2)
    assert cache.argmax.dtype == np.int32
    indices = indices_of(cache)
    assert indices.dtype == np.int64
    np.testing.assert_array_equal(indices[0, 0], [[5, 7], [13, 15]])
    assert index_dtype((2**16, 2**15)) == np.int64  # 2**31 positions: int32 would overflow
    assert index_dtype((2**16, 2**15 - 1)) == np.int32
