"""Wrong numerical gradients: one-sided, x left perturbed, grad_out ignored."""

from functools import partial

import numpy as np


def _weighted(f, x, grad_out):
    value = np.array(f(x), dtype=np.float64)
    return float(np.sum(value if grad_out is None else value * grad_out))


def _differences(f, x, grad_out=None, eps=1e-6, *, one_sided=False, restore=True,
                 use_grad_out=True):
    weights = grad_out if use_grad_out else None
    grad = np.zeros(x.shape)
    for index in np.ndindex(x.shape):
        original = x[index]
        x[index] = original + eps
        plus = _weighted(f, x, weights)
        x[index] = original if one_sided else original - eps
        minus = _weighted(f, x, weights)
        if restore:
            x[index] = original
        grad[index] = (plus - minus) / (eps if one_sided else 2 * eps)
    return grad


MUTANTS = {
    "one-sided": {"numerical_gradient": partial(_differences, one_sided=True)},
    "x-not-restored": {"numerical_gradient": partial(_differences, restore=False)},
    "ignores-grad-out": {"numerical_gradient": partial(_differences, use_grad_out=False)},
}
