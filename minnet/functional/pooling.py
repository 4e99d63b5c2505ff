"""Max and average pooling in 1d and 2d, with PyTorch's semantics and argument order.

Max pooling keeps the largest value of each window and remembers where it
was (``argmax``, flat indices in each (H, W) plane, like PyTorch's
``return_indices``); its backward pass sends each output's gradient to that
input. Its window may be dilated (taps ``dilation`` apart). Average pooling
takes each window's mean; its backward spreads each output's gradient
evenly over the window.

- ``stride`` defaults to the kernel size; ``padding`` may be at most half the
  kernel (PyTorch's rule); padding never wins a maximum.
- ``ceil_mode=True`` rounds the number of windows up, so a last, partial
  window covers the end of the input, provided it starts inside the input or
  the left padding (PyTorch's rule).
- Average pooling divides by the window's size counting the zero padding
  (``count_include_pad=True``) but not the part of a ``ceil_mode`` window
  past the right padding, or by its inputs only (``count_include_pad=False``),
  or by ``divisor_override`` (2d only, as in PyTorch). The kernels divide by
  kernel_h * kernel_w; windows with another divisor are rescaled here.

A 1d pooling is the 2d one on a height of 1. ``max_pool_forward`` and
``avg_pool_forward`` are the shared, checked entries: ``owner`` (a layer, or
the public function's name) is who the errors name. The ``_naive`` loops the
fast versions are tested against live in ``pooling_naive``.
"""

import math
from typing import NamedTuple

import numpy as np

from minnet.errors import ConfigError
from minnet.functional.windows import (
    as_tuple,
    check_grad_out,
    check_windows_hold_input,
    output_shape,
)
from minnet.kernels.pooling import (
    avg_pool_2d,
    avg_pool_2d_backward,
    max_pool_2d,
    max_pool_2d_backward,
)
from minnet.validation import as_float_array, check_bool, check_int, check_ndim, owner_name

LAYOUTS = {1: "(N, C, L)", 2: "(N, C, H, W)"}
QUIET = dict(invalid="ignore", over="ignore")  # inf - inf in a sum: NaN, as in PyTorch


class MaxPoolCache(NamedTuple):
    """What the max pooling backward needs (``max_pool_backward`` and the naive loop's).

    x_shape : (N, C, H, W), the input's shape as the kernel saw it: (N, C, 1, L) in 1d
        (the naive loops keep (N, C, L))
    argmax : (N, C, H_out, W_out), the flat index in its (H, W) plane of the input
        each output copied ((N, C, L_out) in the naive 1d loop); int32 when a plane
        has fewer than 2**31 positions (half the memory, and the 2x2 kernel's
        selects vectorize twice as wide), else int64
    out_shape : (N, C, H_out, W_out) or (N, C, L_out), the output's shape (grad_out's)
    dtype : the input's float dtype
    """

    x_shape: tuple
    argmax: np.ndarray
    out_shape: tuple
    dtype: np.dtype


class AvgPoolCache(NamedTuple):
    """What the average pooling backward needs; a 1d pooling is kept as 2d of height 1.

    x_shape : (N, C, H, W), the input's shape as the kernel saw it ((N, C, 1, L) in 1d)
    geometry : (kh, kw, stride_h, stride_w, pad_h, pad_w), the kernels' window arguments
    factor : (H_out, W_out) float64, kh * kw / each window's divisor; None when every
        divisor is kh * kw
    grid : (N, C, H_out, W_out), the output's shape as the kernel wrote it
    out_shape : (N, C, H_out, W_out) or (N, C, L_out), the output's shape (grad_out's)
    dtype : the input's float dtype
    """

    x_shape: tuple
    geometry: tuple
    factor: object
    grid: tuple
    out_shape: tuple
    dtype: np.dtype


