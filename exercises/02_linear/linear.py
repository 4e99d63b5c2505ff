"""Exercise 2, linear: write the affine layer's forward and backward pass (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def linear_forward(x, w, b=None):
    """Affine forward pass on the last axis.

    Parameters
    ----------
    x : ndarray of shape (N, D_in) or (N, *, D_in)
    w : ndarray of shape (D_out, D_in)
    b : ndarray of shape (D_out,) or None

    Returns
    -------
    out : ndarray of shape (N, D_out) or (N, *, D_out)
    cache : (x, w, has_bias)
    """
    # TODO: compute out = x @ w.T + b and choose a cache for the backward.
    raise NotImplementedError


def linear_backward(grad_out, cache, input_grad=True):
    """Affine backward pass.

    With the leading axes flattened into M rows, out[m, j] = sum_i x[m, i] w[j, i] + b[j], so
    dx = grad_out @ w, dw = grad_out.T @ x, db = sum over the rows of grad_out
    (a weight used at every position collects every position's gradient).

    Parameters
    ----------
    grad_out : ndarray of shape (N, D_out) or (N, *, D_out), the forward output's
    cache : from ``linear_forward``
    input_grad : bool
        False skips dx (returned as None): one matrix product as large as dw's.

    Returns
    -------
    dx : x's shape, or None; dw : (D_out, D_in); db : (D_out,) or None without bias
    """
    # TODO: return (dx, dw, db) from grad_out and your cache.
    raise NotImplementedError
