"""im2col / col2im kernels: numba twin == NumPy reference, and the layout is what it claims."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st
from numpy.lib.stride_tricks import sliding_window_view

from minnet.kernels.im2col import (
    batch_to_columns,
    col2im_1d,
    col2im_2d,
    columns_to_batch,
    im2col_1d,
    im2col_2d,
    row_pitch,
)

DTYPES = st.sampled_from([np.float32, np.float64])


@st.composite
def geometry_2d(draw):
    """(N, C, H, W, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w), (dilation_h,
    dilation_w): the dilated kernel fits the padded input."""
    kernel_h, kernel_w = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    dilation_h, dilation_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    pad_h, pad_w = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    height = draw(st.integers(max(1, dilation_h * (kernel_h - 1) + 1 - 2 * pad_h), 10))
    width = draw(st.integers(max(1, dilation_w * (kernel_w - 1) + 1 - 2 * pad_w), 10))
    stride_h, stride_w = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), height, width, kernel_h, kernel_w,
            stride_h, stride_w, pad_h, pad_w), (dilation_h, dilation_w)


@st.composite
def geometry_1d(draw):
    """(N, C, L, kernel, stride, pad, dilation): the dilated kernel fits the padded length."""
    kernel, pad = draw(st.integers(1, 5)), draw(st.integers(0, 2))
    dilation = draw(st.integers(1, 3))
    length = draw(st.integers(max(1, dilation * (kernel - 1) + 1 - 2 * pad), 14))
    return (draw(st.integers(1, 3)), draw(st.integers(1, 3)), length, kernel,
            draw(st.integers(1, 3)), pad, dilation)


def sizes_2d(geometry, dilation):
    batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w = geometry
    dilation_h, dilation_w = dilation
    out_h = (height + 2 * pad_h - dilation_h * (kernel_h - 1) - 1) // stride_h + 1
    out_w = (width + 2 * pad_w - dilation_w * (kernel_w - 1) - 1) // stride_w + 1
    pitch = row_pitch(width + 2 * pad_w, out_w, stride_w)
    return out_h, out_w, pitch, (channels * kernel_h * kernel_w, batch * out_h * pitch)


def random_array(rng, shape, dtype, strided):
    """Standard normal values; every other column of a wider array when ``strided``."""
    wide = rng.standard_normal(shape[:-1] + (2 * shape[-1],)).astype(dtype)
    return wide[..., ::2] if strided else np.ascontiguousarray(wide[..., :shape[-1]])


def tolerance(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


@given(geometry=geometry_2d(), dtype=DTYPES, seed=st.integers(0, 2**16), strided=st.booleans())
def test_im2col_2d_matches_reference(geometry, dtype, seed, strided):
    (batch, channels, height, width, *window), dilation = geometry
    _, _, pitch, cols_shape = sizes_2d(*geometry)
    x = random_array(np.random.default_rng(seed), (batch, channels, height, width), dtype,
                     strided)
    expected, actual = np.full(cols_shape, np.nan, dtype), np.full(cols_shape, -1.0, dtype)
    im2col_2d.reference(x, *window, pitch, expected, *dilation)
    im2col_2d.compiled(x, *window, pitch, actual, *dilation)
    np.testing.assert_array_equal(actual, expected)  # pure copies: bit for bit


@given(geometry=geometry_2d(), dtype=DTYPES, seed=st.integers(0, 2**16), strided=st.booleans())
def test_col2im_2d_matches_reference(geometry, dtype, seed, strided):
    (batch, channels, height, width, *window), dilation = geometry
    _, _, pitch, cols_shape = sizes_2d(*geometry)
    cols = random_array(np.random.default_rng(seed), cols_shape, dtype, strided)
    expected = np.full((batch, channels, height, width), np.nan, dtype)
    actual = np.full_like(expected, -1.0)
    col2im_2d.reference(cols, *window, pitch, expected, *dilation)
    col2im_2d.compiled(cols, *window, pitch, actual, *dilation)
    np.testing.assert_allclose(actual, expected, rtol=tolerance(dtype), atol=tolerance(dtype))


@given(geometry=geometry_2d(), seed=st.integers(0, 2**16))
def test_im2col_2d_columns_are_the_windows(geometry, seed):
    """Real columns hold the padded, dilated windows in (c, i, j) row order; junk follows."""
    (batch, channels, height, width, kernel_h, kernel_w, stride_h, stride_w, pad_h,
     pad_w), (dilation_h, dilation_w) = geometry
    out_h, out_w, pitch, cols_shape = sizes_2d(*geometry)
    x = np.random.default_rng(seed).standard_normal((batch, channels, height, width))
    cols = np.empty(cols_shape)
    im2col_2d.reference(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, pitch, cols,
                        dilation_h, dilation_w)
    padded = np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
    span = (dilation_h * (kernel_h - 1) + 1, dilation_w * (kernel_w - 1) + 1)
    windows = sliding_window_view(padded, span, axis=(2, 3))[..., ::dilation_h, ::dilation_w]
    windows = windows[:, :, ::stride_h, ::stride_w][:, :, :out_h, :out_w]  # (N, C, y, x, i, j)
    expected = windows.transpose(1, 4, 5, 0, 2, 3).reshape(-1, batch, out_h, out_w)
    grid = cols.reshape(-1, batch, out_h, pitch)
    np.testing.assert_array_equal(grid[..., :out_w], expected)
    assert pitch == (width + 2 * pad_w if stride_w == 1 else out_w)


@given(geometry=geometry_2d(), seed=st.integers(0, 2**16))
def test_col2im_2d_is_the_adjoint_of_im2col(geometry, seed):
    """<im2col(x), c> == <x, col2im(c)> for any c, junk columns included."""
    (batch, channels, height, width, *window), dilation = geometry
    _, _, pitch, cols_shape = sizes_2d(*geometry)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, channels, height, width))
    other = rng.standard_normal(cols_shape)
    cols, back = np.empty(cols_shape), np.empty_like(x)
    for forward, adjoint in ((im2col_2d.reference, col2im_2d.reference),
                             (im2col_2d.compiled, col2im_2d.compiled)):
        forward(x, *window, pitch, cols, *dilation)
        adjoint(other, *window, pitch, back, *dilation)
        np.testing.assert_allclose(np.vdot(cols, other), np.vdot(x, back), rtol=1e-10,
                                   atol=1e-10)


@given(geometry=geometry_1d(), dtype=DTYPES, seed=st.integers(0, 2**16), strided=st.booleans())
def test_im2col_1d_and_col2im_1d_match_references(geometry, dtype, seed, strided):
    batch, channels, length, kernel, stride, pad, dilation = geometry
    out_len = (length + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1
    rng = np.random.default_rng(seed)
    x = random_array(rng, (batch, channels, length), dtype, strided)
    expected, actual = (np.full((channels * kernel, batch * out_len), value, dtype)
                        for value in (np.nan, -1.0))
    im2col_1d.reference(x, kernel, stride, pad, expected, dilation)
    im2col_1d.compiled(x, kernel, stride, pad, actual, dilation)
    np.testing.assert_array_equal(actual, expected)
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad)))
    span = dilation * (kernel - 1) + 1
    windows = sliding_window_view(padded, span, axis=2)[..., ::dilation]
    windows = windows[:, :, ::stride][:, :, :out_len]
    np.testing.assert_array_equal(
        expected, windows.transpose(1, 3, 0, 2).reshape(channels * kernel, -1))
    cols = random_array(rng, expected.shape, dtype, strided)
    back_expected, back_actual = (np.full(x.shape, value, dtype) for value in (np.nan, -1.0))
    col2im_1d.reference(cols, kernel, stride, pad, back_expected, dilation)
    col2im_1d.compiled(cols, kernel, stride, pad, back_actual, dilation)
    np.testing.assert_allclose(back_actual, back_expected, rtol=tolerance(dtype),
                               atol=tolerance(dtype))
    np.testing.assert_allclose(np.vdot(expected, cols), np.vdot(x, back_expected),
                               rtol=1e-4 if dtype == np.float32 else 1e-10,
                               atol=1e-3 if dtype == np.float32 else 1e-10)


@given(geometry=geometry_2d(), filters=st.integers(1, 4), dtype=DTYPES,
       seed=st.integers(0, 2**16), strided=st.booleans())
def test_layout_kernels_match_references(geometry, filters, dtype, seed, strided):
    batch = geometry[0][0]
    out_h, out_w, pitch, _ = sizes_2d(*geometry)
    rng = np.random.default_rng(seed)
    columns = random_array(rng, (filters, batch * out_h * pitch), dtype, strided)
    bias = random_array(rng, (filters,), dtype, strided)
    expected, actual = (np.full((batch, filters, out_h, out_w), value, dtype)
                        for value in (np.nan, -1.0))
    columns_to_batch.reference(columns, bias, pitch, expected)
    columns_to_batch.compiled(columns, bias, pitch, actual)
    np.testing.assert_array_equal(actual, expected)
    grid = columns.reshape(filters, batch, out_h, pitch)[..., :out_w]
    np.testing.assert_array_equal(expected, grid.transpose(1, 0, 2, 3) + bias[:, None, None])

    grad_out = random_array(rng, (batch, filters, out_h, out_w), dtype, strided)
    back_expected, back_actual = (np.full(columns.shape, value, dtype) for value in (np.nan, -1.0))
    batch_to_columns.reference(grad_out, pitch, back_expected)
    batch_to_columns.compiled(grad_out, pitch, back_actual)
    np.testing.assert_array_equal(back_actual, back_expected)
    back_grid = back_expected.reshape(filters, batch, out_h, pitch)
    assert not back_grid[..., out_w:].any()  # the junk columns get no gradient
    np.testing.assert_array_equal(back_grid[..., :out_w], grad_out.transpose(1, 0, 2, 3))


def test_wide_rows_read_past_the_row_into_the_spare_zero_row():
    """Stride 1: pitch is the padded width, junk columns continue along the padded line."""
    x = np.arange(1.0, 7.0).reshape(1, 1, 2, 3)  # [[1, 2, 3], [4, 5, 6]]
    cols = np.empty((4, 1 * 1 * 3))  # kernel 2x2, no padding: out 1x2, pitch 3
    im2col_2d.compiled(x, 2, 2, 1, 1, 0, 0, 3, cols)
    np.testing.assert_array_equal(cols, [[1, 2, 3], [2, 3, 4], [4, 5, 6], [5, 6, 0]])


def test_the_short_call_is_the_undilated_one():
    """The dilations are trailing arguments with default 1 (benchmarks call the short form)."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 3, 6, 7))
    short, explicit = np.empty((27, 2 * 4 * 7)), np.empty((27, 2 * 4 * 7))
    for kernel in (im2col_2d.reference, im2col_2d.compiled):
        kernel(x, 3, 3, 1, 1, 0, 0, 7, short)
        kernel(x, 3, 3, 1, 1, 0, 0, 7, explicit, 1, 1)
        np.testing.assert_array_equal(short, explicit)
    cols = rng.standard_normal((3 * 2, 2 * 6))
    for kernel in (col2im_1d.reference, col2im_1d.compiled):
        back_short, back_explicit = np.empty((2, 3, 7)), np.empty((2, 3, 7))
        kernel(cols, 2, 1, 0, back_short)
        kernel(cols, 2, 1, 0, back_explicit, 1)
        np.testing.assert_array_equal(back_short, back_explicit)


def test_dilated_wide_rows_stay_inside_the_spare_row():
    """Stride 1, dilation 2, no padding: the last junk column reads the spare zero row."""
    x = np.arange(1.0, 13.0).reshape(1, 1, 3, 4)
    cols = np.full((4, 1 * 1 * 4), np.nan)  # kernel 2x2 dilated 2: spans 3x3, out 1x2, pitch 4
    for kernel in (im2col_2d.reference, im2col_2d.compiled):
        kernel(x, 2, 2, 1, 1, 0, 0, 4, cols, 2, 2)
        np.testing.assert_array_equal(cols, [[1, 2, 3, 4], [3, 4, 5, 6], [9, 10, 11, 12],
                                             [11, 12, 0, 0]])
