"""Pooling kernels: numba twin == NumPy reference (ties, NaN, padding, the 2x2 fast path)."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from minnet.kernels.pooling import (
    avg_pool_2d,
    avg_pool_2d_backward,
    max_pool_2d,
    max_pool_2d_backward,
)

DTYPES = st.sampled_from([np.float32, np.float64])


@st.composite
def pool_geometry(draw):
    """(N, C, H, W, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w), pad <= kernel // 2."""
    if draw(st.booleans()):  # the common 2x2 / stride-2 case has its own fast loop
        kernel_h = kernel_w = stride_h = stride_w = 2
        pad_h = pad_w = 0
    else:
        kernel_h, kernel_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        stride_h, stride_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        pad_h, pad_w = draw(st.integers(0, kernel_h // 2)), draw(st.integers(0, kernel_w // 2))
    height = draw(st.integers(max(1, kernel_h - 2 * pad_h), 8))
    width = draw(st.integers(max(1, kernel_w - 2 * pad_w), 8))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), height, width, kernel_h, kernel_w,
            stride_h, stride_w, pad_h, pad_w)


def out_shape(geometry):
    batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w = geometry
    return (batch, channels, (height + 2 * pad_h - kernel_h) // stride_h + 1,
            (width + 2 * pad_w - kernel_w) // stride_w + 1)


def random_input(rng, shape, dtype, strided, ties):
    """Normal values (rounded to a few levels when ``ties``), every other column when strided."""
    values = rng.standard_normal(shape[:-1] + (2 * shape[-1],))
    values = np.round(values) if ties else values
    values = values.astype(dtype)
    return values[..., ::2] if strided else np.ascontiguousarray(values[..., :shape[-1]])


def tolerance(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


def run_max_pool(kernel, x, geometry):
    out = np.full(out_shape(geometry), -7.0, x.dtype)
    argmax = np.full(out.shape, -7, np.int64)
    kernel(x, *geometry[4:], out, argmax)
    return out, argmax


@given(geometry=pool_geometry(), dtype=DTYPES, seed=st.integers(0, 2**16),
       strided=st.booleans(), ties=st.booleans())
def test_max_pool_matches_reference(geometry, dtype, seed, strided, ties):
    rng = np.random.default_rng(seed)
    x = random_input(rng, geometry[:4], dtype, strided, ties)
    expected, expected_argmax = run_max_pool(max_pool_2d.reference, x, geometry)
    actual, actual_argmax = run_max_pool(max_pool_2d.compiled, x, geometry)
    np.testing.assert_array_equal(actual, expected)
    np.testing.assert_array_equal(actual_argmax, expected_argmax)
    # argmax points at the value, inside the plane
    planes = x.reshape(x.shape[0], x.shape[1], -1)
    picked = np.take_along_axis(planes, expected_argmax.reshape(*x.shape[:2], -1), axis=2)
    np.testing.assert_array_equal(picked.reshape(expected.shape), expected)

    grad_out = random_input(rng, expected.shape, dtype, strided, False)
    back_expected = np.full(x.shape, np.nan, dtype)
    back_actual = np.full(x.shape, -1.0, dtype)
    max_pool_2d_backward.reference(grad_out, expected_argmax, back_expected)
    max_pool_2d_backward.compiled(grad_out, expected_argmax, back_actual)
    np.testing.assert_allclose(back_actual, back_expected, rtol=tolerance(dtype),
                               atol=tolerance(dtype))
    # every output's gradient lands somewhere: nothing is lost
    np.testing.assert_allclose(back_expected.sum(), grad_out.sum(), rtol=1e-4, atol=1e-4)


@given(geometry=pool_geometry(), dtype=DTYPES, seed=st.integers(0, 2**16), strided=st.booleans())
def test_avg_pool_matches_reference(geometry, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    x = random_input(rng, geometry[:4], dtype, strided, False)
    expected = np.full(out_shape(geometry), np.nan, dtype)
    actual = np.full_like(expected, -1.0)
    avg_pool_2d.reference(x, *geometry[4:], expected)
    avg_pool_2d.compiled(x, *geometry[4:], actual)
    np.testing.assert_array_equal(actual, expected)  # same order of additions: bit for bit
    grad_out = random_input(rng, expected.shape, dtype, strided, False)
    back_expected = np.full(x.shape, np.nan, dtype)
    back_actual = np.full(x.shape, -1.0, dtype)
    avg_pool_2d_backward.reference(grad_out, *geometry[4:], back_expected)
    avg_pool_2d_backward.compiled(grad_out, *geometry[4:], back_actual)
    np.testing.assert_array_equal(back_actual, back_expected)


@given(geometry=pool_geometry(), seed=st.integers(0, 2**16))
def test_avg_pool_backward_is_the_adjoint(geometry, seed):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(geometry[:4])
    other = rng.standard_normal(out_shape(geometry))
    out, back = np.empty(other.shape), np.empty(x.shape)
    for forward, adjoint in ((avg_pool_2d.reference, avg_pool_2d_backward.reference),
                             (avg_pool_2d.compiled, avg_pool_2d_backward.compiled)):
        forward(x, *geometry[4:], out)
        adjoint(other, *geometry[4:], back)
        np.testing.assert_allclose(np.vdot(out, other), np.vdot(x, back), rtol=1e-10, atol=1e-10)


def test_max_pool_ties_pick_the_first_and_padding_never_wins():
    x = np.array([[[[-1.0, -1.0, -3.0], [-1.0, -2.0, -3.0]]]])  # (1, 1, 2, 3)
    for kernel in (max_pool_2d.reference, max_pool_2d.compiled):
        out, argmax = run_max_pool(kernel, x, (1, 1, 2, 3, 2, 2, 1, 1, 1, 1))
        np.testing.assert_array_equal(out[0, 0], [[-1, -1, -1, -3], [-1, -1, -1, -3],
                                                  [-1, -1, -2, -3]])
        np.testing.assert_array_equal(argmax[0, 0], [[0, 0, 1, 2], [0, 0, 1, 2], [3, 3, 4, 5]])


def test_max_pool_nan_wins_as_in_pytorch():
    """A NaN always wins (the last NaN of the window), on the fast and the general path."""
    x = np.array([[[[1.0, np.nan, 5.0, 2.0], [np.nan, 0.0, 1.0, 3.0]]]])
    for kernel in (max_pool_2d.reference, max_pool_2d.compiled):
        for geometry in [(1, 1, 2, 4, 2, 2, 2, 2, 0, 0), (1, 1, 2, 4, 2, 2, 2, 2, 1, 0)]:
            out, argmax = run_max_pool(kernel, x, geometry)
            assert np.isnan(out[0, 0, -1, 0]) and argmax[0, 0, -1, 0] == 4
        out, argmax = run_max_pool(kernel, x, (1, 1, 2, 4, 2, 2, 2, 2, 0, 0))
        assert out[0, 0, 0, 1] == 5.0 and argmax[0, 0, 0, 1] == 2


def test_max_pool_backward_adds_where_windows_overlap():
    grad_out = np.array([[[[1.0, 2.0, 4.0]]]])
    argmax = np.array([[[[1, 1, 3]]]])
    for kernel in (max_pool_2d_backward.reference, max_pool_2d_backward.compiled):
        grad_x = np.full((1, 1, 1, 4), np.nan)
        kernel(grad_out, argmax, grad_x)  # overlapping 1x2 windows
        np.testing.assert_array_equal(grad_x[0, 0, 0], [0.0, 3.0, 0.0, 4.0])
