"""Convolution (cross-correlation, as in PyTorch) in 1d and 2d: im2col and one matrix product.

``conv2d_forward(x, w, b, stride, padding)`` copies every window of the
padded input into a column (``im2col``), multiplies by the filters
flattened to rows, ``w.reshape(F, C * kh * kw)``, and lays the result out
as (N, F, H_out, W_out). The backward pass is two more matrix products and
``col2im``, which adds each column of the input gradient back onto its
window. Weight layout is PyTorch's: (out, in, kh, kw) and (out, in, k).

The ``_naive`` versions at the end are the textbook loops, kept as the
reference the fast versions are tested against.

Output size per axis: ``(size + 2 * padding - kernel) // stride + 1``.
"""

import math

import numpy as np

from minnet.errors import DTypeError, ShapeError
from minnet.functional.windows import as_tuple, output_shape
from minnet.kernels.im2col import (
    batch_to_columns,
    col2im_1d,
    col2im_2d,
    columns_to_batch,
    im2col_1d,
    im2col_2d,
    row_pitch,
)


def prepare_conv(owner, x, w, b, stride, padding, dims):
    """Check and convert the arguments of a convolution with ``dims`` spatial axes.

    Returns (x, w, b, stride, padding): x and w C-contiguous in their common
    float dtype, b in it too (or None), stride and padding as tuples.
    Raises ShapeError / ConfigError / DTypeError naming ``owner``.
    """
    stride = as_tuple(owner, "stride", stride, dims, minimum=1)
    padding = as_tuple(owner, "padding", padding, dims, minimum=0)
    x, w = np.asarray(x), np.asarray(w)
    arrays = [x, w] if b is None else [x, w, np.asarray(b)]
    if any(a.dtype.kind not in "fiub" for a in arrays):
        raise DTypeError(f"{owner}: expected float arrays, got dtypes "
                         f"{[str(a.dtype) for a in arrays]}")
    dtype = np.result_type(np.float32, *arrays)  # float32 only when every array allows it
    dtype = dtype if dtype in (np.float32, np.float64) else np.dtype(np.float64)
    layout = "(N, C, L)" if dims == 1 else "(N, C, H, W)"
    w_layout = "(F, C, k)" if dims == 1 else "(F, C, kh, kw)"
    if x.ndim != dims + 2 or w.ndim != dims + 2 or 0 in w.shape[2:]:
        raise ShapeError(f"{owner}: expected x of shape {layout} and w of shape {w_layout}, "
                         f"got x {x.shape} and w {w.shape}")
    if x.shape[1] != w.shape[1]:
        raise ShapeError(f"{owner}: expected x with {w.shape[1]} channels (w is {w.shape}), "
                         f"got x of shape {x.shape}")
    if b is not None and np.shape(b) != (w.shape[0],):
        raise ShapeError(f"{owner}: expected b of shape ({w.shape[0]},), got {np.shape(b)}")
    output_shape(owner, x.shape, w.shape[2:], stride, padding)  # the kernel must fit
    x = np.ascontiguousarray(x, dtype=dtype)
    w = np.ascontiguousarray(w, dtype=dtype)
    b = None if b is None else np.ascontiguousarray(b, dtype=dtype)
    return x, w, b, stride, padding


def _check_grad_out(owner, grad_out, shape, dtype):
    if np.shape(grad_out) != shape:
        raise ShapeError(f"{owner}: expected grad_out of shape {shape} (the forward output's), "
                         f"got {np.shape(grad_out)}")
    return np.ascontiguousarray(grad_out, dtype=dtype)


def _weight_grad(grad_cols, cols, batch):
    """dW = grad_cols @ cols.T: (F, M) x (M, K) -> (F, K), M = N * P summed over the batch.

    OpenBLAS runs this long, thin product far below its speed when K = C * kh * kw
    is small (a first layer: K = 9); there one product per sample, summed, is 2-4x
    faster (measured). Otherwise (cols @ grad_cols.T).T is the fastest form, 1.4x
    faster than grad_cols @ cols.T.
    """
    filters, rows = grad_cols.shape[0], cols.shape[0]
    per_sample = cols.shape[1] // max(batch, 1)
    if rows < 32 and per_sample >= 256:
        per_sample_grads = np.matmul(
            grad_cols.reshape(filters, batch, per_sample).transpose(1, 0, 2),
            cols.reshape(rows, batch, per_sample).transpose(1, 2, 0))
        return per_sample_grads.sum(axis=0)
    return (cols @ grad_cols.T).T


def _forward(x, w, b, pitch, out, to_columns):
    """Fill ``out`` (N, F, H_out, W_out) from ``to_columns(x, cols)``, the im2col; return cols."""
    filters, rows = w.shape[0], math.prod(w.shape[1:])
    cols = np.empty((rows, out.shape[0] * out.shape[2] * pitch), dtype=x.dtype)
    to_columns(x, cols)
    bias = b if b is not None else np.zeros(filters, dtype=x.dtype)
    columns_to_batch(w.reshape(filters, rows) @ cols, bias, pitch, out)
    return cols


