"""Numerical gradients by central differences, and the relative error students read.

(``gradcheck`` and ``check_layer`` are added here on top of these two.)
"""

import numpy as np


def rel_error(a, b):
    """CS231n's relative error: max |a - b| / max(1e-8, |a| + |b|), elementwise."""
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b)), initial=0.0))


def numerical_gradient(f, x, grad_out=None, eps=1e-6):
    """Central-difference gradient of ``sum(f(x) * grad_out)`` with respect to ``x``.

    ``f`` is called with ``x`` itself, which is perturbed in place one entry at
    a time and restored, so ``f`` may close over arrays that alias ``x`` (a
    layer's own parameter). With ``grad_out=None`` ``f`` must return a scalar.

    Parameters
    ----------
    f : callable, x -> ndarray (any shape) or float
    x : float64 ndarray, any shape
    grad_out : ndarray of f(x)'s shape, or None for a scalar f
    eps : float

    Returns
    -------
    ndarray of x's shape
    """
    grad = np.zeros_like(x, dtype=np.float64)
    flat_x = x.reshape(-1)  # a view: writing into it perturbs x
    flat_grad = grad.reshape(-1)
    for index in range(flat_x.size):
        original = flat_x[index]
        flat_x[index] = original + eps
        plus = f(x)
        flat_x[index] = original - eps
        minus = f(x)
        flat_x[index] = original
        if grad_out is None:
            flat_grad[index] = (float(plus) - float(minus)) / (2 * eps)
        else:
            flat_grad[index] = np.sum((np.asarray(plus) - np.asarray(minus)) * grad_out) / (2 * eps)
    return grad
