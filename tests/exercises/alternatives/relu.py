"""A correct ReLU written differently: np.where, and the boolean mask as the cache."""

import numpy as np


def relu_forward(x):
    mask = x > 0
    return np.where(mask, x, 0.0), mask


def relu_backward(grad_out, cache):
    return np.where(cache, grad_out, 0.0)
