"""A correct weight norm written differently: the unit direction cached, dv as a projection."""

import numpy as np


def weight_norm_forward(g, v, dim=0):
    axes = None if dim is None else tuple(a for a in range(v.ndim) if a != dim)
    keep = axes is not None
    unit = v / np.sqrt(np.sum(v ** 2, axis=axes, keepdims=keep))
    return g * unit, (g, unit, np.linalg.norm(v.reshape(-1)) if not keep else
                      np.sqrt(np.sum(v ** 2, axis=axes, keepdims=True)), axes)


def weight_norm_backward(grad_w, cache):
    g, unit, norm, axes = cache
    keep = axes is not None
    along = np.sum(grad_w * unit, axis=axes, keepdims=keep)  # dw . u, per slice
    return along, g / norm * (grad_w - along * unit)