def pool_arguments(owner, kernel_size, stride, padding, dims, dilation=1):
    """(kernel, stride, padding, dilation) as tuples of ``dims`` ints; stride None = kernel.

    Raises ConfigError, naming ``owner``, for sizes < 1, padding < 0 or
    padding larger than half the kernel (PyTorch's rule).
    """
    kernel = as_tuple(owner, "kernel_size", kernel_size, dims, minimum=1)
    stride = kernel if stride is None else as_tuple(owner, "stride", stride, dims, minimum=1)
    padding = as_tuple(owner, "padding", padding, dims, minimum=0)
    dilation = as_tuple(owner, "dilation", dilation, dims, minimum=1)
    if any(pad > k // 2 for pad, k in zip(padding, kernel, strict=True)):
        raise ConfigError(f"{owner_name(owner)}: the 'padding' parameter must be at most half "
                          f"the kernel size {kernel}, got {padding}")
    return kernel, stride, padding, dilation


def check_divisor_override(owner, divisor_override):
    """None, or an int >= 1 (PyTorch refuses 0; a negative divisor is nonsense)."""
    if divisor_override is None:
        return None
    return check_int(owner, "divisor_override", divisor_override, minimum=1)


def _prepare(owner, x, kernel, stride, padding, dilation, ceil_mode, dims):
    """Check x and the window; return x as (N, C, H, W) and the 2d geometry and shapes."""
    x = as_float_array(owner, x)
    check_ndim(owner, x, (dims + 2,), LAYOUTS[dims], what="x")
    spatial = output_shape(owner, x.shape, kernel, stride, padding, dilation, ceil_mode)
    if any(d != 1 for d in dilation):
        check_windows_hold_input(owner, x.shape, kernel, stride, padding, dilation, spatial)
    x = np.ascontiguousarray(x)
    if dims == 1:  # a sequence is an image of height 1
        x = x[:, :, None, :]
        kernel, stride, padding, dilation = ((1, *kernel), (1, *stride), (0, *padding),
                                             (1, *dilation))
    return x, (kernel, stride, padding, dilation), x.shape[:2] + spatial


def index_dtype(plane_shape):
    """int32 for the flat indices of a plane of fewer than 2**31 positions, else int64."""
    return np.int32 if math.prod(plane_shape) < 2**31 else np.int64


def max_pool_forward(owner, x, kernel_size, stride, padding, dilation, ceil_mode, dims):
    """The checked max pooling forward pass behind the layers and the public functions."""
    kernel, stride, padding, dilation = pool_arguments(owner, kernel_size, stride, padding,
                                                       dims, dilation)
    ceil_mode = check_bool(owner, "ceil_mode", ceil_mode)
    x, (kernel, stride, padding, dilation), out_shape = _prepare(
        owner, x, kernel, stride, padding, dilation, ceil_mode, dims)
    grid = out_shape[:2] + (1,) * (2 - dims) + out_shape[2:]  # 4d
    out = np.empty(grid, dtype=x.dtype)
    argmax = np.empty(grid, dtype=index_dtype(x.shape[2:]))
    max_pool_2d(x, *kernel, *stride, *padding, out, argmax, *dilation)
    return out.reshape(out_shape), MaxPoolCache(x.shape, argmax, out_shape, x.dtype)


def max_pool_backward(owner, grad_out, cache):
    """The max pooling backward pass: grad_out (N, C, *out) -> dx (N, C, *in)."""
    # out = x[argmax]: each output is a copy of one input, so its gradient goes to that
    # input; an input that is the maximum of several overlapping windows gets their sum.
    x_shape, argmax = cache.x_shape, cache.argmax
    grad_out = check_grad_out(owner, grad_out, cache.out_shape, cache.dtype)
    grad_x = np.empty(x_shape, dtype=cache.dtype)
    with np.errstate(**QUIET):  # inf and -inf sent to one input
        max_pool_2d_backward(grad_out.reshape(argmax.shape), argmax, grad_x)
    return grad_x.reshape(x_shape[:2] + x_shape[3:]) if len(cache.out_shape) == 3 else grad_x


def max_pool2d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling forward pass (PyTorch's ``F.max_pool2d``, same argument order).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    kernel_size, stride, padding, dilation : int or (int, int); stride None means kernel_size
    ceil_mode : bool, round the number of windows up

    Returns
    -------
    out : ndarray (N, C, H_out, W_out), x's float dtype,
        H_out = floor-or-ceil((H + 2 * pad_h - dilation_h * (kh - 1) - 1) / stride_h) + 1
    cache : MaxPoolCache (``argmax``: flat indices in each (H, W) plane)
    """
    return max_pool_forward("max_pool2d_forward", x, kernel_size, stride, padding, dilation,
                            ceil_mode, 2)


def max_pool2d_backward(grad_out, cache):
    """Max pooling backward pass: grad_out (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    return max_pool_backward("max_pool2d_backward", grad_out, cache)


def max_pool1d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling over sequences: x (N, C, L) -> out (N, C, L_out), a MaxPoolCache."""
    return max_pool_forward("max_pool1d_forward", x, kernel_size, stride, padding, dilation,
                            ceil_mode, 1)


def max_pool1d_backward(grad_out, cache):
    """Max pooling backward pass: grad_out (N, C, L_out) -> dx (N, C, L)."""
    return max_pool_backward("max_pool1d_backward", grad_out, cache)


def window_counts(size, kernel, stride, pad, out_size, count_include_pad):
    """The divisor of each window along one axis (PyTorch's rule), int64 (out_size,).

    With the padding counted a window ends at most at the end of the right
    padding; without, only its inputs count.
    """
    start = np.arange(out_size) * stride - pad
    if count_include_pad:
        return np.minimum(start + kernel, size + pad) - start
    return np.minimum(start + kernel, size) - np.maximum(start, 0)


def _rescale(x_shape, kernel, stride, padding, out_hw, count_include_pad, divisor_override):
    """(H_out, W_out) factors turning the kernels' sum / (kh * kw) into sum / divisor,
    or None when every window's divisor is kh * kw."""
    if divisor_override is not None:
        divisor = np.full(out_hw, float(divisor_override))
    else:
        counts = [window_counts(size, k, s, pad, out, count_include_pad)
                  for size, k, s, pad, out in zip(x_shape[2:], kernel, stride, padding, out_hw)]
        divisor = np.outer(*counts).astype(np.float64)
    factor = (kernel[0] * kernel[1]) / divisor
    return None if np.all(factor == 1.0) else factor


def avg_pool_forward(owner, x, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override, dims):
    """The checked average pooling forward pass behind the layers and the public functions."""
    kernel, stride, padding, _ = pool_arguments(owner, kernel_size, stride, padding, dims)
    ceil_mode = check_bool(owner, "ceil_mode", ceil_mode)
    count_include_pad = check_bool(owner, "count_include_pad", count_include_pad)
    divisor_override = check_divisor_override(owner, divisor_override)
    x, (kernel, stride, padding, _), out_shape = _prepare(
        owner, x, kernel, stride, padding, (1,) * dims, ceil_mode, dims)
    grid = out_shape[:2] + (1,) * (2 - dims) + out_shape[2:]  # 4d
    out = np.empty(grid, dtype=x.dtype)
    factor = _rescale(x.shape, kernel, stride, padding, grid[2:], count_include_pad,
                      divisor_override)
    with np.errstate(**QUIET):
        avg_pool_2d(x, *kernel, *stride, *padding, out)
        if factor is not None:
            out *= factor.astype(x.dtype)
    return out.reshape(out_shape), AvgPoolCache(x.shape, (*kernel, *stride, *padding), factor,
                                                grid, out_shape, x.dtype)


def avg_pool_backward(owner, grad_out, cache):
    """The average pooling backward pass: grad_out (N, C, *out) -> dx (N, C, *in)."""
    # out = factor * sum(window) / (kh * kw), so every input of a window gets
    # factor * grad / (kh * kw): the kernel's uniform share of grad scaled by factor,
    # summed over the windows it belongs to.
    x_shape, factor, dtype = cache.x_shape, cache.factor, cache.dtype
    grad_out = check_grad_out(owner, grad_out, cache.out_shape, dtype).reshape(cache.grid)
    grad_x = np.empty(x_shape, dtype=dtype)
    with np.errstate(**QUIET):
        if factor is not None:
            grad_out = grad_out * factor.astype(dtype)
        avg_pool_2d_backward(grad_out, *cache.geometry, grad_x)
    return grad_x.reshape(x_shape[:2] + x_shape[3:]) if len(cache.out_shape) == 3 else grad_x


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                       count_include_pad=True, divisor_override=None):
    """Average pooling forward pass (PyTorch's ``F.avg_pool2d``, same argument order).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    kernel_size, stride, padding : int or (int, int); stride None means kernel_size
    ceil_mode : bool, round the number of windows up
    count_include_pad : bool, count the zero padding in each window's divisor
    divisor_override : None or int >= 1, the divisor of every window

    Returns
    -------
    out : ndarray (N, C, H_out, W_out), x's float dtype
    cache : AvgPoolCache
    """
    return avg_pool_forward("avg_pool2d_forward", x, kernel_size, stride, padding, ceil_mode,
                            count_include_pad, divisor_override, 2)


def avg_pool2d_backward(grad_out, cache):
    """Average pooling backward pass: grad_out (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    return avg_pool_backward("avg_pool2d_backward", grad_out, cache)


def avg_pool1d_forward(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                       count_include_pad=True):
    """Average pooling over sequences (PyTorch's ``F.avg_pool1d``): x (N, C, L) -> (N, C, L_out).

    Arguments as ``avg_pool2d_forward``'s, each an int (PyTorch has no
    ``divisor_override`` in 1d).
    """
    return avg_pool_forward("avg_pool1d_forward", x, kernel_size, stride, padding, ceil_mode,
                            count_include_pad, None, 1)


def avg_pool1d_backward(grad_out, cache):
    """Average pooling backward pass: grad_out (N, C, L_out) -> dx (N, C, L)."""
    return avg_pool_backward("avg_pool1d_backward", grad_out, cache)


def indices_of(cache):
    """The argmax of a max pooling cache, shaped like its output, int64 (PyTorch's
    ``return_indices``)."""
    return cache.argmax.reshape(cache.out_shape).astype(np.int64)
