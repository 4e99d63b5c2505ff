"""Max and average pooling in 1d and 2d, with PyTorch's semantics.

Max pooling keeps the largest value of each window and remembers where it
was (``argmax``, flat indices in each (H, W) plane, like PyTorch's
``return_indices``); its backward pass sends each output's gradient to that
input. Average pooling takes each window's mean, counting the zero padding
(PyTorch's ``count_include_pad=True``); its backward spreads each output's
gradient evenly over the window. ``stride`` defaults to the kernel size;
``padding`` may be at most half the kernel (PyTorch's rule). A 1d pooling is
the 2d one on a height of 1.

The ``_naive`` versions at the end are the textbook loops, kept as the reference.
"""

import numpy as np

from minnet.errors import ConfigError, ShapeError
from minnet.functional.windows import as_tuple, output_shape
from minnet.kernels.pooling import (
    avg_pool_2d,
    avg_pool_2d_backward,
    max_pool_2d,
    max_pool_2d_backward,
)
from minnet.validation import as_float_array, owner_name


def pool_arguments(owner, kernel_size, stride, padding, dims):
    """(kernel, stride, padding) as tuples of ``dims`` ints; stride None means the kernel size.

    Raises ConfigError, naming ``owner``, for sizes < 1, padding < 0 or
    padding larger than half the kernel.
    """
    kernel = as_tuple(owner, "kernel_size", kernel_size, dims, minimum=1)
    stride = kernel if stride is None else as_tuple(owner, "stride", stride, dims, minimum=1)
    padding = as_tuple(owner, "padding", padding, dims, minimum=0)
    if any(pad > k // 2 for pad, k in zip(padding, kernel, strict=True)):
        raise ConfigError(f"{owner_name(owner)}: the 'padding' parameter must be at most half "
                          f"the kernel size {kernel}, got {padding}")
    return kernel, stride, padding


def _prepare(owner, x, kernel_size, stride, padding, dims):
    kernel, stride, padding = pool_arguments(owner, kernel_size, stride, padding, dims)
    x = as_float_array(owner, x)
    if x.ndim != dims + 2:
        layout = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
        raise ShapeError(f"{owner}: expected x of shape {layout}, got {x.shape}")
    out_shape = x.shape[:2] + output_shape(owner, x.shape, kernel, stride, padding)
    x = np.ascontiguousarray(x)
    if dims == 1:  # a sequence is an image of height 1
        x, kernel, stride, padding = x[:, :, None, :], (1, *kernel), (1, *stride), (0, *padding)
    grid = x.shape[:2] + output_shape(owner, x.shape, kernel, stride, padding)  # 4d
    return x, kernel, stride, padding, out_shape, grid


def _check_grad_out(owner, grad_out, shape, dtype):
    if np.shape(grad_out) != shape:
        raise ShapeError(f"{owner}: expected grad_out of shape {shape} (the forward output's), "
                         f"got {np.shape(grad_out)}")
    return np.ascontiguousarray(grad_out, dtype=dtype)


def max_pool2d_forward(x, kernel_size, stride=None, padding=0):
    """Max pooling forward pass.

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    kernel_size, stride, padding : int or (int, int); stride None means kernel_size

    Returns
    -------
    out : ndarray (N, C, H_out, W_out), x's float dtype
    cache : (x's shape, argmax (N, C, H_out, W_out) int64 flat indices in each (H, W)
        plane, the output shape, the dtype)
    """
    return _max_forward("max_pool2d_forward", x, kernel_size, stride, padding, 2)


def max_pool2d_backward(grad_out, cache):
    """Max pooling backward pass: grad_out (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    return _max_backward("max_pool2d_backward", grad_out, cache)


def max_pool1d_forward(x, kernel_size, stride=None, padding=0):
    """Max pooling over sequences: x (N, C, L) -> out (N, C, L_out), cache (argmax in [0, L))."""
    return _max_forward("max_pool1d_forward", x, kernel_size, stride, padding, 1)


def max_pool1d_backward(grad_out, cache):
    """Max pooling backward pass: grad_out (N, C, L_out) -> dx (N, C, L)."""
    return _max_backward("max_pool1d_backward", grad_out, cache)


def _max_forward(owner, x, kernel_size, stride, padding, dims):
    x, kernel, stride, padding, out_shape, grid = _prepare(owner, x, kernel_size, stride,
                                                           padding, dims)
    out = np.empty(grid, dtype=x.dtype)
    argmax = np.empty(grid, dtype=np.int64)
    max_pool_2d(x, *kernel, *stride, *padding, out, argmax)
    return out.reshape(out_shape), (x.shape, argmax, out_shape, x.dtype)


def _max_backward(owner, grad_out, cache):
    # out = x[argmax]: each output is a copy of one input, so its gradient goes to that
    # input; an input that is the maximum of several overlapping windows gets their sum.
    x_shape, argmax, out_shape, dtype = cache
    grad_out = _check_grad_out(owner, grad_out, out_shape, dtype)
    grad_x = np.empty(x_shape, dtype=dtype)
    max_pool_2d_backward(grad_out.reshape(argmax.shape), argmax, grad_x)
    return grad_x.reshape(x_shape[:2] + x_shape[3:]) if len(out_shape) == 3 else grad_x


def avg_pool2d_forward(x, kernel_size, stride=None, padding=0):
    """Average pooling forward pass (zero padding counted in the mean).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    kernel_size, stride, padding : int or (int, int); stride None means kernel_size

    Returns
    -------
    out : ndarray (N, C, H_out, W_out), x's float dtype
    cache : the shapes and the window geometry
    """
    owner = "avg_pool2d_forward"
    x, kernel, stride, padding, out_shape, _ = _prepare(owner, x, kernel_size, stride,
                                                        padding, 2)
    out = np.empty(out_shape, dtype=x.dtype)
    avg_pool_2d(x, *kernel, *stride, *padding, out)
    return out, (x.shape, kernel, stride, padding, out_shape, x.dtype)


def avg_pool2d_backward(grad_out, cache):
    """Average pooling backward pass: grad_out (N, C, H_out, W_out) -> dx (N, C, H, W)."""
    # out = sum(window) / (kh * kw), so every input of a window gets grad / (kh * kw),
    # summed over the windows it belongs to.
    x_shape, kernel, stride, padding, out_shape, dtype = cache
    grad_out = _check_grad_out("avg_pool2d_backward", grad_out, out_shape, dtype)
    grad_x = np.empty(x_shape, dtype=dtype)
    avg_pool_2d_backward(grad_out, *kernel, *stride, *padding, grad_x)
    return grad_x


# --- the textbook loops: slow, obviously right, the reference ---------------------


def _padded_2d(x, padding, value):
    (pad_h, pad_w) = padding
    return np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)), constant_values=value)


def max_pool2d_forward_naive(x, kernel_size, stride=None, padding=0):
    """``max_pool2d_forward`` as loops over samples, channels and windows (finite x)."""
    owner = "max_pool2d_forward_naive"
    x, kernel, stride, padding, out_shape, _ = _prepare(owner, x, kernel_size, stride,
                                                        padding, 2)
    padded = _padded_2d(x, padding, -np.inf)  # padding never wins
    out = np.zeros(out_shape, dtype=x.dtype)
    argmax = np.zeros(out_shape, dtype=np.int64)
    for n, c, y, col in np.ndindex(out_shape):
        top, left = y * stride[0], col * stride[1]
        window = padded[n, c, top:top + kernel[0], left:left + kernel[1]]
        i, j = np.unravel_index(np.argmax(window), window.shape)  # the first maximum
        out[n, c, y, col] = window[i, j]
        argmax[n, c, y, col] = (top + i - padding[0]) * x.shape[3] + left + j - padding[1]
    return out, (x.shape, argmax, out_shape, x.dtype)


def max_pool2d_backward_naive(grad_out, cache):
    """``max_pool2d_backward`` as a loop: each output's gradient added to its argmax."""
    # out = x[argmax]: the gradient of each output goes to the input it copied.
    x_shape, argmax, out_shape, dtype = cache
    grad_x = np.zeros(x_shape, dtype=dtype)
    for n, c, y, col in np.ndindex(out_shape):
        row, q = divmod(int(argmax[n, c, y, col]), x_shape[3])
        grad_x[n, c, row, q] += grad_out[n, c, y, col]
    return grad_x


def avg_pool2d_forward_naive(x, kernel_size, stride=None, padding=0):
    """``avg_pool2d_forward`` as loops: the mean of each zero-padded window."""
    owner = "avg_pool2d_forward_naive"
    x, kernel, stride, padding, out_shape, _ = _prepare(owner, x, kernel_size, stride,
                                                        padding, 2)
    padded = _padded_2d(x, padding, 0)
    out = np.zeros(out_shape, dtype=x.dtype)
    for n, c, y, col in np.ndindex(out_shape):
        top, left = y * stride[0], col * stride[1]
        out[n, c, y, col] = np.mean(padded[n, c, top:top + kernel[0], left:left + kernel[1]])
    return out, (x.shape, kernel, stride, padding, out_shape, x.dtype)


def avg_pool2d_backward_naive(grad_out, cache):
    """``avg_pool2d_backward`` as loops: grad / window size added over each window."""
    # out = mean(window): each of the kh * kw inputs gets grad / (kh * kw).
    x_shape, kernel, stride, padding, out_shape, dtype = cache
    height, width = x_shape[2:]
    grad_padded = _padded_2d(np.zeros(x_shape, dtype=dtype), padding, 0)
    for n, c, y, col in np.ndindex(out_shape):
        top, left = y * stride[0], col * stride[1]
        grad_padded[n, c, top:top + kernel[0], left:left + kernel[1]] += (
            grad_out[n, c, y, col] / (kernel[0] * kernel[1]))
    return grad_padded[:, :, padding[0]:padding[0] + height, padding[1]:padding[1] + width]


def max_pool1d_forward_naive(x, kernel_size, stride=None, padding=0):
    """``max_pool1d_forward`` as loops over samples, channels and windows (finite x)."""
    owner = "max_pool1d_forward_naive"
    (kernel,), (stride,), (pad,) = pool_arguments(owner, kernel_size, stride, padding, 1)
    x = as_float_array(owner, x)
    out_shape = x.shape[:2] + output_shape(owner, x.shape, (kernel,), (stride,), (pad,))
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad)), constant_values=-np.inf)
    out = np.zeros(out_shape, dtype=x.dtype)
    argmax = np.zeros(out_shape, dtype=np.int64)
    for n, c, position in np.ndindex(out_shape):
        window = padded[n, c, position * stride:position * stride + kernel]
        out[n, c, position] = window.max()
        argmax[n, c, position] = position * stride + np.argmax(window) - pad
    return out, (x.shape, argmax, out_shape, x.dtype)


def max_pool1d_backward_naive(grad_out, cache):
    """``max_pool1d_backward`` as a loop: each output's gradient added to its argmax."""
    x_shape, argmax, out_shape, dtype = cache
    grad_x = np.zeros(x_shape, dtype=dtype)
    for n, c, position in np.ndindex(out_shape):
        grad_x[n, c, argmax[n, c, position]] += grad_out[n, c, position]
    return grad_x
