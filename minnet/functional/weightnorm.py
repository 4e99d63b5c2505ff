"""Weight normalization (Salimans & Kingma, 2016) as a pure forward/backward pair.

A weight ``w`` is reparametrized by a direction ``v`` and a magnitude ``g``:
``w = g * v / ||v||``, the norm taken over every axis except ``dim`` (one
norm per output unit for ``dim=0``), or over the whole tensor for
``dim=None``. Gradient descent on (g, v) decouples the length of each
weight vector from its direction, as in PyTorch's ``weight_norm``.
"""

import numbers
from typing import NamedTuple

import numpy as np

from minnet.errors import ConfigError, ShapeError
from minnet.validation import as_float_array, check_shape

# A zero direction gives g * 0 / 0 = NaN, as in PyTorch: computed silently, never warned about.
_QUIET = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


class WeightNormCache(NamedTuple):
    """What ``weight_norm_backward`` needs.

    g : the magnitudes, ``norm_except_dim(v, dim)``'s shape
    v : the direction, the weight's shape
    norm : ``norm_except_dim(v, dim)``, ||v|| per slice (g's shape)
    dim : int or None, the axis that keeps one norm per index
    """

    g: np.ndarray
    v: np.ndarray
    norm: np.ndarray
    dim: object


def _check_dim(owner, dim, ndim):
    if dim is None:
        return None
    if isinstance(dim, bool) or not isinstance(dim, numbers.Integral) or not 0 <= dim < ndim:
        raise ConfigError(f"{owner}: the 'dim' parameter must be None (the whole tensor) or an "
                          f"int in [0, {ndim}) for v of {ndim} dimension(s), got {dim!r}")
    return int(dim)


def _check_forward(g, v, dim):
    owner = "weight_norm_forward"
    v = as_float_array(owner, v, what="v")
    if v.ndim < 1:
        raise ShapeError(f"{owner}: expected v (the weight's direction) with at least 1 "
                         f"dimension, got shape {v.shape}")
    dim = _check_dim(owner, dim, v.ndim)
    g = as_float_array(owner, g, dtype=v.dtype, what="g")
    expected = () if dim is None else tuple(
        size if axis == dim else 1 for axis, size in enumerate(v.shape))
    check_shape(owner, g, expected, "g", hint=f"one magnitude per index of axis {dim} of v"
                if dim is not None else "one magnitude for the whole tensor")
    return g, v, dim


def norm_except_dim(v, dim=0):
    """L2 norm of ``v`` over every axis except ``dim``, keeping the axes.

    Parameters
    ----------
    v : ndarray of any shape (ndim >= 1)
    dim : int in [0, v.ndim) or None (the norm of the whole tensor)

    Returns
    -------
    ndarray: shape (1, ..., v.shape[dim], ..., 1), or () for ``dim=None``
    (PyTorch's shapes for ``weight_g``)
    """
    if dim is None:
        return np.sqrt(np.sum(v * v))
    axes = tuple(axis for axis in range(v.ndim) if axis != dim)
    return np.sqrt(np.sum(v * v, axis=axes, keepdims=True))


def weight_norm_forward(g, v, dim=0):
    """Weight-norm forward pass: the weight from its magnitude and direction.

    Parameters
    ----------
    g : ndarray of ``norm_except_dim(v, dim)``'s shape (one magnitude per slice)
    v : ndarray of the weight's shape, e.g. (out, in) or (out, in, kh, kw)
    dim : int or None, the axis that keeps one norm per index

    Returns
    -------
    w : ndarray of v's shape, ``g * v / ||v||``
    cache : WeightNormCache
    """
    g, v, dim = _check_forward(g, v, dim)
    with np.errstate(**_QUIET):
        norm = norm_except_dim(v, dim)
        return v * (g / norm), WeightNormCache(g, v, norm, dim)


def weight_norm_backward(grad_w, cache):
    """Weight-norm backward pass: dL/dw -> dL/dg and dL/dv.

    w = g * v / ||v|| for each slice. d||v||/dv = v / ||v||, so
        dg = sum(dw * v) / ||v||                                (summed over the slice)
        dv = g / ||v|| * dw - g * sum(dw * v) / ||v||**3 * v
           = g / ||v|| * (dw - (dw . v) / ||v||**2 * v):
    dv is dw scaled and stripped of its component along v (a change of v along
    itself does not change w).

    Parameters
    ----------
    grad_w : ndarray of the weight's shape
    cache : WeightNormCache from ``weight_norm_forward``

    Returns
    -------
    dg : ndarray of g's shape; dv : ndarray of v's shape
    """
    owner = "weight_norm_backward"
    if not (isinstance(cache, tuple) and len(cache) == 4):
        raise ConfigError(f"{owner}: expected the cache returned by weight_norm_forward, got "
                          f"{type(cache).__name__}")
    g, v, norm = cache.g, cache.v, cache.norm
    grad_w = as_float_array(owner, grad_w, dtype=v.dtype, what="grad_w")
    check_shape(owner, grad_w, v.shape, "grad_w", hint="the gradient has the weight's shape")
    with np.errstate(**_QUIET):
        if cache.dim is None:
            projection = np.sum(grad_w * v)
        else:
            axes = tuple(axis for axis in range(v.ndim) if axis != cache.dim)
            projection = np.sum(grad_w * v, axis=axes, keepdims=True)  # dw . v, per slice
        dg = projection / norm
        dv = (g / norm) * (grad_w - (projection / (norm * norm)) * v)
    return np.asarray(dg, dtype=v.dtype).reshape(np.shape(g)), dv
