"""Wrong weight norms: the norm treated as a constant, dg without 1 / ||v||, the norm taken over
the wrong axes."""

import numpy as np


def _norm(v, dim, wrong_axes=False):
    if dim is None:
        return np.sqrt(np.sum(v * v))
    axes = (dim,) if wrong_axes else tuple(a for a in range(v.ndim) if a != dim)
    return np.sqrt(np.sum(v * v, axis=axes, keepdims=True))


def _sum(x, dim):
    if dim is None:
        return np.sum(x)
    return np.sum(x, axis=tuple(a for a in range(x.ndim) if a != dim), keepdims=True)


def _forward(g, v, dim=0, wrong_axes=False):
    norm = _norm(v, dim, wrong_axes)
    return g * v / norm, (g, v, norm, dim)


def _backward(grad_w, cache, constant_norm=False, dg_unscaled=False):
    g, v, norm, dim = cache
    projection = _sum(grad_w * v, dim)
    dg = projection if dg_unscaled else projection / norm
    dv = g / norm * grad_w
    if not constant_norm:
        dv = dv - g * projection / norm**3 * v
    return dg, dv


def weight_norm_forward(g, v, dim=0):
    return _forward(g, v, dim)


def weight_norm_backward(grad_w, cache):
    return _backward(grad_w, cache)


def norm_as_constant(grad_w, cache):
    return _backward(grad_w, cache, constant_norm=True)


def dg_without_norm(grad_w, cache):
    return _backward(grad_w, cache, dg_unscaled=True)


def norm_over_wrong_dim(g, v, dim=0):
    return _forward(g, v, dim, wrong_axes=True)


def wrong_dim_backward(grad_w, cache):
    g, v, norm, dim = cache
    axes = None if dim is None else (dim,)
    projection = np.sum(grad_w * v, axis=axes, keepdims=dim is not None)
    dv = g / norm * grad_w - g * projection / norm**3 * v
    return _sum(g * grad_w * v / norm, dim) / g, dv


MUTANTS = {
    "norm-as-constant": {"weight_norm_forward": weight_norm_forward,
                         "weight_norm_backward": norm_as_constant},
    "wrong-dg": {"weight_norm_forward": weight_norm_forward,
                 "weight_norm_backward": dg_without_norm},
    "norm-over-wrong-dim": {"weight_norm_forward": norm_over_wrong_dim,
                            "weight_norm_backward": wrong_dim_backward},
}
