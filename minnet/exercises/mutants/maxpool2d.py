"""Wrong max pools: an average pool's backward, every tied maximum fed, `=` instead of `+=`."""

import numpy as np


def _windows(out_shape, kernel, stride):
    for i, j in np.ndindex(*out_shape):
        yield i, j, slice(i * stride, i * stride + kernel), slice(j * stride, j * stride + kernel)


def max_pool2d_forward(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    stride = kernel_size if stride is None else stride
    out_h = (x.shape[2] - kernel_size) // stride + 1
    out_w = (x.shape[3] - kernel_size) // stride + 1
    out = np.empty(x.shape[:2] + (out_h, out_w))
    for i, j, rows, cols in _windows((out_h, out_w), kernel_size, stride):
        out[:, :, i, j] = x[:, :, rows, cols].max(axis=(2, 3))
    return out, (x, kernel_size, stride)


def _backward(grad_out, cache, rule):
    x, kernel, stride = cache
    dx = np.zeros_like(x)
    for i, j, rows, cols in _windows(grad_out.shape[2:], kernel, stride):
        window = x[:, :, rows, cols]
        g = grad_out[:, :, i, j][:, :, None, None]
        if rule == "average":
            dx[:, :, rows, cols] += g / kernel**2
            continue
        if rule == "all-ties":
            mask = window == window.max(axis=(2, 3), keepdims=True)
        else:  # the first maximum, as the reference
            flat = window.reshape(window.shape[:2] + (-1,)).argmax(axis=2)
            mask = np.zeros(window.shape, dtype=bool).reshape(window.shape[:2] + (-1,))
            np.put_along_axis(mask, flat[:, :, None], True, axis=2)
            mask = mask.reshape(window.shape)
        if rule == "assign":
            region = dx[:, :, rows, cols]
            region[mask] = np.broadcast_to(g, window.shape)[mask]
        else:
            dx[:, :, rows, cols] += mask * g
    return dx


def average_backward(grad_out, cache):
    return _backward(grad_out, cache, "average")


def all_ties_get_gradient(grad_out, cache):
    return _backward(grad_out, cache, "all-ties")


def assign_on_overlaps(grad_out, cache):
    return _backward(grad_out, cache, "assign")


MUTANTS = {
    "average-backward": {"max_pool2d_forward": max_pool2d_forward,
                         "max_pool2d_backward": average_backward},
    "all-ties-get-gradient": {"max_pool2d_forward": max_pool2d_forward,
                              "max_pool2d_backward": all_ties_get_gradient},
    "assign-on-overlaps": {"max_pool2d_forward": max_pool2d_forward,
                           "max_pool2d_backward": assign_on_overlaps},
}
