"""Wrong softmaxes: no max shift, the diagonal of the Jacobian only, sums over the wrong axis."""

import numpy as np


def softmax_forward(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    s = e / e.sum(axis=axis, keepdims=True)
    return s, (s, axis)


def softmax_backward(grad_out, cache):
    s, axis = cache
    return s * (grad_out - (grad_out * s).sum(axis=axis, keepdims=True))


def no_max_shift(x, axis=-1):
    e = np.exp(x)
    s = e / e.sum(axis=axis, keepdims=True)
    return s, (s, axis)


def diagonal_jacobian(grad_out, cache):
    s, axis = cache
    return s * (1 - s) * grad_out


def wrong_axis_forward(x, axis=-1):
    e = np.exp(x - x.max(axis=0, keepdims=True))
    s = e / e.sum(axis=0, keepdims=True)
    return s, (s, 0)


MUTANTS = {
    "no-max-shift": {"softmax_forward": no_max_shift, "softmax_backward": softmax_backward},
    "diagonal-jacobian": {"softmax_forward": softmax_forward,
                          "softmax_backward": diagonal_jacobian},
    "wrong-axis": {"softmax_forward": wrong_axis_forward, "softmax_backward": softmax_backward},
}
