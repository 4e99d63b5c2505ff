"""conv1d / conv2d pairs: fast == naive loops, numerical gradients, purity, bad inputs."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minnet.errors import ConfigError, DTypeError, ShapeError
from minnet.functional.conv import (
    conv1d_backward,
    conv1d_backward_naive,
    conv1d_forward,
    conv1d_forward_naive,
    conv2d_backward,
    conv2d_backward_naive,
    conv2d_forward,
    conv2d_forward_naive,
)
from minnet.gradcheck import numerical_gradient
from minnet.kernels import BACKENDS, use_backend

BACKEND = st.sampled_from(BACKENDS)


def assert_close(analytic, numeric):
    """Central differences of a function linear in the checked array are exact up to rounding
    (about 1e-9 here): a tight rtol with a small atol for entries near zero."""
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-6)


@st.composite
def conv_problem(draw, dims, max_side=6):
    """(x, w, b or None, stride, padding) in float64 with a kernel that fits."""
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(dims))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(dims))
    spatial = tuple(draw(st.integers(max(1, k - 2 * p), max_side))
                    for k, p in zip(kernel, padding, strict=True))
    batch, channels, filters = (draw(st.integers(1, 3)) for _ in range(3))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((batch, channels, *spatial))
    w = rng.standard_normal((filters, channels, *kernel))
    b = rng.standard_normal(filters) if draw(st.booleans()) else None
    if dims == 1 or draw(st.booleans()):  # ints or tuples
        stride, padding = (stride[0], padding[0]) if dims == 1 else (stride, padding)
    return x, w, b, stride, padding


PAIRS = {1: (conv1d_forward, conv1d_backward, conv1d_forward_naive, conv1d_backward_naive),
         2: (conv2d_forward, conv2d_backward, conv2d_forward_naive, conv2d_backward_naive)}


@pytest.mark.parametrize("dims", [1, 2])
@given(data=st.data(), backend=BACKEND)
def test_fast_equals_naive(dims, data, backend):
    x, w, b, stride, padding = data.draw(conv_problem(dims))
    forward, backward, forward_naive, backward_naive = PAIRS[dims]
    with use_backend(backend):
        out, cache = forward(x, w, b, stride, padding)
        grad_out = np.random.default_rng(1).standard_normal(out.shape)
        grads = backward(grad_out, cache)
    expected, naive_cache = forward_naive(x, w, b, stride, padding)
    np.testing.assert_allclose(out, expected, rtol=1e-10, atol=1e-12)
    for grad, grad_naive in zip(grads, backward_naive(grad_out, naive_cache), strict=True):
        if b is None and grad is None:
            assert grad_naive is None
            continue
        np.testing.assert_allclose(grad, grad_naive, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("dims", [1, 2])
@settings(max_examples=12)
@given(data=st.data(), backend=BACKEND)
def test_gradients_match_central_differences(dims, data, backend):
    x, w, b, stride, padding = data.draw(conv_problem(dims, max_side=5))
    forward, backward = PAIRS[dims][:2]
    with use_backend(backend):
        out, cache = forward(x, w, b, stride, padding)
        grad_out = np.random.default_rng(2).standard_normal(out.shape)  # random, never ones
        grad_x, grad_w, grad_b = backward(grad_out, cache)
        numeric_x = numerical_gradient(lambda v: forward(v, w, b, stride, padding)[0], x,
                                       grad_out)
        numeric_w = numerical_gradient(lambda v: forward(x, v, b, stride, padding)[0], w,
                                       grad_out)
        assert_close(grad_x, numeric_x)
        assert_close(grad_w, numeric_w)
        if b is not None:
            numeric_b = numerical_gradient(lambda v: forward(x, w, v, stride, padding)[0], b,
                                           grad_out)
            assert_close(grad_b, numeric_b)


@pytest.mark.parametrize("dims", [1, 2])
def test_naive_backward_matches_central_differences(dims):
    """The reference itself is proven, not only the fast version against it."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 2) + (5,) * dims)
    w, b = rng.standard_normal((3, 2) + (3,) * dims), rng.standard_normal(3)
    forward, backward = PAIRS[dims][2:]
    out, cache = forward(x, w, b, 2, 1)
    grad_out = rng.standard_normal(out.shape)
    grad_x, grad_w, grad_b = backward(grad_out, cache)
    for analytic, array, call in ((grad_x, x, lambda v: forward(v, w, b, 2, 1)[0]),
                                  (grad_w, w, lambda v: forward(x, v, b, 2, 1)[0]),
                                  (grad_b, b, lambda v: forward(x, w, v, 2, 1)[0])):
        assert_close(analytic, numerical_gradient(call, array, grad_out))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dims, x_shape, w_shape", [
    (2, (2, 1, 16, 16), (3, 1, 3, 3)),  # K = 9, 288 columns per sample: per-sample products
    (1, (2, 2, 300), (3, 2, 5)),  # K = 10, 298 columns per sample: per-sample products
    (2, (2, 4, 16, 16), (3, 4, 3, 3)),  # K = 36: one product
])
def test_weight_gradient_of_large_inputs(backend, dims, x_shape, w_shape):
    """Both ways of computing dW (one product, or one per sample) against the loops."""
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal(x_shape), rng.standard_normal(w_shape), rng.standard_normal(3)
    forward, backward, forward_naive, backward_naive = PAIRS[dims]
    with use_backend(backend):
        out, cache = forward(x, w, b, 1, 1)
        grad_out = rng.standard_normal(out.shape)
        grads = backward(grad_out, cache)
    expected = backward_naive(grad_out, forward_naive(x, w, b, 1, 1)[1])
    for grad, grad_naive in zip(grads, expected, strict=True):
        np.testing.assert_allclose(grad, grad_naive, rtol=1e-10, atol=1e-10)


