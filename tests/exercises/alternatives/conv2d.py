"""A correct convolution written differently: textbook loops over samples, filters, positions."""

import numpy as np


def conv2d_forward(x, w, b=None, stride=1, padding=0, dilation=1, groups=1):
    pad = np.pad(x, ((0, 0), (0, 0), (padding, padding), (padding, padding)))
    kh, kw = w.shape[2:]
    out_h = (pad.shape[2] - kh) // stride + 1
    out_w = (pad.shape[3] - kw) // stride + 1
    out = np.empty((x.shape[0], w.shape[0], out_h, out_w))
    for n, f, i, j in np.ndindex(out.shape):
        window = pad[n, :, i * stride:i * stride + kh, j * stride:j * stride + kw]
        out[n, f, i, j] = np.sum(window * w[f]) + (0.0 if b is None else b[f])
    return out, (pad, w, stride, padding, x.shape)


def conv2d_backward(grad_out, cache, input_grad=True):
    pad, w, stride, padding, shape = cache
    kh, kw = w.shape[2:]
    dpad, dw = np.zeros_like(pad), np.zeros_like(w)
    for n, f, i, j in np.ndindex(grad_out.shape):
        rows, cols = slice(i * stride, i * stride + kh), slice(j * stride, j * stride + kw)
        dpad[n, :, rows, cols] += grad_out[n, f, i, j] * w[f]
        dw[f] += grad_out[n, f, i, j] * pad[n, :, rows, cols]
    dx = dpad[:, :, padding:padding + shape[2], padding:padding + shape[3]]
    return dx, dw, grad_out.sum(axis=(0, 2, 3))
