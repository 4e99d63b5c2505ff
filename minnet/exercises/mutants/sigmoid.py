"""Wrong sigmoids: s(1 - x), a backward without dout, a forward that overflows at |x| = 1000."""

import numpy as np


def sigmoid_forward(x):
    s = 1 / (1 + np.exp(-np.clip(x, -500, 500)))
    return s, (x, s)


def derivative_at_input(grad_out, cache):
    x, s = cache
    return grad_out * s * (1 - x)


def ignores_dout(grad_out, cache):
    x, s = cache
    return s * (1 - s)


def overflowing_forward(x):
    e = np.exp(x)
    s = e / (1 + e)
    return s, (x, s)


def sigmoid_backward(grad_out, cache):
    x, s = cache
    return grad_out * s * (1 - s)


MUTANTS = {
    "derivative-at-input": {"sigmoid_forward": sigmoid_forward,
                            "sigmoid_backward": derivative_at_input},
    "ignores-dout": {"sigmoid_forward": sigmoid_forward, "sigmoid_backward": ignores_dout},
    "overflow-at-1000": {"sigmoid_forward": overflowing_forward,
                         "sigmoid_backward": sigmoid_backward},
}
