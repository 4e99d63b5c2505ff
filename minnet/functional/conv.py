"""Convolution (cross-correlation, as in PyTorch) in 1d and 2d: im2col and one matrix product.

``conv2d_forward(x, w, b, stride, padding, dilation, groups)`` copies every
window of the padded input into a column (``im2col``), multiplies by the
filters flattened to rows, ``w.reshape(F, C * kh * kw)``, and lays the
result out as (N, F, H_out, W_out). The backward pass is two more matrix
products and ``col2im``, which adds each column of the input gradient back
onto its window. Both passes run over chunks of the batch (``batch_chunks``),
and the backward makes each chunk's columns again from x. Weight layout is
PyTorch's: (out, in / groups, kh, kw) and (out, in / groups, k).

A dilated convolution reads its window's taps ``dilation`` apart: the same
im2col, with each tap's copy starting further on. A grouped convolution
splits the C input channels into ``groups`` blocks of C / groups and the F
filters likewise; block g of filters sees block g of channels only. The rows
of ``cols`` of one block of channels are consecutive, so the product becomes
one batched product, a (F / groups, K / groups) matrix times a (K / groups,
M) one per group.

Output size per axis: ``(size + left + right - dilation * (k - 1) - 1) // stride + 1``,
where ``padding="same"`` gives ``left + right = dilation * (k - 1)``, the
odd zero going right (PyTorch's rule; such a padding costs one padded copy of x).

The ``_naive`` loops the fast versions are tested against live in ``conv_naive``.
"""

import math
from typing import NamedTuple

import numpy as np

from minnet.functional.conv_checks import prepare_conv
from minnet.functional.windows import check_grad_out
from minnet.kernels.im2col import (
    batch_to_columns,
    col2im_1d,
    col2im_2d,
    columns_to_batch,
    im2col_1d,
    im2col_2d,
    row_pitch,
)

# An infinite input makes NaN (inf - inf in a sum, inf * 0) and a huge float32 one overflows,
# as in PyTorch: the result says so, without NumPy's warning text on top.
QUIET = dict(invalid="ignore", over="ignore")


class ConvCache(NamedTuple):
    """What ``conv_backward`` needs: x, not its columns, which the backward makes again.

    x_shape : (N, C, H, W) or (N, C, L), the input's shape (dx's)
    x : the input as the forward used it: C-contiguous, in the common dtype, with the
        extra right zeros of ``_pad_right`` (so x.shape is x_shape unless "same"
        padding is odd)
    w : (F, C / groups, kh, kw) or (F, C / groups, k), the filters in the common dtype
    has_bias : bool, whether db is computed
    window : the im2col window arguments, (kh, kw, stride_h, stride_w, pad_h, pad_w,
        pitch) in 2d, (k, stride, pad) in 1d
    dilation : tuple, one int per spatial axis
    groups : int
    chunks : tuple of (start, stop) sample ranges, the chunks of ``batch_chunks``
    pitch : int, columns per row of windows (``row_pitch``; L_out in 1d)
    out_shape : (N, F, H_out, W_out) or (N, F, L_out), the output's shape (grad_out's)
    """

    x_shape: tuple
    x: np.ndarray
    w: np.ndarray
    has_bias: bool
    window: tuple
    dilation: tuple
    groups: int
    chunks: tuple
    pitch: int
    out_shape: tuple


# The batch is processed in chunks whose column matrix fits in a core's L2 cache (1 MB
# here): im2col writes a chunk that the matrix products then read from the cache, and
# the backward's col2im likewise, instead of a whole batch's columns (9x the input for
# a 3x3 kernel) going through main memory. The backward makes each chunk's columns
# again from x rather than keeping them from the forward: as fast, and a step holds
# one chunk of columns instead of the batch's (measured: benchmarks/README.md).
CHUNK_BYTES = 2**20


