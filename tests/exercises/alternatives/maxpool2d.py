"""A correct max pool written differently: loops per window, the argmax as flat plane indices."""

import numpy as np


def max_pool2d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    k, s = kernel_size, kernel_size if stride is None else stride
    out_h, out_w = (x.shape[2] - k) // s + 1, (x.shape[3] - k) // s + 1
    out = np.empty(x.shape[:2] + (out_h, out_w))
    where = np.empty(out.shape, dtype=np.int64)
    for n, c, i, j in np.ndindex(out.shape):
        window = x[n, c, i * s:i * s + k, j * s:j * s + k]
        a, b = np.unravel_index(np.argmax(window), window.shape)
        out[n, c, i, j] = window[a, b]
        where[n, c, i, j] = (i * s + a) * x.shape[3] + (j * s + b)
    return out, (x.shape, where)


def max_pool2d_backward(grad_out, cache):
    shape, where = cache
    dx = np.zeros((shape[0], shape[1], shape[2] * shape[3]))
    for n, c, i, j in np.ndindex(grad_out.shape):
        dx[n, c, where[n, c, i, j]] += grad_out[n, c, i, j]
    return dx.reshape(shape)
