"""A correct sigmoid written differently: s = (1 + tanh(x / 2)) / 2, the input as the cache."""

import numpy as np


def sigmoid_forward(x):
    return 0.5 * (1 + np.tanh(0.5 * x)), x


def sigmoid_backward(grad_out, cache):
    t = np.tanh(0.5 * cache)
    return grad_out * 0.25 * (1 - t * t)  # s (1 - s) = (1 - t^2) / 4
