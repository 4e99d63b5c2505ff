"""Numba twins of ``minnet.kernels.batchnorm`` (same names, same signatures).

Each kernel reads its inputs once. Two loop orders: for ``S == 1`` (input
``(N, C)``) the channel loop is innermost, so the compiler vectorizes across
channels; otherwise the position loop is innermost. Reductions accumulate in
float64 whatever the input dtype. The variance is computed in one pass from
sums of ``x - pivot`` with a pivot taken from the channel's own data (the
"shifted data" algorithm), which avoids the cancellation of the naive
``E[x^2] - E[x]^2`` when the mean is large compared with the spread; a
non-finite first value is no pivot (0 is taken instead), so ±inf and NaN give
the reference's (and PyTorch's) statistics.

``fastmath={"reassoc"}`` only on the reductions: it lets LLVM vectorize a sum
by reordering it (results move by round-off); it does not assume away NaN or Inf.
"""

import numba
import numpy as np

_JIT = {"cache": True, "error_model": "numpy", "nogil": True}
_REDUCE = {**_JIT, "fastmath": {"reassoc"}}


@numba.njit(**_REDUCE)
def channel_mean_var(x):
    x = np.ascontiguousarray(x)
    n_batch, channels, positions = x.shape
    count = n_batch * positions
    pivot = np.zeros(channels)
    for c in range(channels):
        first = x[0, c, 0]
        if np.isfinite(first):  # an inf pivot would make inf - inf = NaN of an inf mean
            pivot[c] = first
    total = np.zeros(channels)
    total_sq = np.zeros(channels)
    if positions == 1:
        flat = x.reshape((n_batch, channels))
        for n in range(n_batch):
            for c in range(channels):
                d = flat[n, c] - pivot[c]
                total[c] += d
                total_sq[c] += d * d
    else:
        for n in range(n_batch):
            for c in range(channels):
                k = pivot[c]
                s = 0.0
                q = 0.0
                for p in range(positions):
                    d = x[n, c, p] - k
                    s += d
                    q += d * d
                total[c] += s
                total_sq[c] += q
    mean = np.empty(channels, dtype=x.dtype)
    var = np.empty(channels, dtype=x.dtype)
    for c in range(channels):
        offset = total[c] / count
        v = total_sq[c] / count - offset * offset
        if v < 0.0:  # round-off only; written so that NaN stays NaN
            v = 0.0
        mean[c] = pivot[c] + offset
        var[c] = v
    return mean, var


@numba.njit(**_JIT)
def batchnorm_normalize(x, mean, scale, shift):
    x = np.ascontiguousarray(x)
    n_batch, channels, positions = x.shape
    out = np.empty_like(x)
    if positions == 1:
        flat = x.reshape((n_batch, channels))
        flat_out = out.reshape((n_batch, channels))
        for n in range(n_batch):
            for c in range(channels):
                flat_out[n, c] = (flat[n, c] - mean[c]) * scale[c] + shift[c]
    else:
        for n in range(n_batch):
            for c in range(channels):
                m = mean[c]
                a = scale[c]
                b = shift[c]
                for p in range(positions):
                    out[n, c, p] = (x[n, c, p] - m) * a + b
    return out


@numba.njit(**_REDUCE)
def channel_grad_sums(grad_out, x, mean):
    grad_out = np.ascontiguousarray(grad_out)
    x = np.ascontiguousarray(x)
    n_batch, channels, positions = x.shape
    total = np.zeros(channels)
    total_centered = np.zeros(channels)
    if positions == 1:
        flat_grad = grad_out.reshape((n_batch, channels))
        flat = x.reshape((n_batch, channels))
        for n in range(n_batch):
            for c in range(channels):
                g = flat_grad[n, c]
                total[c] += g
                total_centered[c] += g * (flat[n, c] - mean[c])
    else:
        for n in range(n_batch):
            for c in range(channels):
                m = mean[c]
                s = 0.0
                t = 0.0
                for p in range(positions):
                    g = grad_out[n, c, p]
                    s += g
                    t += g * (x[n, c, p] - m)
                total[c] += s
                total_centered[c] += t
    return total.astype(x.dtype), total_centered.astype(x.dtype)


@numba.njit(**_JIT)
def batchnorm_input_grad(grad_out, x, mean, grad_scale, centered_scale, shift):
    grad_out = np.ascontiguousarray(grad_out)
    x = np.ascontiguousarray(x)
    n_batch, channels, positions = x.shape
    grad_x = np.empty_like(x)
    if positions == 1:
        flat_grad = grad_out.reshape((n_batch, channels))
        flat = x.reshape((n_batch, channels))
        flat_out = grad_x.reshape((n_batch, channels))
        for n in range(n_batch):
            for c in range(channels):
                flat_out[n, c] = (flat_grad[n, c] * grad_scale[c]
                                  + (flat[n, c] - mean[c]) * centered_scale[c]) + shift[c]
    else:
        for n in range(n_batch):
            for c in range(channels):
                m = mean[c]
                a = grad_scale[c]
                b = centered_scale[c]
                d = shift[c]
                for p in range(positions):
                    grad_x[n, c, p] = (grad_out[n, c, p] * a + (x[n, c, p] - m) * b) + d
    return grad_x
