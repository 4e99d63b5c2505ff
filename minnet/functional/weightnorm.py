"""Weight normalization (Salimans & Kingma, 2016) as a pure forward/backward pair.

A weight ``w`` is reparametrized by a direction ``v`` and a magnitude ``g``:
``w = g * v / ||v||``, the norm taken over every axis except ``dim`` (one
norm per output unit for ``dim=0``), or over the whole tensor for
``dim=None``. Gradient descent on (g, v) decouples the length of each
weight vector from its direction, as in PyTorch's ``weight_norm``.
"""

import numpy as np


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
    cache : (g, v, norm, dim)
    """
    norm = norm_except_dim(v, dim)
    return v * (g / norm), (g, v, norm, dim)


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
    cache : from ``weight_norm_forward``

    Returns
    -------
    dg : ndarray of g's shape; dv : ndarray of v's shape
    """
    g, v, norm, dim = cache
    if dim is None:
        projection = np.sum(grad_w * v)
    else:
        axes = tuple(axis for axis in range(v.ndim) if axis != dim)
        projection = np.sum(grad_w * v, axis=axes, keepdims=True)  # dw . v, per slice
    dg = projection / norm
    dv = (g / norm) * (grad_w - (projection / (norm * norm)) * v)
    return np.asarray(dg, dtype=v.dtype).reshape(np.shape(g)), dv
