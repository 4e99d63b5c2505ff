"""Numba twins of ``minnet.kernels.im2col`` (same names, same signatures, same layouts).

A dilation only moves where each tap's run starts (``corner``): the runs,
and so the speed of the plain case, are those of an undilated window.

The work is a set of runs, each a copy (or an add) between a line of
``cols`` and a line of a zero-padded plane. One channel is padded at a time,
for the whole batch, into a small buffer that stays in cache. Two details
decide the speed: the run helpers are inlined (``inline="always"``; a call
per run cost more than a short run itself), and their subscripts are
unsigned, because a signed subscript makes numba test for a negative index
on every access, which stops LLVM from vectorizing the loop (measured:
benchmarks/README.md).
"""

import numba
import numpy as np
from numba import uint64

JIT = dict(cache=True, error_model="numpy", nogil=True)
INLINE = dict(JIT, inline="always")


@numba.njit(**INLINE)
def _copy_run(source, start, step, target, offset, count):
    """target[offset + t] = source[start + t * step] for t < count (every index >= 0)."""
    if step == 1:
        for t in range(count):
            target[uint64(offset + t)] = source[uint64(start + t)]
    else:
        for t in range(count):
            target[uint64(offset + t)] = source[uint64(start + t * step)]


@numba.njit(**INLINE)
def _add_run(source, offset, target, start, step, count):
    """target[start + t * step] += source[offset + t] for t < count (every index >= 0)."""
    if step == 1:
        for t in range(count):
            target[uint64(start + t)] += source[uint64(offset + t)]
    else:
        for t in range(count):
            target[uint64(start + t * step)] += source[uint64(offset + t)]


@numba.njit(**INLINE)
def _pad_channel_2d(x, channel, pad_h, pad_w, padded):
    """Write channel ``channel`` of every sample into the interior of ``padded`` (N, plane)."""
    batch, _, height, width = x.shape
    padded_w = width + 2 * pad_w
    for n in range(batch):
        for y in range(height):
            _copy_run(x[n, channel, y], 0, 1, padded[n], (y + pad_h) * padded_w + pad_w, width)


@numba.njit(**INLINE)
def _out_size(size, kernel, stride, pad, dilation):
    return (size + 2 * pad - dilation * (kernel - 1) - 1) // stride + 1


@numba.njit(**JIT)
def im2col_2d(x, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, pitch, cols,
              dilation_h=1, dilation_w=1):
    batch, channels, height, width = x.shape
    padded_w = width + 2 * pad_w
    out_h = _out_size(height, kernel_h, stride_h, pad_h, dilation_h)
    block = out_h * pitch
    one_run = stride_h == 1 and stride_w == 1 and pitch == padded_w
    padded = np.zeros((batch, (height + 2 * pad_h + 1) * padded_w), dtype=x.dtype)
    for c in range(channels):
        _pad_channel_2d(x, c, pad_h, pad_w, padded)  # the borders stay zero
        for i in range(kernel_h):
            for j in range(kernel_w):
                row = cols[(c * kernel_h + i) * kernel_w + j]
                corner = i * dilation_h * padded_w + j * dilation_w  # the tap's offset
                for n in range(batch):
                    if one_run:  # the windows follow one another along the padded line
                        _copy_run(padded[n], corner, 1, row, n * block, block)
                        continue
                    for y in range(out_h):
                        _copy_run(padded[n], y * stride_h * padded_w + corner, stride_w, row,
                                  n * block + y * pitch, pitch)


@numba.njit(**JIT)
def col2im_2d(cols, kernel_h, kernel_w, stride_h, stride_w, pad_h, pad_w, pitch, grad_x,
              dilation_h=1, dilation_w=1):
    batch, channels, height, width = grad_x.shape
    padded_w = width + 2 * pad_w
    out_h = _out_size(height, kernel_h, stride_h, pad_h, dilation_h)
    block = out_h * pitch
    one_run = stride_h == 1 and stride_w == 1 and pitch == padded_w
    padded = np.empty((batch, (height + 2 * pad_h + 1) * padded_w), dtype=grad_x.dtype)
    for c in range(channels):
        padded[:] = 0
        for i in range(kernel_h):
            for j in range(kernel_w):
                row = cols[(c * kernel_h + i) * kernel_w + j]
                corner = i * dilation_h * padded_w + j * dilation_w
                for n in range(batch):
                    if one_run:
                        _add_run(row, n * block, padded[n], corner, 1, block)
                        continue
                    for y in range(out_h):
                        _add_run(row, n * block + y * pitch, padded[n],
                                 y * stride_h * padded_w + corner, stride_w, pitch)
        for n in range(batch):  # crop the padding
            for y in range(height):
                _copy_run(padded[n], (y + pad_h) * padded_w + pad_w, 1, grad_x[n, c, y], 0,
                          width)


@numba.njit(**JIT)
def im2col_1d(x, kernel, stride, pad, cols, dilation=1):
    batch, channels, length = x.shape
    out_len = _out_size(length, kernel, stride, pad, dilation)
    padded = np.zeros((batch, length + 2 * pad), dtype=x.dtype)
    for c in range(channels):
        for n in range(batch):
            _copy_run(x[n, c], 0, 1, padded[n], pad, length)
        for j in range(kernel):
            row = cols[c * kernel + j]
            for n in range(batch):
                _copy_run(padded[n], j * dilation, stride, row, n * out_len, out_len)


@numba.njit(**JIT)
def col2im_1d(cols, kernel, stride, pad, grad_x, dilation=1):
    batch, channels, length = grad_x.shape
    out_len = _out_size(length, kernel, stride, pad, dilation)
    padded = np.empty((batch, length + 2 * pad), dtype=grad_x.dtype)
    for c in range(channels):
        padded[:] = 0
        for j in range(kernel):
            row = cols[c * kernel + j]
            for n in range(batch):
                _add_run(row, n * out_len, padded[n], j * dilation, stride, out_len)
        for n in range(batch):
            _copy_run(padded[n], pad, 1, grad_x[n, c], 0, length)


@numba.njit(**JIT)
def columns_to_batch(columns, bias, pitch, out):
    batch, filters, out_h, out_w = out.shape
    for n in range(batch):
        for f in range(filters):
            line, value = columns[f], bias[f]
            for y in range(out_h):
                target = out[n, f, y]
                offset = (n * out_h + y) * pitch
                for t in range(out_w):
                    target[t] = line[uint64(offset + t)] + value


@numba.njit(**JIT)
def batch_to_columns(grad_out, pitch, columns):
    batch, filters, out_h, out_w = grad_out.shape
    for f in range(filters):
        line = columns[f]
        for n in range(batch):
            for y in range(out_h):
                offset = (n * out_h + y) * pitch
                _copy_run(grad_out[n, f, y], 0, 1, line, offset, out_w)
                for t in range(out_w, pitch):
                    line[uint64(offset + t)] = 0
