"""Max and average pooling over 2d windows, forward and backward (NumPy references).

The references loop over the kernel_h * kernel_w offsets of a window and
process every window of the batch at once for each offset: a few large
vectorized operations instead of one small one per window. Padding is
virtual: positions outside the input are skipped by max pooling (as if
-inf) and count as zeros for average pooling, whose divisor is always
kernel_h * kernel_w (PyTorch's ``count_include_pad=True``; the functional
layer rescales windows with another divisor). The output may hold more
windows than fit (``ceil_mode``): only their part inside the input is read.
Max pooling may be dilated (trailing arguments, default 1). A 1d pooling
calls these with a height of 1.

``argmax`` holds, for each output, the flat index ``row * W + col`` of the
chosen input inside its (H, W) plane, as PyTorch's ``return_indices``.

The numba twins with the same names and signatures are in ``pooling_numba``.
"""

import numpy as np

from minnet.kernels.backend import Kernel


def _offset_view(array, offset_h, offset_w, stride_h, stride_w, out_h, out_w, pad_h, pad_w):
    """For one window offset: (the valid output rows, the valid output cols, a view of array).

    Output (y, x) reads input (y * stride_h + offset_h - pad_h, x * stride_w +
    offset_w - pad_w). Only the outputs whose input lies inside the array are
    valid; they form a rectangle ``rows x cols``, and the view holds their
    inputs (N, C, len(rows), len(cols)).
    """
    height, width = array.shape[2:]
    rows = _valid(out_h, stride_h, offset_h - pad_h, height)
    cols = _valid(out_w, stride_w, offset_w - pad_w, width)
    top = rows.start * stride_h + offset_h - pad_h
    left = cols.start * stride_w + offset_w - pad_w
    view = array[:, :, top:top + stride_h * len(rows):stride_h,
                 left:left + stride_w * len(cols):stride_w]
    return rows, cols, view


def _valid(out_size, stride, shift, size):
    """The range of outputs o with 0 <= o * stride + shift < size."""
    low = max(0, -(shift // stride))  # ceil(-shift / stride) for the first inside
    high = min(out_size, (size - 1 - shift) // stride + 1) if size - 1 - shift >= 0 else 0
    return range(min(low, out_size), max(min(low, out_size), high))


def max_pool_2d(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out, argmax,
                dilation_h=1, dilation_w=1):
    """Maximum of each window and where it is.

    PyTorch's rule: the first maximum wins a tie, and a NaN always wins (the
    last NaN of the window), so NaN propagates to the output.

    Parameters
    ----------
    x : ndarray (N, C, H, W), C-contiguous, float32 or float64
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w : int (checked by the caller:
        every window holds at least one input)
    out : ndarray (N, C, H_out, W_out), x's dtype; overwritten
    argmax : ndarray (N, C, H_out, W_out), int32 or int64 (int64 when H * W >= 2**31);
        overwritten with flat indices in (H, W)
    dilation_h, dilation_w : int, default 1; the distance between a window's taps
    """
    out_h, out_w = out.shape[2:]
    width = x.shape[3]
    out[...] = np.nan
    argmax[...] = -1
    for i in range(kernel_h):
        for j in range(kernel_w):
            rows, cols, values = _offset_view(x, i * dilation_h, j * dilation_w, stride_h,
                                              stride_w, out_h, out_w, pad_h, pad_w)
            best = out[:, :, rows.start:rows.stop, cols.start:cols.stop]
            where = argmax[:, :, rows.start:rows.stop, cols.start:cols.stop]
            take = (where < 0) | (values > best) | np.isnan(values)
            np.copyto(best, values, where=take)
            input_rows = np.arange(rows.start, rows.stop) * stride_h + i * dilation_h - pad_h
            input_cols = np.arange(cols.start, cols.stop) * stride_w + j * dilation_w - pad_w
            np.copyto(where, input_rows[:, None] * width + input_cols[None, :], where=take)


def max_pool_2d_backward(grad_out, argmax, grad_x):
    """Send each output's gradient to the input that was the maximum (added where windows overlap).

    Parameters
    ----------
    grad_out : ndarray (N, C, H_out, W_out)
    argmax : ndarray (N, C, H_out, W_out), int64, from ``max_pool_2d``
    grad_x : ndarray (N, C, H, W), C-contiguous, grad_out's dtype; overwritten
    """
    batch, channels, height, width = grad_x.shape
    planes = np.arange(batch * channels).reshape(batch, channels, 1, 1) * (height * width)
    grad_x[...] = 0
    np.add.at(grad_x.reshape(-1), (planes + argmax).reshape(-1), grad_out.reshape(-1))


def avg_pool_2d(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out):
    """Mean of each window, padding (and the part of a ``ceil_mode`` window past the
    input) counted as zeros: the divisor is kernel_h * kernel_w.

    Parameters
    ----------
    x : ndarray (N, C, H, W), C-contiguous, float32 or float64
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w : int
    out : ndarray (N, C, H_out, W_out), x's dtype; overwritten
    """
    out_h, out_w = out.shape[2:]
    out[...] = 0
    for i in range(kernel_h):
        for j in range(kernel_w):
            rows, cols, values = _offset_view(x, i, j, stride_h, stride_w, out_h, out_w,
                                              pad_h, pad_w)
            out[:, :, rows.start:rows.stop, cols.start:cols.stop] += values
    out *= out.dtype.type(1.0 / (kernel_h * kernel_w))


def avg_pool_2d_backward(grad_out, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
                         grad_x):
    """Spread each output's gradient evenly over its window (1 / (kernel_h * kernel_w) each).

    Parameters
    ----------
    grad_out : ndarray (N, C, H_out, W_out), C-contiguous
    kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w : int
    grad_x : ndarray (N, C, H, W), C-contiguous, grad_out's dtype; overwritten
    """
    out_h, out_w = grad_out.shape[2:]
    share = grad_out * grad_out.dtype.type(1.0 / (kernel_h * kernel_w))
    grad_x[...] = 0
    for i in range(kernel_h):
        for j in range(kernel_w):
            rows, cols, target = _offset_view(grad_x, i, j, stride_h, stride_w, out_h, out_w,
                                              pad_h, pad_w)
            target += share[:, :, rows.start:rows.stop, cols.start:cols.stop]


max_pool_2d = Kernel(max_pool_2d, "pooling_numba")
max_pool_2d_backward = Kernel(max_pool_2d_backward, "pooling_numba")
avg_pool_2d = Kernel(avg_pool_2d, "pooling_numba")
avg_pool_2d_backward = Kernel(avg_pool_2d_backward, "pooling_numba")
