"""Exercise 21, weight-norm: a weight from its magnitude g and direction v (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


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
    # TODO: w = g * v / ||v||, the norm over every axis except dim (keepdims).
    raise NotImplementedError


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
    # TODO: return (dg, dv); remember that ||v|| depends on v too.
    raise NotImplementedError
