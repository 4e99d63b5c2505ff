"""Layer normalization (Ba, Kiros & Hinton, 2016) as a pure forward/backward pair.

Each sample is normalized over its trailing ``normalized_ndim`` axes (the
features), not over the batch: the same computation in training and in
evaluation, and no running statistics. The variance is the biased one, as
in PyTorch. ``D`` below is the number of normalized values per sample.
"""

import math

import numpy as np


def layernorm_forward(x, gamma, beta, normalized_ndim=1, eps=1e-5):
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
    cache : (xhat (R, D), inv_std (R, 1), gamma (D,), normalized_shape), R rows
    """
    normalized_shape = x.shape[x.ndim - normalized_ndim:]
    features = math.prod(normalized_shape)
    rows = x.reshape(-1, features)
    mean = rows.mean(axis=1, keepdims=True)
    xhat = rows - mean
    var = np.mean(xhat * xhat, axis=1, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + x.dtype.type(eps))
    xhat *= inv_std
    gamma = np.asarray(gamma, dtype=x.dtype).reshape(-1)
    out = xhat * gamma
    out += np.asarray(beta, dtype=x.dtype).reshape(-1)
    return out.reshape(x.shape), (xhat, inv_std, gamma, normalized_shape)


def layernorm_backward(grad_out, cache):
    """Layer-norm backward pass (closed form, per row).

    As for batch norm, but the sums run over the D features of each row and
    gamma and beta collect their gradients over the rows: with
    dxhat = gamma * dout,
        dx = 1 / (D * sqrt(var + eps)) * (D * dxhat - sum(dxhat) - xhat * sum(dxhat * xhat)).

    Parameters
    ----------
    grad_out : ndarray of the forward output's shape
    cache : from ``layernorm_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape; dgamma, dbeta : ndarray of normalized_shape
    """
    xhat, inv_std, gamma, normalized_shape = cache
    dout = np.asarray(grad_out, dtype=xhat.dtype).reshape(xhat.shape)
    dgamma = np.sum(dout * xhat, axis=0).reshape(normalized_shape)
    dbeta = dout.sum(axis=0).reshape(normalized_shape)
    dxhat = dout * gamma
    mean_dxhat = dxhat.mean(axis=1, keepdims=True)
    mean_dxhat_xhat = np.mean(dxhat * xhat, axis=1, keepdims=True)
    dx = dxhat - mean_dxhat
    dx -= xhat * mean_dxhat_xhat
    dx *= inv_std
    return dx.reshape(np.shape(grad_out)), dgamma, dbeta

