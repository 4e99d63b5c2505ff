"""A correct numerical gradient written differently: a flat view, and a helper for the loss."""

import numpy as np


def numerical_gradient(f, x, grad_out=None, eps=1e-6):
    flat = x.reshape(-1)  # a view: writing flat[i] writes x

    def loss():
        value = np.array(f(x), dtype=np.float64)  # a copy, even when f returns a view of x
        return value.item() if grad_out is None else float(np.vdot(value, grad_out))

    grad = np.empty(x.size)
    for i in range(x.size):
        saved = flat[i]
        flat[i] = saved + eps
        plus = loss()
        flat[i] = saved - eps
        minus = loss()
        flat[i] = saved
        grad[i] = (plus - minus) / (2 * eps)
    return grad.reshape(x.shape)
