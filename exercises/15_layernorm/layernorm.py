"""Exercise 15, layernorm: normalize each sample over its features (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def layernorm_forward(x, gamma, beta, normalized_ndim=1, eps=1e-05):
    """Layer-norm forward pass.

    Parameters
    ----------
    x : ndarray (*, *normalized_shape), float32 or float64
    gamma, beta : ndarray of normalized_shape (the last ``normalized_ndim``
        axes of x), x's dtype
    normalized_ndim : int >= 1, how many trailing axes are normalized together
    eps : float > 0, added to the variance

    Returns
    -------
    out : ndarray of x's shape, ``gamma * (x - mean) / sqrt(var + eps) + beta``
        with mean and var taken over the trailing axes of each sample
    cache : LayerNormCache, R rows of D values
    """
    # TODO: statistics per sample over the last normalized_ndim axes; then gamma and beta.
    raise NotImplementedError


def layernorm_backward(grad_out, cache):
    """Layer-norm backward pass (closed form, per row).

    As for batch norm, but the sums run over the D features of each row and
    gamma and beta collect their gradients over the rows: with
    dxhat = gamma * dout,
        dx = 1 / (D * sqrt(var + eps)) * (D * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)).

    Parameters
    ----------
    grad_out : ndarray of the forward output's shape
    cache : LayerNormCache from ``layernorm_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape; dgamma, dbeta : ndarray of normalized_shape
    """
    # TODO: the batch-norm closed form, with the sums over each row's D features.
    raise NotImplementedError