def _backward(grad_out, w, has_bias, cols, pitch, grad_x, from_columns):
    """Fill grad_x through ``from_columns(dcols, grad_x)``, the col2im; return (dw, db or None).

    ``grad_x=None`` skips the input gradient (its matrix product and col2im).

    ``grad_out`` is (N, F, H_out, W_out), a 1d convolution's with H_out = 1.
    """
    # The forward is out_cols = W @ cols with W = w.reshape(F, C*kh*kw), so
    # dW = grad_cols @ cols.T and dcols = W.T @ grad_cols; col2im (the adjoint of
    # im2col) adds each column of dcols onto its window. db sums over batch and positions.
    filters, rows = w.shape[0], math.prod(w.shape[1:])
    grad_cols = np.empty((filters, cols.shape[1]), dtype=w.dtype)
    batch_to_columns(grad_out, pitch, grad_cols)  # zeros in the junk columns
    grad_b = grad_cols.sum(axis=1) if has_bias else None
    grad_w = _weight_grad(grad_cols, cols, len(grad_out)).reshape(w.shape)
    if grad_x is not None:
        from_columns(w.reshape(filters, rows).T @ grad_cols, grad_x)
    return grad_w, grad_b


def conv2d_forward(x, w, b=None, stride=1, padding=0):
    """2d convolution forward pass.

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    w : ndarray (F, C, kh, kw)
    b : ndarray (F,) or None
    stride, padding : int or (int, int); zero padding on both sides

    Returns
    -------
    out : ndarray (N, F, H_out, W_out), H_out = (H + 2 * pad_h - kh) // stride_h + 1
    cache : what ``conv2d_backward`` needs (the columns, not x)
    """
    x, w, b, stride, padding = prepare_conv("conv2d_forward", x, w, b, stride, padding, 2)
    kernel_h, kernel_w = w.shape[2:]
    out_h, out_w = output_shape("conv2d_forward", x.shape, w.shape[2:], stride, padding)
    pitch = row_pitch(x.shape[3] + 2 * padding[1], out_w, stride[1])
    out = np.empty((x.shape[0], w.shape[0], out_h, out_w), dtype=x.dtype)
    cols = _forward(x, w, b, pitch, out, lambda x, cols: im2col_2d(
        x, kernel_h, kernel_w, *stride, *padding, pitch, cols))
    return out, (x.shape, w, b is not None, stride, padding, pitch, cols, out.shape)


def conv2d_backward(grad_out, cache, input_grad=True):
    """2d convolution backward pass.

    Parameters
    ----------
    grad_out : ndarray (N, F, H_out, W_out)
    cache : from ``conv2d_forward``
    input_grad : bool
        False skips dx (returned as None), for a first layer whose input is data.

    Returns
    -------
    dx : (N, C, H, W) or None; dw : (F, C, kh, kw); db : (F,) or None without bias
    """
    x_shape, w, has_bias, stride, padding, pitch, cols, out_shape = cache
    grad_out = _check_grad_out("conv2d_backward", grad_out, out_shape, w.dtype)
    kernel_h, kernel_w = w.shape[2:]
    grad_x = np.empty(x_shape, dtype=w.dtype) if input_grad else None
    grad_w, grad_b = _backward(grad_out, w, has_bias, cols, pitch, grad_x,
                               lambda dcols, grad_x: col2im_2d(
                                   dcols, kernel_h, kernel_w, *stride, *padding, pitch, grad_x))
    return grad_x, grad_w, grad_b


def conv1d_forward(x, w, b=None, stride=1, padding=0):
    """1d convolution forward pass.

    Parameters
    ----------
    x : ndarray (N, C, L)
    w : ndarray (F, C, k)
    b : ndarray (F,) or None
    stride, padding : int (or a 1-tuple)

    Returns
    -------
    out : ndarray (N, F, L_out), L_out = (L + 2 * padding - k) // stride + 1
    cache : what ``conv1d_backward`` needs
    """
    x, w, b, (stride,), (pad,) = prepare_conv("conv1d_forward", x, w, b, stride, padding, 1)
    kernel = w.shape[2]
    (out_len,) = output_shape("conv1d_forward", x.shape, (kernel,), (stride,), (pad,))
    out = np.empty((x.shape[0], w.shape[0], 1, out_len), dtype=x.dtype)  # one row of windows
    cols = _forward(x, w, b, out_len, out,
                    lambda x, cols: im2col_1d(x, kernel, stride, pad, cols))
    out = out.reshape(out.shape[0], out.shape[1], out_len)
    return out, (x.shape, w, b is not None, stride, pad, cols, out.shape)


