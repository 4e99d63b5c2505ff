"""Adaptive average pooling in 1d and 2d (PyTorch's ``AdaptiveAvgPool1d/2d``).

The output size is given and the windows adapt to the input: output i of
``out`` along an axis of size ``size`` is the mean of inputs [start, end)
with ``start = floor(i * size / out)`` and ``end = ceil((i + 1) * size / out)``,
PyTorch's formula. Windows differ in size when ``out`` does not divide
``size``, and overlap then; an output larger than the input repeats inputs.
``AdaptiveAvgPool2d((1, 1))`` is global average pooling.

``output_size``: an int (every axis), or in 2d a pair whose entries may be
None, meaning "the input's size along that axis" (as in PyTorch).
"""

import numbers
from typing import NamedTuple

import numpy as np

from minnet.errors import ConfigError
from minnet.functional.windows import check_grad_out, check_not_empty
from minnet.kernels.adaptive_pool import adaptive_avg_pool_2d, adaptive_avg_pool_2d_backward
from minnet.validation import as_float_array, check_ndim, owner_name

LAYOUTS = {1: "(N, C, L)", 2: "(N, C, H, W)"}
QUIET = dict(invalid="ignore", over="ignore")  # inf - inf in a sum: NaN, as in PyTorch


class AdaptivePoolCache(NamedTuple):
    """What the adaptive average pooling backward needs; 1d is kept as 2d of height 1.

    x_shape : (N, C, H, W), the input's shape as the kernel saw it ((N, C, 1, L) in 1d)
    grid : (N, C, H_out, W_out), the output's shape as the kernel wrote it
    out_shape : (N, C, H_out, W_out) or (N, C, L_out), the output's shape (grad_out's)
    dtype : the input's float dtype
    """

    x_shape: tuple
    grid: tuple
    out_shape: tuple
    dtype: np.dtype


def _is_size(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 1


def adaptive_output_size(owner, output_size, dims):
    """``output_size`` as a tuple of ``dims`` entries, each an int >= 1 (or None in 2d).

    Raises ConfigError naming ``owner`` otherwise (an output of size 0 would
    pool over nothing).
    """
    items = (output_size,) * dims if _is_size(output_size) else output_size
    allowed = (lambda item: _is_size(item) or item is None) if dims == 2 else _is_size
    if not isinstance(items, (tuple, list)) or len(items) != dims or not all(map(allowed, items)):
        form = "an int" if dims == 1 else "an int or a tuple of 2 ints (or None: the input's size)"
        raise ConfigError(f"{owner_name(owner)}: the 'output_size' parameter must be {form}, "
                          f"each >= 1, got {output_size!r}")
    return tuple(None if item is None else int(item) for item in items)


def adaptive_avg_pool_forward(owner, x, output_size, dims):
    """The checked forward pass behind the layers and the public functions."""
    output_size = adaptive_output_size(owner, output_size, dims)
    x = as_float_array(owner, x)
    check_ndim(owner, x, (dims + 2,), LAYOUTS[dims], what="x")
    check_not_empty(owner, x.shape)
    spatial = tuple(size if out is None else out for out, size in zip(output_size, x.shape[2:]))
    x = np.ascontiguousarray(x).reshape(x.shape[:2] + (1,) * (2 - dims) + x.shape[2:])
    out = np.empty(x.shape[:2] + (1,) * (2 - dims) + spatial, dtype=x.dtype)
    with np.errstate(**QUIET):
        adaptive_avg_pool_2d(x, out)
    out_shape = x.shape[:2] + spatial
    return out.reshape(out_shape), AdaptivePoolCache(x.shape, out.shape, out_shape, x.dtype)


def adaptive_avg_pool_backward(owner, grad_out, cache):
    """The backward pass: grad_out (N, C, *out) -> dx (N, C, *in)."""
    # out[i] = sum(x[window i]) / len(window i): each input of window i gets
    # grad_out[i] / len(window i), summed over the windows it belongs to.
    x_shape, out_shape = cache.x_shape, cache.out_shape
    grad_out = check_grad_out(owner, grad_out, out_shape, cache.dtype).reshape(cache.grid)
    grad_x = np.empty(x_shape, dtype=cache.dtype)
    with np.errstate(**QUIET):
        adaptive_avg_pool_2d_backward(grad_out, grad_x)
    spatial = x_shape[3:] if len(out_shape) == 3 else x_shape[2:]  # 1d: drop the height 1
    return grad_x.reshape(x_shape[:2] + spatial)


def adaptive_avg_pool2d_forward(x, output_size):
    """Adaptive average pooling (PyTorch's ``F.adaptive_avg_pool2d``).

    Parameters
    ----------
    x : ndarray (N, C, H, W), H and W >= 1
    output_size : int or (int or None, int or None); None keeps the input's size

    Returns
    -------
    out : ndarray (N, C, H_out, W_out), x's float dtype
    cache : AdaptivePoolCache
    """
    return adaptive_avg_pool_forward("adaptive_avg_pool2d_forward", x, output_size, 2)


def adaptive_avg_pool2d_backward(grad_out, cache):
    """Adaptive average pooling backward pass: grad_out (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    return adaptive_avg_pool_backward("adaptive_avg_pool2d_backward", grad_out, cache)


def adaptive_avg_pool1d_forward(x, output_size):
    """Adaptive average pooling over sequences: x (N, C, L) -> out (N, C, output_size)."""
    return adaptive_avg_pool_forward("adaptive_avg_pool1d_forward", x, output_size, 1)


def adaptive_avg_pool1d_backward(grad_out, cache):
    """Adaptive average pooling backward pass: grad_out (N, C, L_out) -> dx (N, C, L)."""
    return adaptive_avg_pool_backward("adaptive_avg_pool1d_backward", grad_out, cache)


# --- the textbook loop: slow, obviously right, the reference ---------------------


def _window(index, out_size, size):
    """PyTorch's window of output ``index``: [floor(i * L / out), ceil((i + 1) * L / out))."""
    return slice(int(np.floor(index * size / out_size)),
                 int(np.ceil((index + 1) * size / out_size)))


def adaptive_avg_pool_forward_naive(x, output_size):
    """Adaptive average pooling in 1d or 2d as one mean per output position."""
    x = as_float_array("adaptive_avg_pool_forward_naive", x)
    dims = x.ndim - 2
    output_size = adaptive_output_size("adaptive_avg_pool_forward_naive", output_size, dims)
    spatial = tuple(size if out is None else out for out, size in zip(output_size, x.shape[2:]))
    out = np.zeros(x.shape[:2] + spatial, dtype=x.dtype)
    for position in np.ndindex(spatial):
        window = tuple(_window(i, out, size) for i, out, size in zip(position, spatial,
                                                                     x.shape[2:]))
        out[(..., *position)] = x[(slice(None), slice(None), *window)].mean(
            axis=tuple(range(2, 2 + dims)))
    return out, (x.shape, spatial)


def adaptive_avg_pool_backward_naive(grad_out, cache):
    """Each output's gradient shared evenly over its window (the mean's derivative)."""
    x_shape, spatial = cache
    grad_x = np.zeros(x_shape, dtype=grad_out.dtype)
    for position in np.ndindex(spatial):
        window = tuple(_window(i, out, size) for i, out, size in zip(position, spatial,
                                                                     x_shape[2:]))
        region = grad_x[(slice(None), slice(None), *window)]
        share = grad_out[(..., *position)] / np.prod(region.shape[2:])
        region += share.reshape(share.shape + (1,) * len(spatial))
    return grad_x
