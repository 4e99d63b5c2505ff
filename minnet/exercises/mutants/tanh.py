"""Wrong tanh layers: 1 - x^2 from the input, no dout, exp overflow at |x| = 1000."""

import numpy as np


def tanh_forward(x):
    t = np.tanh(x)
    return t, (x, t)


def derivative_at_input(grad_out, cache):
    x, t = cache
    return grad_out * (1 - x * x)


def ignores_dout(grad_out, cache):
    x, t = cache
    return 1 - t * t


def overflowing_forward(x):
    up, down = np.exp(x), np.exp(-x)
    t = (up - down) / (up + down)
    return t, (x, t)


def tanh_backward(grad_out, cache):
    x, t = cache
    return grad_out * (1 - t * t)


MUTANTS = {
    "derivative-at-input": {"tanh_forward": tanh_forward, "tanh_backward": derivative_at_input},
    "ignores-dout": {"tanh_forward": tanh_forward, "tanh_backward": ignores_dout},
    "overflow-at-1000": {"tanh_forward": overflowing_forward, "tanh_backward": tanh_backward},
}
