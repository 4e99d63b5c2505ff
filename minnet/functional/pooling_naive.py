"""The textbook pooling loops: slow, obviously right, the reference for ``pooling``.

One window at a time: list its taps along each axis (``start + t * dilation``
with ``start = o * stride - padding``), keep those inside the input, and take
their maximum, or their sum over the window's divisor (PyTorch's rule, worked
out here window by window). Same arguments and results as the fast pairs;
the max references assume finite inputs.
"""

import itertools
from typing import NamedTuple

import numpy as np

from minnet.functional.pooling import MaxPoolCache, check_divisor_override, pool_arguments
from minnet.functional.windows import check_windows_hold_input, output_shape
from minnet.validation import as_float_array, check_ndim


class AvgPoolNaiveCache(NamedTuple):
    """What the naive average pooling backward needs.

    x_shape : (N, C, *spatial), the input's shape
    geometry : (kernel, stride, padding, dilation), each a tuple with one int per axis
    divisors : float64 ndarray of the output's spatial shape, each window's divisor
    out_shape : (N, C, *spatial_out), the output's shape
    """

    x_shape: tuple
    geometry: tuple
    divisors: np.ndarray
    out_shape: tuple


def _setup(owner, x, kernel_size, stride, padding, dilation, ceil_mode, dims):
    kernel, stride, padding, dilation = pool_arguments(owner, kernel_size, stride, padding,
                                                       dims, dilation)
    x = as_float_array(owner, x)
    check_ndim(owner, x, (dims + 2,), "(N, C, *spatial)", what="x")
    spatial = output_shape(owner, x.shape, kernel, stride, padding, dilation, ceil_mode)
    check_windows_hold_input(owner, x.shape, kernel, stride, padding, dilation, spatial)
    return x, (kernel, stride, padding, dilation), x.shape[:2] + spatial


def _taps(position, geometry, sizes):
    """Per axis, the input indices of window ``position`` that lie inside the input."""
    kernel, stride, padding, dilation = geometry
    return [[o * s - p + t * d for t in range(k) if 0 <= o * s - p + t * d < size]
            for o, k, s, p, d, size in zip(position, kernel, stride, padding, dilation, sizes)]


def _max_forward_naive(owner, x, kernel_size, stride, padding, dilation, ceil_mode, dims):
    x, geometry, out_shape = _setup(owner, x, kernel_size, stride, padding, dilation,
                                    ceil_mode, dims)
    out = np.zeros(out_shape, dtype=x.dtype)
    argmax = np.zeros(out_shape, dtype=np.int64)
    for n, c, *position in np.ndindex(out_shape):
        candidates = itertools.product(*_taps(position, geometry, x.shape[2:]))
        best = max(candidates, key=lambda index: x[(n, c, *index)])  # the first maximum
        out[(n, c, *position)] = x[(n, c, *best)]
        argmax[(n, c, *position)] = np.ravel_multi_index(best, x.shape[2:])
    return out, MaxPoolCache(x.shape, argmax, out_shape, x.dtype)


def _max_backward_naive(grad_out, cache):
    # out = x[argmax]: the gradient of each output goes to the input it copied.
    x_shape, argmax = cache.x_shape, cache.argmax
    grad_x = np.zeros(x_shape, dtype=cache.dtype)
    for n, c, *position in np.ndindex(cache.out_shape):
        index = np.unravel_index(argmax[(n, c, *position)], x_shape[2:])
        grad_x[(n, c, *index)] += grad_out[(n, c, *position)]
    return grad_x


def _divisor(position, geometry, sizes, count_include_pad, divisor_override):
    """The number a window's sum is divided by, in PyTorch's words: the window clipped to
    the padded input (count_include_pad) or to the input, or the override."""
    if divisor_override is not None:
        return divisor_override
    kernel, stride, padding, _ = geometry
    divisor = 1
    for o, k, s, p, size in zip(position, kernel, stride, padding, sizes):
        start = o * s - p
        end = min(start + k, size + p)
        divisor *= end - start if count_include_pad else min(end, size) - max(start, 0)
    return divisor