def test_output_size_is_the_floor_formula():
    x = np.zeros((1, 1, 11, 8))
    out, _ = conv2d_forward(x, np.zeros((2, 1, 3, 2)), stride=(2, 3), padding=(1, 2))
    assert out.shape == (1, 2, (11 + 2 - 3) // 2 + 1, (8 + 4 - 2) // 3 + 1)
    out, _ = conv1d_forward(np.zeros((3, 2, 10)), np.zeros((4, 2, 4)), stride=3, padding=1)
    assert out.shape == (3, 4, (10 + 2 - 4) // 3 + 1)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dims", [1, 2])
def test_pure_and_dtype_preserving(backend, dims):
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2, 3) + (6,) * dims).astype(np.float32)
    w = rng.standard_normal((4, 3) + (3,) * dims).astype(np.float32)
    b = rng.standard_normal(4).astype(np.float32)
    forward, backward = PAIRS[dims][:2]
    originals = [a.copy() for a in (x, w, b)]
    with use_backend(backend):
        out, cache = forward(x, w, b, 1, 1)
        grad_out = rng.standard_normal(out.shape).astype(np.float32)
        grad_before = grad_out.copy()
        grads = backward(grad_out, cache)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    for array, original in zip((x, w, b), originals, strict=True):
        np.testing.assert_array_equal(array, original)
    np.testing.assert_array_equal(grad_out, grad_before)
    expected, _ = PAIRS[dims][2](x.astype(np.float64), w, b, 1, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)


def test_non_contiguous_inputs_give_the_same_result():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 12))[..., ::2]  # (2, 3, 7, 6), strided
    w = rng.standard_normal((3, 4, 3, 3)).transpose(1, 0, 2, 3)  # (4, 3, 3, 3), transposed
    out, cache = conv2d_forward(x, w, None, 1, 1)
    expected, _ = conv2d_forward_naive(np.ascontiguousarray(x), np.ascontiguousarray(w), None,
                                       1, 1)
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    grad_out = rng.standard_normal((2, 4, 14, 6))[:, :, ::2]
    grad_x, _, grad_b = conv2d_backward(grad_out, cache)
    assert grad_x.shape == x.shape and grad_b is None


@pytest.mark.parametrize("call, error, fragment", [
    (lambda: conv2d_forward(np.zeros((2, 5, 5)), np.zeros((1, 1, 3, 3))), ShapeError,
     "expected x of shape (N, C, H, W)"),
    (lambda: conv2d_forward(np.zeros((2, 2, 5, 5)), np.zeros((1, 3, 3, 3))), ShapeError,
     "expected x with 3 channels"),
    (lambda: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((2, 1, 3, 3)), np.zeros(3)),
     ShapeError, "expected b of shape (2,)"),
    (lambda: conv2d_forward(np.zeros((1, 1, 3, 2)), np.zeros((1, 1, 3, 3)), padding=(0, 0)),
     ShapeError, "kernel size (3, 3) once padded by (0, 0) on each side, got (3, 2)"),
    (lambda: conv1d_forward(np.zeros((1, 1, 2)), np.zeros((1, 1, 5)), padding=1),
     ShapeError, "got 2 (padded: 4)"),
    (lambda: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), stride=0),
     ConfigError, "'stride' parameter must be an int or a tuple of 2 ints, each >= 1, got 0"),
    (lambda: conv1d_forward(np.zeros((1, 1, 5)), np.zeros((1, 1, 3)), padding=-1),
     ConfigError, "'padding' parameter must be an int, each >= 0, got -1"),
    (lambda: conv2d_forward(np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)), padding=(1, 2, 3)),
     ConfigError, "'padding'"),
    (lambda: conv2d_forward(np.full((1, 1, 5, 5), "a"), np.zeros((1, 1, 3, 3))), DTypeError,
     "expected float arrays"),
    (lambda: conv2d_backward(np.zeros((1, 1, 2, 2)), conv2d_forward(
        np.zeros((1, 1, 5, 5)), np.zeros((1, 1, 3, 3)))[1]), ShapeError,
     "expected grad_out of shape (1, 1, 3, 3)"),
])
def test_bad_inputs_raise_clear_errors(call, error, fragment):
    with pytest.raises(error) as info:
        call()
    assert fragment in str(info.value)