def conv1d_backward(grad_out, cache, input_grad=True):
    """1d convolution backward pass.

    Parameters
    ----------
    grad_out : ndarray (N, F, L_out)
    cache : from ``conv1d_forward``
    input_grad : bool
        False skips dx (returned as None), for a first layer whose input is data.

    Returns
    -------
    dx : (N, C, L) or None; dw : (F, C, k); db : (F,) or None without bias
    """
    x_shape, w, has_bias, stride, pad, cols, out_shape = cache
    grad_out = _check_grad_out("conv1d_backward", grad_out, out_shape, w.dtype)
    batch, filters, out_len = out_shape
    grad_x = np.empty(x_shape, dtype=w.dtype) if input_grad else None
    grad_w, grad_b = _backward(grad_out.reshape(batch, filters, 1, out_len), w, has_bias,
                               cols, out_len, grad_x,
                               lambda dcols, grad_x: col2im_1d(dcols, w.shape[2], stride, pad,
                                                               grad_x))
    return grad_x, grad_w, grad_b


# --- the textbook loops: slow, obviously right, the reference ---------------------


def conv2d_forward_naive(x, w, b=None, stride=1, padding=0):
    """``conv2d_forward`` as four loops: one dot product per sample, filter and position."""
    x, w, b, stride, padding = prepare_conv("conv2d_forward_naive", x, w, b, stride, padding, 2)
    (stride_h, stride_w), (pad_h, pad_w) = stride, padding
    kernel_h, kernel_w = w.shape[2:]
    padded = np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
    out_h, out_w = output_shape("conv2d_forward_naive", x.shape, w.shape[2:], stride, padding)
    out = np.zeros((x.shape[0], w.shape[0], out_h, out_w), dtype=x.dtype)
    for n in range(x.shape[0]):
        for f in range(w.shape[0]):
            for y in range(out_h):
                for col in range(out_w):
                    top, left = y * stride_h, col * stride_w
                    window = padded[n, :, top:top + kernel_h, left:left + kernel_w]
                    out[n, f, y, col] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return out, (x, w, b is not None, stride, padding)


def conv2d_backward_naive(grad_out, cache):
    """``conv2d_backward`` as loops: returns (dx, dw, db)."""
    # out[n, f, y, col] = sum(window * w[f]) + b[f], so its gradient g flows to the
    # window as g * w[f], to w[f] as g * window, and to b[f] as g.
    x, w, has_bias, (stride_h, stride_w), (pad_h, pad_w) = cache
    kernel_h, kernel_w = w.shape[2:]
    padded = np.pad(x, ((0, 0), (0, 0), (pad_h, pad_h), (pad_w, pad_w)))
    grad_padded, grad_w = np.zeros_like(padded), np.zeros_like(w)
    for n, f, y, col in np.ndindex(grad_out.shape):
        top, left = y * stride_h, col * stride_w
        rows, cols = slice(top, top + kernel_h), slice(left, left + kernel_w)
        grad_padded[n, :, rows, cols] += grad_out[n, f, y, col] * w[f]
        grad_w[f] += grad_out[n, f, y, col] * padded[n, :, rows, cols]
    grad_b = grad_out.sum(axis=(0, 2, 3)) if has_bias else None
    height, width = x.shape[2:]
    return grad_padded[:, :, pad_h:pad_h + height, pad_w:pad_w + width], grad_w, grad_b


def conv1d_forward_naive(x, w, b=None, stride=1, padding=0):
    """``conv1d_forward`` as three loops: one dot product per sample, filter and position."""
    x, w, b, (stride,), (pad,) = prepare_conv("conv1d_forward_naive", x, w, b, stride,
                                                padding, 1)
    kernel = w.shape[2]
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad)))
    (out_len,) = output_shape("conv1d_forward_naive", x.shape, (kernel,), (stride,), (pad,))
    out = np.zeros((x.shape[0], w.shape[0], out_len), dtype=x.dtype)
    for n in range(x.shape[0]):
        for f in range(w.shape[0]):
            for position in range(out_len):
                window = padded[n, :, position * stride:position * stride + kernel]
                out[n, f, position] = np.sum(window * w[f]) + (0 if b is None else b[f])
    return out, (x, w, b is not None, stride, pad)


def conv1d_backward_naive(grad_out, cache):
    """``conv1d_backward`` as loops: returns (dx, dw, db)."""
    # out[n, f, l] = sum(window * w[f]) + b[f]: g flows to the window as g * w[f],
    # to w[f] as g * window, and to b[f] as g.
    x, w, has_bias, stride, pad = cache
    kernel = w.shape[2]
    padded = np.pad(x, ((0, 0), (0, 0), (pad, pad)))
    grad_padded, grad_w = np.zeros_like(padded), np.zeros_like(w)
    for n, f, position in np.ndindex(grad_out.shape):
        span = slice(position * stride, position * stride + kernel)
        grad_padded[n, :, span] += grad_out[n, f, position] * w[f]
        grad_w[f] += grad_out[n, f, position] * padded[n, :, span]
    grad_b = grad_out.sum(axis=(0, 2)) if has_bias else None
    return grad_padded[:, :, pad:pad + x.shape[2]], grad_w, grad_b
