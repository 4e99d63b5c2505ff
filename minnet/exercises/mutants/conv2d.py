"""Wrong convolutions: a flipped kernel, dx still padded, the stride ignored, dw from one sample.

Each loops over the kernel's taps and handles whole (N, C) planes at once.
"""

import numpy as np


def _taps(shape, kh, kw, stride, out_h, out_w):
    for i in range(kh):
        for j in range(kw):
            yield i, j, (slice(None), slice(None), slice(i, i + stride * (out_h - 1) + 1, stride),
                         slice(j, j + stride * (out_w - 1) + 1, stride))


def _forward(x, w, b, stride, padding, flip=False, ignore_stride=False):
    step = 1 if ignore_stride else stride
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kernel = w[:, :, ::-1, ::-1] if flip else w
    kh, kw = w.shape[2:]
    out_h, out_w = (padded.shape[2] - kh) // step + 1, (padded.shape[3] - kw) // step + 1
    out = np.zeros((x.shape[0], w.shape[0], out_h, out_w)) + b[None, :, None, None]
    for i, j, window in _taps(padded.shape, kh, kw, step, out_h, out_w):
        out += np.einsum("nchw,fc->nfhw", padded[window], kernel[:, :, i, j])
    return out, (x, w, padding, step, flip)


def _backward(grad_out, cache, crop=True, last_sample_only=False):
    x, w, padding, step, flip = cache
    padded = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kernel = w[:, :, ::-1, ::-1] if flip else w
    dpadded, dkernel = np.zeros_like(padded), np.zeros_like(w)
    samples = slice(-1, None) if last_sample_only else slice(None)
    for i, j, window in _taps(padded.shape, *w.shape[2:], step, *grad_out.shape[2:]):
        dkernel[:, :, i, j] = np.einsum("nfhw,nchw->fc", grad_out[samples],
                                        padded[window][samples])
        dpadded[window] += np.einsum("nfhw,fc->nchw", grad_out, kernel[:, :, i, j])
    dw = dkernel[:, :, ::-1, ::-1] if flip else dkernel
    h, width = x.shape[2:]
    dx = dpadded[:, :, padding:padding + h, padding:padding + width] if crop else dpadded
    return dx, dw, grad_out.sum(axis=(0, 2, 3))


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _forward(x, w, b, stride, padding)


def conv2d_backward(grad_out, cache, input_grad=True):
    return _backward(grad_out, cache)


def flipped_kernel(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _forward(x, w, b, stride, padding, flip=True)


def dx_still_padded(grad_out, cache, input_grad=True):
    return _backward(grad_out, cache, crop=False)


def size_ignores_stride(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    return _forward(x, w, b, stride, padding, ignore_stride=True)


def dw_not_batch_summed(grad_out, cache, input_grad=True):
    return _backward(grad_out, cache, last_sample_only=True)


MUTANTS = {
    "flipped-kernel": {"conv2d_forward": flipped_kernel, "conv2d_backward": conv2d_backward},
    "dx-still-padded": {"conv2d_forward": conv2d_forward, "conv2d_backward": dx_still_padded},
    "size-ignores-stride": {"conv2d_forward": size_ignores_stride,
                            "conv2d_backward": conv2d_backward},
    "dw-not-batch-summed": {"conv2d_forward": conv2d_forward,
                            "conv2d_backward": dw_not_batch_summed},
}
