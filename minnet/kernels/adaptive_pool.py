"""Adaptive average pooling, forward and backward (NumPy references).

The output size is fixed and the windows adapt to the input: window i of
``out`` along an axis of size ``size`` covers inputs [start, end) with
PyTorch's formula::

    start = floor(i * size / out),  end = ceil((i + 1) * size / out)

so windows may differ in size by one and may overlap. Each output is the
mean of its (rectangular) window, and a rectangle's mean is the mean along
one axis of the means along the other: the references pool the rows, then
the columns, each a short loop over output positions of whole-batch slices.
(A matrix product with a pooling matrix would be shorter, but its zeros
times an infinite input give NaN in windows the input is not part of.)

The numba twins with the same names and signatures are in ``adaptive_pool_numba``.
"""

import numpy as np

from minnet.kernels.backend import Kernel


def _bounds(index, out_size, size):
    """Window ``index`` of ``out_size`` over an axis of ``size``: [start, end)."""
    return index * size // out_size, -(-(index + 1) * size // out_size)


def adaptive_avg_pool_2d(x, out):
    """Mean of each adaptive window.

    Parameters
    ----------
    x : ndarray (N, C, H, W), C-contiguous, float32 or float64, H and W >= 1
    out : ndarray (N, C, H_out, W_out), x's dtype, H_out and W_out >= 1; overwritten
    """
    height, width = x.shape[2:]
    out_h, out_w = out.shape[2:]
    rows = np.empty(x.shape[:2] + (out_h, width), dtype=x.dtype)
    for i in range(out_h):
        start, end = _bounds(i, out_h, height)
        rows[:, :, i] = x[:, :, start:end].sum(axis=2) / (end - start)
    for j in range(out_w):
        start, end = _bounds(j, out_w, width)
        out[:, :, :, j] = rows[:, :, :, start:end].sum(axis=3) / (end - start)


def adaptive_avg_pool_2d_backward(grad_out, grad_x):
    """Share each output's gradient evenly over its window (summed where windows overlap).

    Parameters
    ----------
    grad_out : ndarray (N, C, H_out, W_out), C-contiguous
    grad_x : ndarray (N, C, H, W), C-contiguous, grad_out's dtype; overwritten
    """
    height, width = grad_x.shape[2:]
    out_h, out_w = grad_out.shape[2:]
    rows = np.zeros(grad_out.shape[:3] + (width,), dtype=grad_x.dtype)
    for j in range(out_w):  # the adjoint of the column pass first
        start, end = _bounds(j, out_w, width)
        rows[:, :, :, start:end] += (grad_out[:, :, :, j] / (end - start))[..., None]
    grad_x[...] = 0
    for i in range(out_h):
        start, end = _bounds(i, out_h, height)
        grad_x[:, :, start:end] += (rows[:, :, i] / (end - start))[:, :, None]


adaptive_avg_pool_2d = Kernel(adaptive_avg_pool_2d, "adaptive_pool_numba")
adaptive_avg_pool_2d_backward = Kernel(adaptive_avg_pool_2d_backward, "adaptive_pool_numba")
