"""Pooling kernels: numba twin == NumPy reference (ties, NaN, padding, the 2x2 fast path)."""

import numpy as np
from hypothesis import assume, given
from hypothesis import strategies as st

from minnet.functional.windows import output_size
from minnet.kernels.pooling import (
    avg_pool_2d,
    avg_pool_2d_backward,
    max_pool_2d,
    max_pool_2d_backward,
)

DTYPES = st.sampled_from([np.float32, np.float64])


@st.composite
def pool_geometry(draw, dilated=True):
    """((N, C, H, W, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w), (dilation_h,
    dilation_w), (H_out, W_out)): pad <= kernel // 2, floor or ceil mode, every window
    holding an input (as the functional layer checks)."""
    if draw(st.booleans()):  # the common 2x2 / stride-2 case has its own fast loop
        kernel_h = kernel_w = stride_h = stride_w = 2
        pad_h = pad_w = 0
        dilation = (1, 1)
    else:
        kernel_h, kernel_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
        stride_h, stride_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        pad_h, pad_w = draw(st.integers(0, kernel_h // 2)), draw(st.integers(0, kernel_w // 2))
        dilation = (draw(st.integers(1, 3)), draw(st.integers(1, 3))) if dilated else (1, 1)
    ceil_mode = draw(st.booleans())
    height, width = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    window = (kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w)
    out_hw = tuple(output_size(size, k, s, p, p, d, ceil_mode) for size, k, s, p, d in zip(
        (height, width), window[:2], window[2:4], window[4:], dilation))
    assume(min(out_hw) >= 1)
    for size, k, s, p, d, count in zip((height, width), window[:2], window[2:4], window[4:],
                                       dilation, out_hw):
        taps = np.arange(count)[:, None] * s - p + d * np.arange(k)
        assume(((taps >= 0) & (taps < size)).any(axis=1).all())
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), height, width, *window), \
        dilation, out_hw


def out_shape(geometry, out_hw):
    return (*geometry[:2], *out_hw)


def random_input(rng, shape, dtype, strided, ties):
    """Normal values (rounded to a few levels when ``ties``), every other column when strided."""
    values = rng.standard_normal(shape[:-1] + (2 * shape[-1],))
    values = np.round(values) if ties else values
    values = values.astype(dtype)
    return values[..., ::2] if strided else np.ascontiguousarray(values[..., :shape[-1]])


def tolerance(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


def run_max_pool(kernel, x, geometry, dilation=(1, 1), out_hw=None, index_dtype=np.int64):
    out_hw = out_hw or tuple((size + 2 * p - k) // s + 1 for size, k, s, p in zip(
        geometry[2:4], geometry[4:6], geometry[6:8], geometry[8:]))
    out = np.full(out_shape(geometry, out_hw), -7.0, x.dtype)
    argmax = np.full(out.shape, -7, index_dtype)
    kernel(x, *geometry[4:], out, argmax, *dilation)
    return out, argmax


# int32 indices (the functional layer's choice) take the 2x2 fast path, int64 the general loop
@given(geometry=pool_geometry(), dtype=DTYPES, seed=st.integers(0, 2**16),
       strided=st.booleans(), ties=st.booleans(),
       index_dtype=st.sampled_from([np.int32, np.int64]))
def test_max_pool_matches_reference(geometry, dtype, seed, strided, ties, index_dtype):
    geometry, dilation, out_hw = geometry
    rng = np.random.default_rng(seed)
    x = random_input(rng, geometry[:4], dtype, strided, ties)
    expected, expected_argmax = run_max_pool(max_pool_2d.reference, x, geometry, dilation, out_hw)
    actual, actual_argmax = run_max_pool(max_pool_2d.compiled, x, geometry, dilation, out_hw,
                                         index_dtype)
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


@given(geometry=pool_geometry(dilated=False), dtype=DTYPES, seed=st.integers(0, 2**16),
       strided=st.booleans())
def test_avg_pool_matches_reference(geometry, dtype, seed, strided):
    geometry, _, out_hw = geometry
    rng = np.random.default_rng(seed)
    x = random_input(rng, geometry[:4], dtype, strided, False)
    expected = np.full(out_shape(geometry, out_hw), np.nan, dtype)
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


@given(geometry=pool_geometry(dilated=False), seed=st.integers(0, 2**16))
def test_avg_pool_backward_is_the_adjoint(geometry, seed):
    geometry, _, out_hw = geometry
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(geometry[:4])
    other = rng.standard_normal(out_shape(geometry, out_hw))
    out, back = np.empty(other.shape), np.empty(x.shape)
    for forward, adjoint in ((avg_pool_2d.reference, avg_pool_2d_backward.reference),
                             (avg_pool_2d.compiled, avg_pool_2d_backward.compiled)):
        forward(x, *geometry[4:], out)
        adjoint(other, *geometry[4:], back)
        np.testing.assert_allclose(np.vdot(out, other), np.vdot(x, back), rtol=1e-10, atol=1e-10)


def test_ceil_mode_windows_past_the_end_read_only_the_input():
    """2x2 stride 2 on a 3x3 input in ceil mode: the last windows hang over the edge (the
    fast 2x2 loop would read past the plane; it is skipped)."""
    x = np.arange(1.0, 10.0).reshape(1, 1, 3, 3)
    for max_kernel, avg_kernel in ((max_pool_2d.reference, avg_pool_2d.reference),
                                   (max_pool_2d.compiled, avg_pool_2d.compiled)):
        out, argmax = run_max_pool(max_kernel, x, (1, 1, 3, 3, 2, 2, 2, 2, 0, 0), (1, 1),
                                   (2, 2))
        np.testing.assert_array_equal(out[0, 0], [[5, 6], [8, 9]])
        np.testing.assert_array_equal(argmax[0, 0], [[4, 5], [7, 8]])
        mean = np.empty((1, 1, 2, 2))
        avg_kernel(x, 2, 2, 2, 2, 0, 0, mean)  # sums over 4, the caller rescales
        np.testing.assert_array_equal(mean[0, 0], [[12 / 4, 9 / 4], [15 / 4, 9 / 4]])


def test_dilated_max_pool_steps_over_inputs():
    x = np.array([[[[5.0, 9.0, 1.0, 7.0, 2.0]]]])  # kernel 2, dilation 3: taps t and t + 3
    for kernel in (max_pool_2d.reference, max_pool_2d.compiled):
        out, argmax = run_max_pool(kernel, x, (1, 1, 1, 5, 1, 2, 1, 1, 0, 0), (1, 3), (1, 2))
        np.testing.assert_array_equal(out[0, 0, 0], [7.0, 9.0])
        np.testing.assert_array_equal(argmax[0, 0, 0], [3, 1])


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
