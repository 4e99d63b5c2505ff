"""Wrong numerical gradients: one-sided, x left perturbed, grad_out ignored."""

import numpy as np


def _weighted(f, x, grad_out):
    value = np.array(f(x), dtype=np.float64)
    return float(np.sum(value if grad_out is None else value * grad_out))


def one_sided(f, x, grad_out=None, eps=1e-6):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        base = _weighted(f, x, grad_out)
        original = x[index]
        x[index] = original + eps
        grad[index] = (_weighted(f, x, grad_out) - base) / eps
        x[index] = original
    return grad


def x_not_restored(f, x, grad_out=None, eps=1e-6):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        plus = _weighted(f, x, grad_out)
        x[index] = original - eps
        grad[index] = (plus - _weighted(f, x, grad_out)) / (2 * eps)
    return grad


def ignores_grad_out(f, x, grad_out=None, eps=1e-6):
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        plus = _weighted(f, x, None)
        x[index] = original - eps
        minus = _weighted(f, x, None)
        x[index] = original
        grad[index] = (plus - minus) / (2 * eps)
    return grad


MUTANTS = {
    "one-sided": {"numerical_gradient": one_sided},
    "x-not-restored": {"numerical_gradient": x_not_restored},
    "ignores-grad-out": {"numerical_gradient": ignores_grad_out},
}
