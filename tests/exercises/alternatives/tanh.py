"""A correct tanh written differently: 2 sigmoid(2x) - 1 with a stable sigmoid, x as the cache."""

import numpy as np


def _sigmoid(z):
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1 / (1 + e), e / (1 + e))


def tanh_forward(x):
    return 2 * _sigmoid(2 * x) - 1, x


def tanh_backward(grad_out, cache):
    s = _sigmoid(2 * cache)
    return grad_out * 4 * s * (1 - s)  # d/dx (2 s(2x) - 1) = 4 s (1 - s)
