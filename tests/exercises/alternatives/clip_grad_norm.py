"""A correct clipping written differently: one concatenated vector, np.multiply with out=."""

import numpy as np


def clip_grad_norm_(params, max_norm, norm_type=2.0, error_if_nonfinite=False):
    params = [params] if hasattr(params, "grad") else list(params)
    flat = np.concatenate([p.grad.reshape(-1) for p in params])
    if norm_type == float("inf"):
        total = float(np.max(np.abs(flat)))
    else:
        total = float(np.sum(np.abs(flat) ** norm_type) ** (1.0 / norm_type))
    factor = max_norm / (total + 1e-6)
    if factor < 1.0:
        for p in params:
            np.multiply(p.grad, factor, out=p.grad)
    return total