def _avg_forward_naive(owner, x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                       divisor_override, dims):
    x, geometry, out_shape = _setup(owner, x, kernel_size, stride, padding, 1, ceil_mode, dims)
    divisor_override = check_divisor_override(owner, divisor_override)
    out = np.zeros(out_shape, dtype=x.dtype)
    divisors = np.zeros(out_shape[2:])
    for position in np.ndindex(out_shape[2:]):
        index = np.ix_(*_taps(position, geometry, x.shape[2:]))
        divisors[position] = _divisor(position, geometry, x.shape[2:], count_include_pad,
                                      divisor_override)
        out[(slice(None), slice(None), *position)] = (
            x[(slice(None), slice(None), *index)].sum(axis=tuple(range(2, 2 + dims)))
            / divisors[position])
    return out, AvgPoolNaiveCache(x.shape, geometry, divisors, out_shape)


def _avg_backward_naive(grad_out, cache):
    # out = sum(window) / divisor: each input of the window gets grad / divisor.
    x_shape = cache.x_shape
    grad_x = np.zeros(x_shape, dtype=grad_out.dtype)
    dims = len(x_shape) - 2
    for position in np.ndindex(cache.out_shape[2:]):
        index = np.ix_(*_taps(position, cache.geometry, x_shape[2:]))
        share = grad_out[(slice(None), slice(None), *position)] / cache.divisors[position]
        grad_x[(slice(None), slice(None), *index)] += share.reshape(share.shape + (1,) * dims)
    return grad_x


def max_pool2d_forward_naive(x, kernel_size, stride=None, padding=0, dilation=1,
                             ceil_mode=False):
    """``max_pool2d_forward`` as loops over samples, channels and windows (finite x)."""
    return _max_forward_naive("max_pool2d_forward_naive", x, kernel_size, stride, padding,
                              dilation, ceil_mode, 2)


def max_pool2d_backward_naive(grad_out, cache):
    """``max_pool2d_backward`` as a loop: each output's gradient added to its argmax."""
    return _max_backward_naive(grad_out, cache)


def max_pool1d_forward_naive(x, kernel_size, stride=None, padding=0, dilation=1,
                             ceil_mode=False):
    """``max_pool1d_forward`` as loops over samples, channels and windows (finite x)."""
    return _max_forward_naive("max_pool1d_forward_naive", x, kernel_size, stride, padding,
                              dilation, ceil_mode, 1)


def max_pool1d_backward_naive(grad_out, cache):
    """``max_pool1d_backward`` as a loop: each output's gradient added to its argmax."""
    return _max_backward_naive(grad_out, cache)


def avg_pool2d_forward_naive(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                             count_include_pad=True, divisor_override=None):
    """``avg_pool2d_forward`` as a loop over windows: each window's sum over its divisor."""
    return _avg_forward_naive("avg_pool2d_forward_naive", x, kernel_size, stride, padding,
                              ceil_mode, count_include_pad, divisor_override, 2)


def avg_pool2d_backward_naive(grad_out, cache):
    """``avg_pool2d_backward`` as a loop: grad / divisor added over each window."""
    return _avg_backward_naive(grad_out, cache)


def avg_pool1d_forward_naive(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                             count_include_pad=True):
    """``avg_pool1d_forward`` as a loop over windows: each window's sum over its divisor."""
    return _avg_forward_naive("avg_pool1d_forward_naive", x, kernel_size, stride, padding,
                              ceil_mode, count_include_pad, None, 1)


def avg_pool1d_backward_naive(grad_out, cache):
    """``avg_pool1d_backward`` as a loop: grad / divisor added over each window."""
    return _avg_backward_naive(grad_out, cache)
