"""Numba twins of ``minnet.kernels.pooling`` (same names, same signatures, same results).

Windows are visited without materializing the padding: only their rows and
columns inside the input (a ``ceil_mode`` window past the end included). The
common 2x2, stride-2, unpadded pooling has its own loops with constant
strides, which LLVM vectorizes (measured: benchmarks/README.md), taken only
when every window lies inside the input.
Average pooling visits the window offsets in the references' order, so that
sums are rounded the same way and float results match bit for bit. Helpers
are inlined and subscripts unsigned where a loop should vectorize (see
``im2col_numba``).
"""

import numba
import numpy as np
from numba import uint64

JIT = dict(cache=True, error_model="numpy", nogil=True)
INLINE = dict(JIT, inline="always")


@numba.njit(**INLINE)
def _taps(out_index, stride, pad, kernel, dilation, size):
    """(start, first, last): window ``out_index`` starts at input ``start``; its taps
    t in [first, last) read inputs start + t * dilation inside [0, size)."""
    start = out_index * stride - pad
    first = 0 if start >= 0 else (-start + dilation - 1) // dilation
    last = min(kernel, (size - start + dilation - 1) // dilation) if size > start else 0
    return start, first, last


@numba.njit(**INLINE)
def _valid(out_size, stride, shift, size):
    """The outputs o in [low, high) whose input o * stride + shift lies inside [0, size)."""
    low = 0 if shift >= 0 else (-shift + stride - 1) // stride
    high = (size - 1 - shift) // stride + 1 if size - 1 - shift >= 0 else 0
    low = min(low, out_size)
    return low, max(low, min(high, out_size))


@numba.njit(**INLINE)
def _is_2x2(kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, x_shape, out_shape):
    """Kernel 2, stride 2, no padding, and every window inside x (not so in ``ceil_mode``
    with an odd size)."""
    return (kernel_h == 2 and kernel_w == 2 and stride_h == 2 and stride_w == 2
            and pad_h == 0 and pad_w == 0 and 2 * out_shape[2] <= x_shape[2]
            and 2 * out_shape[3] <= x_shape[3])


@numba.njit(**JIT)
def _max_pool_2x2(x, out, argmax):
    """Kernel 2, stride 2, no padding, int32 ``argmax``: a vectorized loop over columns.

    Subscripts are unsigned and the indices int32, as wide as the float32
    values, so that the selects vectorize (2-3x faster; measured:
    benchmarks/README.md).
    """
    batch, channels, height, width = x.shape
    out_h, out_w = out.shape[2], out.shape[3]
    for n in range(batch):
        for c in range(channels):
            for y in range(out_h):
                upper, lower = x[n, c, 2 * y], x[n, c, 2 * y + 1]
                values, where = out[n, c, y], argmax[n, c, y]
                first = np.int32(2 * y * width)
                second = first + np.int32(width)
                for col in range(out_w):
                    left = np.int32(2 * col)
                    best, index = upper[uint64(left)], first + left
                    value = upper[uint64(left + 1)]
                    better = (value > best) | (value != value)  # a NaN always wins
                    best = value if better else best
                    index = first + left + 1 if better else index
                    value = lower[uint64(left)]
                    better = (value > best) | (value != value)
                    best = value if better else best
                    index = second + left if better else index
                    value = lower[uint64(left + 1)]
                    better = (value > best) | (value != value)
                    best = value if better else best
                    index = second + left + 1 if better else index
                    values[uint64(col)] = best  # select, then store: faster than storing a select
                    where[uint64(col)] = index


@numba.njit(**JIT)
def max_pool_2d(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out, argmax,
                dilation_h=1, dilation_w=1):
    if dilation_h == 1 and dilation_w == 1 and argmax.itemsize == 4 and _is_2x2(
            kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, x.shape, out.shape):
        _max_pool_2x2(x, out, argmax)
        return
    batch, channels, height, width = x.shape
    out_h, out_w = out.shape[2], out.shape[3]
    for n in range(batch):
        for c in range(channels):
            plane = x[n, c]
            for y in range(out_h):
                top, first_i, last_i = _taps(y, stride_h, pad_h, kernel_h, dilation_h, height)
                for col in range(out_w):
                    left, first_j, last_j = _taps(col, stride_w, pad_w, kernel_w, dilation_w,
                                                  width)
                    row, q = top + first_i * dilation_h, left + first_j * dilation_w
                    best, index = plane[row, q], row * width + q
                    for i in range(first_i, last_i):
                        row = top + i * dilation_h
                        for j in range(first_j, last_j):
                            q = left + j * dilation_w
                            value = plane[row, q]
                            better = (value > best) | (value != value)
                            best = value if better else best
                            index = row * width + q if better else index
                    out[n, c, y, col] = best
                    argmax[n, c, y, col] = index


@numba.njit(**JIT)
def max_pool_2d_backward(grad_out, argmax, grad_x):
    batch, channels, height, width = grad_x.shape
    out_h, out_w = grad_out.shape[2], grad_out.shape[3]
    flat = grad_x.reshape(batch, channels, height * width)
    for n in range(batch):
        for c in range(channels):
            plane = flat[n, c]
            plane[:] = 0
            for y in range(out_h):
                grads, where = grad_out[n, c, y], argmax[n, c, y]
                for col in range(out_w):
                    plane[uint64(where[col])] += grads[col]


@numba.njit(**INLINE)
def _add_strided(source, start, step, target, offset, count):
    """target[offset + t] += source[start + t * step] for t < count (every index >= 0)."""
    if step == 1:
        for t in range(count):
            target[uint64(offset + t)] += source[uint64(start + t)]
    else:
        for t in range(count):
            target[uint64(offset + t)] += source[uint64(start + t * step)]


@numba.njit(**INLINE)
def _scatter_strided(source, offset, target, start, step, count):
    """target[start + t * step] += source[offset + t] for t < count (every index >= 0).

    The same loop as ``im2col_numba._add_run``, kept in this file on purpose:
    numba's cache does not see edits to a helper imported from another file.
    """
    if step == 1:
        for t in range(count):
            target[uint64(start + t)] += source[uint64(offset + t)]
    else:
        for t in range(count):
            target[uint64(start + t * step)] += source[uint64(offset + t)]


@numba.njit(**JIT)
def _avg_pool_2x2(x, scale, out):
    """Kernel 2, stride 2, no padding; sums in the reference's order (0 + a + b + c + d)."""
    batch, channels = x.shape[0], x.shape[1]
    for n in range(batch):
        for c in range(channels):
            for y in range(out.shape[2]):
                upper, lower, target = x[n, c, 2 * y], x[n, c, 2 * y + 1], out[n, c, y]
                for col in range(out.shape[3]):
                    total = upper[2 * col] + upper[2 * col + 1] + lower[2 * col]
                    target[col] = (total + lower[2 * col + 1]) * scale


@numba.njit(**JIT)
def _avg_pool_2x2_backward(grad_out, scale, grad_x):
    """Kernel 2, stride 2, no padding: each input gets its window's share, or 0 outside."""
    batch, channels, height, width = grad_x.shape
    out_h, out_w = grad_out.shape[2], grad_out.shape[3]
    for n in range(batch):
        for c in range(channels):
            plane = grad_x[n, c]
            for y in range(out_h):
                upper, lower, grads = plane[2 * y], plane[2 * y + 1], grad_out[n, c, y]
                for col in range(out_w):
                    share = grads[col] * scale
                    upper[2 * col] = share
                    upper[2 * col + 1] = share
                    lower[2 * col] = share
                    lower[2 * col + 1] = share
                for q in range(2 * out_w, width):  # an odd last column belongs to no window
                    upper[q] = 0
                    lower[q] = 0
            for row in range(2 * out_h, height):
                plane[row, :] = 0


@numba.njit(**JIT)
def avg_pool_2d(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, out):
    batch, channels, height, width = x.shape
    out_h, out_w = out.shape[2], out.shape[3]
    scale = np.empty(1, dtype=out.dtype)  # 1 / window size, rounded to the output's dtype
    scale[0] = 1.0 / (kernel_h * kernel_w)
    if _is_2x2(kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, x.shape, out.shape):
        _avg_pool_2x2(x, scale[0], out)
        return
    out[:] = 0
    for n in range(batch):
        for c in range(channels):
            for i in range(kernel_h):
                top, bottom = _valid(out_h, stride_h, i - pad_h, height)
                for j in range(kernel_w):
                    left, right = _valid(out_w, stride_w, j - pad_w, width)
                    for y in range(top, bottom):
                        _add_strided(x[n, c, y * stride_h + i - pad_h],
                                     left * stride_w + j - pad_w, stride_w, out[n, c, y], left,
                                     right - left)
            for y in range(out_h):
                row = out[n, c, y]
                for t in range(out_w):
                    row[t] *= scale[0]


@numba.njit(**JIT)
def avg_pool_2d_backward(grad_out, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w,
                         grad_x):
    batch, channels, height, width = grad_x.shape
    out_h, out_w = grad_out.shape[2], grad_out.shape[3]
    scale = np.empty(1, dtype=grad_x.dtype)  # 1 / window size in the gradient's dtype
    scale[0] = 1.0 / (kernel_h * kernel_w)
    if _is_2x2(kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, grad_x.shape,
               grad_out.shape):
        _avg_pool_2x2_backward(grad_out, scale[0], grad_x)
        return
    share = np.empty((out_h, out_w), dtype=grad_x.dtype)
    grad_x[:] = 0
    for n in range(batch):
        for c in range(channels):
            for y in range(out_h):  # each input of a window gets grad / (kernel_h * kernel_w)
                for t in range(out_w):
                    share[y, t] = grad_out[n, c, y, t] * scale[0]
            for i in range(kernel_h):
                top, bottom = _valid(out_h, stride_h, i - pad_h, height)
                for j in range(kernel_w):
                    left, right = _valid(out_w, stride_w, j - pad_w, width)
                    for y in range(top, bottom):
                        _scatter_strided(share[y], left, grad_x[n, c, y * stride_h + i - pad_h],
                                         left * stride_w + j - pad_w, stride_w, right - left)
