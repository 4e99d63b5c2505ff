"""im2col and col2im: a convolution as one matrix product (NumPy references).

Each output value of a convolution is the dot product of a filter with the
window of input under it. ``im2col`` copies every window into a column of a
matrix ``cols``, so that all those dot products become one matrix product,
``w.reshape(F, K) @ cols``. ``col2im`` is its adjoint: it adds every column
back onto the window it came from, overlapping windows summing up, which is
how the input gradient is gathered.

Rows of ``cols`` are ordered like ``w.reshape(F, K)``: row ``(c * kernel_h +
i) * kernel_w + j`` holds input channel c at window offset (i, j),
K = C * kernel_h * kernel_w. So the rows of a group of consecutive channels
are consecutive too, which is what a grouped convolution multiplies.

A dilated window reads its taps ``dilation`` positions apart: offset (i, j)
sits at (i * dilation_h, j * dilation_w) from the window's corner. The
dilations are trailing arguments with default 1, so that the plain call
keeps its short form.

Columns, 1d: column ``n * L_out + l`` holds window l of sample n.
Columns, 2d: column ``(n * H_out + y) * pitch + x`` holds window (y, x) of
sample n, where ``pitch`` is the width of a row of windows (``row_pitch``).
With a horizontal stride of 1 the rows are widened to the padded width,
``pitch = W + 2 * pad_w``: the windows then sit one after another in the
padded image read as one long line, so the copy is one long run per sample
instead of many short ones (a 14-wide row is too short for SIMD). The extra
``pitch - W_out`` "junk" columns of each row read on along that line (into
the next row, or the spare zero row added below the padded image); the
convolution drops them from its output, so their gradient is zero.

The numba twins with the same names and signatures are in ``im2col_numba``.
"""

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minnet.kernels.backend import Kernel


def row_pitch(padded_width, out_width, stride_w):
    """Columns per row of windows in the 2d layout: the padded width when stride_w is 1."""
    return padded_width if stride_w == 1 else out_width


def _padded_planes(shape, dtype, pad_h, pad_w):
    """Zeros of shape (N, C, H + 2 pad_h + 1, W + 2 pad_w): the padded image plus a spare row.

    The spare zero row keeps the junk columns of the last row of windows
    inside the plane: they read at most (kernel_w - 1) * dilation_w positions
    past the end of the last row, fewer than the padded width.
    """
    batch, channels, height, width = shape
    return np.zeros((batch, channels, height + 2 * pad_h + 1, width + 2 * pad_w), dtype=dtype)


def _windows(padded, kernel_h, kernel_w, stride_h, stride_w, out_h, pitch, dilation_h,
             dilation_w):
    """Strided view (C, kernel_h, kernel_w, N, H_out, pitch) of the padded planes.

    Element [c, i, j, n, y, x] is the padded plane of (n, c) read as one
    line at position (y * stride_h + i * dilation_h) * W_padded + x * stride_w
    + j * dilation_w. For a fixed (i, j) no two elements share memory, so
    ``view[:, i, j] += ...`` is a safe scatter-add.
    """
    step_n, step_c, step_row, step_col = padded.strides
    shape = (padded.shape[1], kernel_h, kernel_w, padded.shape[0], out_h, pitch)
    strides = (step_c, dilation_h * step_row, dilation_w * step_col, step_n, stride_h * step_row,
               stride_w * step_col)
    return as_strided(padded, shape=shape, strides=strides)


def _out_size(size, kernel, stride, pad, dilation):
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


def im2col_2d(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, pitch, cols,
              dilation_h=1, dilation_w=1):
    """Copy every window of the zero-padded input into a column.

    Parameters
    ----------
    x : ndarray (N, C, H, W), C-contiguous, float32 or float64
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w : int (checked by the caller:
        the padded input is at least as large as the dilated kernel)
    pitch : int, ``row_pitch(W + 2 * pad_w, W_out, stride_w)``
    cols : ndarray (C * kernel_h * kernel_w, N * H_out * pitch), C-contiguous, x's dtype;
        overwritten
    dilation_h, dilation_w : int, default 1; the distance between taps
    """
    batch, channels, height, width = x.shape
    out_h = _out_size(height, kernel_h, stride_h, pad_h, dilation_h)
    padded = _padded_planes(x.shape, x.dtype, pad_h, pad_w)
    padded[:, :, pad_h:pad_h + height, pad_w:pad_w + width] = x
    view = _windows(padded, kernel_h, kernel_w, stride_h, stride_w, out_h, pitch, dilation_h,
                    dilation_w)
    cols.reshape(view.shape)[...] = view


