"""Numba twins of ``minnet.kernels.adaptive_pool`` (same names, same signatures).

Same two passes as the references (rows, then columns), one (sample,
channel) plane at a time with a small buffer that stays in cache. Sums may
be rounded in another order than NumPy's (pairwise for long windows), so
results agree to round-off, not bit for bit.
"""

import numba
import numpy as np

JIT = dict(cache=True, error_model="numpy", nogil=True)
INLINE = dict(JIT, inline="always")


@numba.njit(**INLINE)
def _bounds(index, out_size, size):
    """Window ``index`` of ``out_size`` over an axis of ``size``: [start, end)."""
    return index * size // out_size, ((index + 1) * size + out_size - 1) // out_size


@numba.njit(**JIT)
def adaptive_avg_pool_2d(x, out):
    batch, channels, height, width = x.shape
    out_h, out_w = out.shape[2], out.shape[3]
    rows = np.empty((out_h, width), dtype=x.dtype)
    for n in range(batch):
        for c in range(channels):
            plane = x[n, c]
            for i in range(out_h):
                start, end = _bounds(i, out_h, height)
                line = rows[i]
                line[:] = plane[start]
                for h in range(start + 1, end):
                    source = plane[h]
                    for w in range(width):
                        line[w] += source[w]
                for w in range(width):
                    line[w] /= end - start
            for i in range(out_h):
                line, target = rows[i], out[n, c, i]
                for j in range(out_w):
                    start, end = _bounds(j, out_w, width)
                    total = line[start]
                    for w in range(start + 1, end):
                        total += line[w]
                    target[j] = total / (end - start)


@numba.njit(**JIT)
def adaptive_avg_pool_2d_backward(grad_out, grad_x):
    batch, channels, height, width = grad_x.shape
    out_h, out_w = grad_out.shape[2], grad_out.shape[3]
    rows = np.empty((out_h, width), dtype=grad_x.dtype)
    for n in range(batch):
        for c in range(channels):
            rows[:] = 0
            for i in range(out_h):  # the adjoint of the column pass first
                grads, line = grad_out[n, c, i], rows[i]
                for j in range(out_w):
                    start, end = _bounds(j, out_w, width)
                    share = grads[j] / (end - start)
                    for w in range(start, end):
                        line[w] += share
            plane = grad_x[n, c]
            plane[:] = 0
            for i in range(out_h):
                start, end = _bounds(i, out_h, height)
                line = rows[i]
                for h in range(start, end):
                    target = plane[h]
                    for w in range(width):
                        target[w] += line[w] / (end - start)
