"""Wrong gradient clipping: each tensor clipped by its own norm, small gradients scaled up,
the scaled gradients never written back."""

import numpy as np


def _params(params):
    return [params] if hasattr(params, "grad") else list(params)


def _norm(grad, norm_type):
    return float(np.max(np.abs(grad))) if norm_type == float("inf") else float(
        np.sum(np.abs(grad) ** norm_type) ** (1 / norm_type))


def _total(grads, norm_type):
    return _norm(np.array([_norm(g, norm_type) for g in grads]), norm_type)


def per_tensor(params, max_norm, norm_type=2.0, error_if_nonfinite=False):
    params = _params(params)
    total = _total([p.grad for p in params], norm_type)
    for p in params:
        own = _norm(p.grad, norm_type)
        if own > max_norm:
            p.grad *= max_norm / (own + 1e-6)
    return total


def scales_up(params, max_norm, norm_type=2.0, error_if_nonfinite=False):
    params = _params(params)
    total = _total([p.grad for p in params], norm_type)
    for p in params:
        p.grad *= max_norm / (total + 1e-6)
    return total


def not_in_place(params, max_norm, norm_type=2.0, error_if_nonfinite=False):
    params = _params(params)
    total = _total([p.grad for p in params], norm_type)
    scale = max_norm / (total + 1e-6)
    if scale < 1:
        for p in params:
            grad = p.grad
            grad = grad * scale  # a new array: the parameter's gradient is unchanged
            del grad
    return total


MUTANTS = {
    "per-tensor": {"clip_grad_norm_": per_tensor},
    "scales-up": {"clip_grad_norm_": scales_up},
    "not-in-place": {"clip_grad_norm_": not_in_place},
}