def col2im_2d(cols, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, pitch, grad_x,
              dilation_h=1, dilation_w=1):
    """The adjoint of ``im2col_2d``: add each column back onto its window, then crop the padding.

    Parameters
    ----------
    cols : ndarray (C * kernel_h * kernel_w, N * H_out * pitch), C-contiguous
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, pitch : as in ``im2col_2d``
    grad_x : ndarray (N, C, H, W), C-contiguous, cols' dtype; overwritten
    dilation_h, dilation_w : int, default 1
    """
    batch, channels, height, width = grad_x.shape
    out_h = _out_size(height, kernel_h, stride_h, pad_h, dilation_h)
    padded = _padded_planes(grad_x.shape, grad_x.dtype, pad_h, pad_w)
    view = _windows(padded, kernel_h, kernel_w, stride_h, stride_w, out_h, pitch, dilation_h,
                    dilation_w)
    blocks = cols.reshape(view.shape)
    # One vectorized add per window offset: windows at one offset never overlap.
    for i in range(kernel_h):
        for j in range(kernel_w):
            view[:, i, j] += blocks[:, i, j]
    grad_x[...] = padded[:, :, pad_h:pad_h + height, pad_w:pad_w + width]


def _windows_1d(padded, kernel, stride, out_len, dilation):
    """Strided view (C, kernel, N, L_out) of padded (N, C, L_padded).

    Element [c, j, n, l] is padded[n, c, l * stride + j * dilation].
    """
    step_n, step_c, step_l = padded.strides
    shape = (padded.shape[1], kernel, padded.shape[0], out_len)
    return as_strided(padded, shape=shape,
                      strides=(step_c, dilation * step_l, step_n, stride * step_l))


def im2col_1d(x, kernel, stride, pad, cols, dilation=1):
    """Copy every window of the zero-padded sequence into a column.

    Parameters
    ----------
    x : ndarray (N, C, L), C-contiguous, float32 or float64
    kernel, stride, pad : int (the padded length is at least the dilated kernel)
    cols : ndarray (C * kernel, N * L_out), C-contiguous, x's dtype; overwritten
    dilation : int, default 1
    """
    batch, channels, length = x.shape
    out_len = _out_size(length, kernel, stride, pad, dilation)
    padded = np.zeros((batch, channels, length + 2 * pad), dtype=x.dtype)
    padded[:, :, pad:pad + length] = x
    view = _windows_1d(padded, kernel, stride, out_len, dilation)
    cols.reshape(view.shape)[...] = view


def col2im_1d(cols, kernel, stride, pad, grad_x, dilation=1):
    """The adjoint of ``im2col_1d``: add each column back onto its window, crop the padding.

    Parameters
    ----------
    cols : ndarray (C * kernel, N * L_out), C-contiguous
    kernel, stride, pad, dilation : int, as in ``im2col_1d``
    grad_x : ndarray (N, C, L), C-contiguous, cols' dtype; overwritten
    """
    batch, channels, length = grad_x.shape
    out_len = _out_size(length, kernel, stride, pad, dilation)
    padded = np.zeros((batch, channels, length + 2 * pad), dtype=grad_x.dtype)
    view = _windows_1d(padded, kernel, stride, out_len, dilation)
    blocks = cols.reshape(view.shape)
    for j in range(kernel):
        view[:, j] += blocks[:, j]
    grad_x[...] = padded[:, :, pad:pad + length]


def columns_to_batch(columns, bias, pitch, out):
    """The matrix product's output back to channels-first images, junk columns dropped, bias added.

    ``out[n, f, y, x] = columns[f, (n * H_out + y) * pitch + x] + bias[f]``.

    Parameters
    ----------
    columns : ndarray (F, N * H_out * pitch), C-contiguous
    bias : ndarray (F,), columns' dtype (zeros for a layer without bias)
    pitch : int, columns per row of windows (``row_pitch``)
    out : ndarray (N, F, H_out, W_out), C-contiguous; overwritten (a 1d
        convolution passes (N, F, 1, L_out) with pitch = L_out)
    """
    batch, filters, out_h, out_w = out.shape
    grid = columns.reshape(filters, batch, out_h, pitch)[..., :out_w]
    np.add(grid.transpose(1, 0, 2, 3), bias[:, None, None], out=out)


def batch_to_columns(grad_out, pitch, columns):
    """The adjoint of ``columns_to_batch`` (without the bias): images to columns, junk set to 0.

    ``columns[f, (n * H_out + y) * pitch + x] = grad_out[n, f, y, x]`` for
    x < W_out, and 0 in the junk columns x >= W_out.

    Parameters
    ----------
    grad_out : ndarray (N, F, H_out, W_out), C-contiguous
    pitch : int, columns per row of windows
    columns : ndarray (F, N * H_out * pitch), C-contiguous, grad_out's dtype; overwritten
    """
    batch, filters, out_h, out_w = grad_out.shape
    grid = columns.reshape(filters, batch, out_h, pitch)
    grid[..., out_w:] = 0
    grid[..., :out_w] = grad_out.transpose(1, 0, 2, 3)


im2col_2d = Kernel(im2col_2d, "im2col_numba")
col2im_2d = Kernel(col2im_2d, "im2col_numba")
im2col_1d = Kernel(im2col_1d, "im2col_numba")
col2im_1d = Kernel(col2im_1d, "im2col_numba")
columns_to_batch = Kernel(columns_to_batch, "im2col_numba")
batch_to_columns = Kernel(batch_to_columns, "im2col_numba")