def batch_chunks(batch, bytes_per_sample):
    """(start, stop) ranges covering ``batch`` samples, each of about ``CHUNK_BYTES`` of columns.

    An empty batch is one empty chunk, so that its gradients are zeros of the right shape.
    """
    size = max(1, CHUNK_BYTES // max(bytes_per_sample, 1))
    return tuple((start, min(batch, start + size)) for start in range(0, max(batch, 1), size))


def _pad_right(x, padding):
    """Make asymmetric padding symmetric: add the extra right zeros to a copy of x.

    Returns (x, one pad per axis). Only ``padding="same"`` with an odd total
    padding gets here, as in PyTorch, which makes the same copy.
    """
    extra = [right - left for left, right in padding]
    if any(extra):
        x = np.pad(x, ((0, 0), (0, 0), *((0, more) for more in extra)))
    return x, tuple(left for left, _ in padding)


def _grouped(matrix, groups):
    """(rows, M) as (groups, rows / groups, M): one block of rows per group (a view)."""
    return matrix.reshape(groups, matrix.shape[0] // groups, matrix.shape[1])


def _weight_grad(grad_cols, cols, batch):
    """dW = grad_cols @ cols.T: (F, M) x (M, K) -> (F, K), M = N * P summed over the batch.

    For a small K = C * kh * kw (a first layer: K = 9), one product per sample,
    summed; otherwise the transposed product (cols @ grad_cols.T).T: both forms
    are chosen for speed (measured: benchmarks/README.md).
    """
    filters, rows = grad_cols.shape[0], cols.shape[0]
    per_sample = cols.shape[1] // max(batch, 1)
    if rows < 32 and per_sample >= 256:
        per_sample_grads = np.matmul(
            grad_cols.reshape(filters, batch, per_sample).transpose(1, 0, 2),
            cols.reshape(rows, batch, per_sample).transpose(1, 2, 0))
        return per_sample_grads.sum(axis=0)
    return (cols @ grad_cols.T).T


def _columns(x, w, groups, pitch, out_rows, to_columns):
    """The im2col of x: (C * kh * kw, N * out_rows * pitch), from ``to_columns(x, cols)``."""
    cols = np.empty((math.prod(w.shape[1:]) * groups, x.shape[0] * out_rows * pitch),
                    dtype=x.dtype)
    to_columns(x, cols)
    return cols


def _forward(x, w, b, groups, pitch, out, to_columns):
    """Fill ``out`` (N, F, H_out, W_out) from the im2col of x."""
    filters, rows = w.shape[0], math.prod(w.shape[1:])  # rows = C / groups * kh * kw
    cols = _columns(x, w, groups, pitch, out.shape[2], to_columns)
    bias = b if b is not None else np.zeros(filters, dtype=x.dtype)
    if groups == 1:
        columns = w.reshape(filters, rows) @ cols
    else:  # group g: its filters times its channels' rows, one product per group
        columns = np.matmul(w.reshape(groups, filters // groups, rows), _grouped(cols, groups))
    columns_to_batch(columns.reshape(filters, cols.shape[1]), bias, pitch, out)


def _backward(grad_out, w, has_bias, groups, cols, pitch, grad_x, from_columns):
    """Fill grad_x through ``from_columns(dcols, grad_x)``, the col2im; return (dw, db or None).

    ``grad_x=None`` skips the input gradient (its matrix product and col2im).

    ``grad_out`` is (N, F, H_out, W_out), a 1d convolution's with H_out = 1.
    """
    # The forward is out_cols = W @ cols with W = w.reshape(F, C*kh*kw), so
    # dW = grad_cols @ cols.T and dcols = W.T @ grad_cols; col2im (the adjoint of
    # im2col) adds each column of dcols onto its window. db sums over batch and positions.
    # With groups, each group is its own W_g @ cols_g: the same, block by block.
    filters, rows = w.shape[0], math.prod(w.shape[1:])
    grad_cols = np.empty((filters, cols.shape[1]), dtype=w.dtype)
    batch_to_columns(grad_out, pitch, grad_cols)  # zeros in the junk columns
    grad_b = grad_cols.sum(axis=1) if has_bias else None
    if groups == 1:
        grad_w = _weight_grad(grad_cols, cols, len(grad_out)).reshape(w.shape)
    else:
        grad_w = np.matmul(_grouped(grad_cols, groups),
                           _grouped(cols, groups).transpose(0, 2, 1)).reshape(w.shape)
    if grad_x is not None:
        # dcols gets its own name: grad_cols stays alive until the end of the backward
        # (measured: benchmarks/README.md)
        if groups == 1:
            dcols = w.reshape(filters, rows).T @ grad_cols
        else:
            dcols = np.matmul(w.reshape(groups, filters // groups, rows).transpose(0, 2, 1),
                              _grouped(grad_cols, groups)).reshape(cols.shape)
        from_columns(dcols, grad_x)
    return grad_w, grad_b


def _crop(grad_x, x_shape):
    """The gradient of the padded copy of x (``_pad_right``) cropped back to x's shape."""
    if grad_x is None or grad_x.shape == tuple(x_shape):
        return grad_x
    return np.ascontiguousarray(grad_x[tuple(slice(0, size) for size in x_shape)])


def _im2col(window, dilation):
    """``to_columns(x, cols)``: the 2d or 1d im2col of this window (``len(dilation)`` axes)."""
    if len(dilation) == 2:
        return lambda x, cols: im2col_2d(x, *window, cols, *dilation)
    return lambda x, cols: im2col_1d(x, *window, cols, dilation[0])


def _col2im(window, dilation):
    """``from_columns(dcols, grad_x)``: the adjoint of ``_im2col(window, dilation)``."""
    if len(dilation) == 2:
        return lambda dcols, grad_x: col2im_2d(dcols, *window, grad_x, *dilation)
    return lambda dcols, grad_x: col2im_1d(dcols, *window, grad_x, dilation[0])


def conv_forward(owner, x, w, b, stride, padding, dilation, groups, dims):
    """The checked convolution forward pass behind the layers and the public functions.

    ``owner`` (a layer, or the public function's name) is who the errors name;
    ``dims`` is 1 or 2. Returns (out, cache) as ``conv1d_forward`` / ``conv2d_forward``.
    """
    x, w, b, stride, padding, dilation, groups, spatial = prepare_conv(
        owner, x, w, b, stride, padding, dilation, groups, dims)
    x_shape = x.shape
    x, padding = _pad_right(x, padding)
    if dims == 2:
        pitch = row_pitch(x.shape[3] + 2 * padding[1], spatial[1], stride[1])
        window = (*w.shape[2:], *stride, *padding, pitch)
        grid = spatial
    else:  # one row of windows, no junk columns
        pitch = spatial[0]
        window = (w.shape[2], stride[0], padding[0])
        grid = (1, spatial[0])
    to_columns = _im2col(window, dilation)
    out = np.empty((x.shape[0], w.shape[0], *grid), dtype=x.dtype)
    chunks = batch_chunks(x.shape[0], math.prod(w.shape[1:]) * groups * grid[0] * pitch
                          * x.itemsize)
    with np.errstate(**QUIET):
        for start, stop in chunks:
            _forward(x[start:stop], w, b, groups, pitch, out[start:stop], to_columns)
    out = out.reshape(out.shape[:2] + spatial)
    return out, ConvCache(x_shape, x, w, b is not None, window, dilation, groups, chunks,
                          pitch, out.shape)


def conv_backward(owner, grad_out, cache, input_grad=True):
    """The convolution backward pass behind the layers and the public functions."""
    w, window, dilation, out_shape = cache.w, cache.window, cache.dilation, cache.out_shape
    grad_out = check_grad_out(owner, grad_out, out_shape, w.dtype)
    if len(out_shape) == 3:  # a 1d convolution: one row of windows
        grad_out = grad_out.reshape(out_shape[0], out_shape[1], 1, out_shape[2])
    grad_x = np.empty(cache.x.shape, dtype=w.dtype) if input_grad else None
    grad_w = grad_b = None
    to_columns, from_columns = _im2col(window, dilation), _col2im(window, dilation)
    with np.errstate(**QUIET):
        for start, stop in cache.chunks:  # the gradients are the sums of the chunks'
            cols = _columns(cache.x[start:stop], w, cache.groups, cache.pitch,
                            grad_out.shape[2], to_columns)
            chunk_grad_w, chunk_grad_b = _backward(
                grad_out[start:stop], w, cache.has_bias, cache.groups, cols, cache.pitch,
                None if grad_x is None else grad_x[start:stop], from_columns)
            if grad_w is None:  # the first chunk's arrays are new: the others add into them
                grad_w, grad_b = chunk_grad_w, chunk_grad_b
                continue
            grad_w += chunk_grad_w
            if cache.has_bias:
                grad_b += chunk_grad_b
    return _crop(grad_x, cache.x_shape), grad_w, grad_b


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """2d convolution forward pass (PyTorch's ``F.conv2d``, same argument order).

    Parameters
    ----------
    x : ndarray (N, C, H, W)
    w : ndarray (F, C / groups, kh, kw)
    b : ndarray (F,) or None
    stride, dilation : int or (int, int), each >= 1
    padding : int or (int, int) (zeros on both sides), "valid" (0) or "same" (stride 1)
    groups : int >= 1 dividing C and F

    Returns
    -------
    out : ndarray (N, F, H_out, W_out),
        H_out = (H + pad_top + pad_bottom - dilation_h * (kh - 1) - 1) // stride_h + 1
    cache : ConvCache, what ``conv2d_backward`` needs (x, not its columns)
    """
    return conv_forward("conv2d_forward", x, w, b, stride, padding, dilation, groups, 2)


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
    dx : (N, C, H, W) or None; dw : (F, C / groups, kh, kw); db : (F,) or None without bias
    """
    return conv_backward("conv2d_backward", grad_out, cache, input_grad)


def conv1d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    """1d convolution forward pass (PyTorch's ``F.conv1d``, same argument order).

    Parameters
    ----------
    x : ndarray (N, C, L)
    w : ndarray (F, C / groups, k)
    b : ndarray (F,) or None
    stride, dilation : int (or a 1-tuple), >= 1
    padding : int (or a 1-tuple), "valid" or "same" (stride 1)
    groups : int >= 1 dividing C and F

    Returns
    -------
    out : ndarray (N, F, L_out), L_out = (L + left + right - dilation * (k - 1) - 1) // stride + 1
    cache : ConvCache, what ``conv1d_backward`` needs
    """
    return conv_forward("conv1d_forward", x, w, b, stride, padding, dilation, groups, 1)


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
    dx : (N, C, L) or None; dw : (F, C / groups, k); db : (F,) or None without bias
    """
    return conv_backward("conv1d_backward", grad_out, cache, input_grad)
