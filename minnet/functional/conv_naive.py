"""The textbook convolution loops: slow, obviously right, the reference for ``conv``.

One dot product per sample, filter and output position, over the window of
the zero-padded input that the filter sees: the taps ``dilation`` apart, the
channels of the filter's group only (filter f belongs to group
f // (F / groups), which reads channels [g * C / groups, (g + 1) * C / groups)).
Same arguments and results as ``conv1d_forward`` / ``conv2d_forward`` and
their backward passes.
"""

from typing import NamedTuple

import numpy as np

from minnet.functional.conv_checks import prepare_conv


class ConvNaiveCache(NamedTuple):
    """What the naive convolution backward needs: x itself and the checked arguments.

    x : (N, C, *spatial), the input in the common float dtype
    w : (F, C / groups, *kernel), the filters
    has_bias : bool, whether db is computed
    stride, dilation : tuples, one int per spatial axis
    padding : tuple of one (left, right) pair per spatial axis
    groups : int
    """

    x: np.ndarray
    w: np.ndarray
    has_bias: bool
    stride: tuple
    padding: tuple
    dilation: tuple
    groups: int


def _padded(x, padding):
    return np.pad(x, ((0, 0), (0, 0), *padding))


def _window(corner, kernel, dilation):
    """The index of the taps of one window in the padded input's spatial axes."""
    return tuple(slice(start, start + d * (k - 1) + 1, d)
                 for start, k, d in zip(corner, kernel, dilation, strict=True))


def _conv_forward_naive(owner, x, w, b, stride, padding, dilation, groups, dims):
    """The forward loops; the cache keeps x and the checked arguments."""
    x, w, b, stride, padding, dilation, groups, spatial = prepare_conv(
        owner, x, w, b, stride, padding, dilation, groups, dims)
    padded = _padded(x, padding)
    filters_per_group, channels_per_group = w.shape[0] // groups, w.shape[1]
    out = np.zeros((x.shape[0], w.shape[0], *spatial), dtype=x.dtype)
    for n, f, *position in np.ndindex(out.shape):
        g = f // filters_per_group
        corner = [p * s for p, s in zip(position, stride, strict=True)]
        channels = slice(g * channels_per_group, (g + 1) * channels_per_group)
        window = padded[(n, channels, *_window(corner, w.shape[2:], dilation))]
        out[(n, f, *position)] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return out, ConvNaiveCache(x, w, b is not None, stride, padding, dilation, groups)


def _conv_backward_naive(grad_out, cache):
    # out[n, f, p] = sum(window * w[f]) + b[f], so its gradient g flows to the
    # window as g * w[f], to w[f] as g * window, and to b[f] as g.
    x, w, stride, dilation, groups = cache.x, cache.w, cache.stride, cache.dilation, cache.groups
    dims = x.ndim - 2
    padded = _padded(x, cache.padding)
    grad_padded, grad_w = np.zeros_like(padded), np.zeros_like(w)
    filters_per_group, channels_per_group = w.shape[0] // groups, w.shape[1]
    for n, f, *position in np.ndindex(grad_out.shape):
        g = f // filters_per_group
        corner = [p * s for p, s in zip(position, stride, strict=True)]
        index = (n, slice(g * channels_per_group, (g + 1) * channels_per_group),
                 *_window(corner, w.shape[2:], dilation))
        grad_padded[index] += grad_out[(n, f, *position)] * w[f]
        grad_w[f] += grad_out[(n, f, *position)] * padded[index]
    grad_b = grad_out.sum(axis=(0, *range(2, 2 + dims))) if cache.has_bias else None
    crop = tuple(slice(left, left + size)
                 for (left, _), size in zip(cache.padding, x.shape[2:]))
    return grad_padded[(slice(None), slice(None), *crop)], grad_w, grad_b


def conv2d_forward_naive(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """``conv2d_forward`` as loops over samples, filters and positions: returns (out, cache)."""
    return _conv_forward_naive("conv2d_forward_naive", x, w, b, stride, padding, dilation,
                               groups, 2)


def conv2d_backward_naive(grad_out, cache):
    """``conv2d_backward`` as loops: returns (dx, dw, db)."""
    return _conv_backward_naive(grad_out, cache)


def conv1d_forward_naive(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """``conv1d_forward`` as loops over samples, filters and positions: returns (out, cache)."""
    return _conv_forward_naive("conv1d_forward_naive", x, w, b, stride, padding, dilation,
                               groups, 1)


def conv1d_backward_naive(grad_out, cache):
    """``conv1d_backward`` as loops: returns (dx, dw, db)."""
    return _conv_backward_naive(grad_out, cache)
