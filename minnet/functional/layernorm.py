"""Layer normalization (Ba, Kiros & Hinton, 2016) as a pure forward/backward pair.

Each sample is normalized over its trailing ``normalized_ndim`` axes (the
features), not over the batch: the same computation in training and in
evaluation, and no running statistics. The variance is the biased one, as
in PyTorch. ``D`` below is the number of normalized values per sample.
"""

import math
from typing import NamedTuple

import numpy as np

from minnet.errors import ConfigError, ShapeError
from minnet.validation import as_float_array, check_float, check_int, check_shape

# A row holding inf gives inf - inf = NaN, as in PyTorch: computed silently, never warned about.
_QUIET = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


class LayerNormCache(NamedTuple):
    """What ``layernorm_backward`` needs: R rows (the samples) of D normalized values.

    xhat : (R, D), each row normalized to mean 0 and variance 1
    inv_std : (R, 1), 1 / sqrt(var + eps) of each row
    gamma : (D,), the scale, flattened
    normalized_shape : tuple, the trailing axes (the shape of dgamma and dbeta)
    input_shape : tuple, x's shape (the shape grad_out must have)
    """

    xhat: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    normalized_shape: tuple
    input_shape: tuple


def _check_forward(x, gamma, beta, normalized_ndim, eps):
    owner = "layernorm_forward"
    x = as_float_array(owner, x, what="x")
    normalized_ndim = check_int(owner, "normalized_ndim", normalized_ndim, minimum=1)
    if x.ndim < normalized_ndim:
        raise ShapeError(f"{owner}: expected x with at least {normalized_ndim} dimension(s) "
                         f"(normalized_ndim={normalized_ndim}), got shape {x.shape}")
    eps = check_float(owner, "eps", eps, low=0.0, low_open=True)
    normalized_shape = x.shape[x.ndim - normalized_ndim:]
    hint = f"the last {normalized_ndim} axis/axes of x"
    gamma = as_float_array(owner, gamma, dtype=x.dtype, what="gamma")
    check_shape(owner, gamma, normalized_shape, "gamma", hint=hint)
    beta = as_float_array(owner, beta, dtype=x.dtype, what="beta")
    check_shape(owner, beta, normalized_shape, "beta", hint=hint)
    return x, gamma, beta, normalized_ndim, eps


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
    cache : LayerNormCache, R rows of D values
    """
    x, gamma, beta, normalized_ndim, eps = _check_forward(x, gamma, beta, normalized_ndim, eps)
    normalized_shape = x.shape[x.ndim - normalized_ndim:]
    features = math.prod(normalized_shape)
    rows = x.reshape(math.prod(x.shape[:x.ndim - normalized_ndim]), features)
    with np.errstate(**_QUIET):
        mean = rows.mean(axis=1, keepdims=True)
        xhat = rows - mean
        var = np.mean(xhat * xhat, axis=1, keepdims=True)
        inv_std = 1.0 / np.sqrt(var + x.dtype.type(eps))
        xhat *= inv_std
        gamma = gamma.reshape(-1)
        out = xhat * gamma
        out += beta.reshape(-1)
    return out.reshape(x.shape), LayerNormCache(xhat, inv_std, gamma, normalized_shape,
                                                x.shape)


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
    owner = "layernorm_backward"
    if not (isinstance(cache, tuple) and len(cache) == 5):
        raise ConfigError(f"{owner}: expected the cache returned by layernorm_forward, got "
                          f"{type(cache).__name__}")
    xhat = cache.xhat
    dout = as_float_array(owner, grad_out, dtype=xhat.dtype, what="grad_out")
    check_shape(owner, dout, cache.input_shape, "grad_out",
                hint="the gradient has the shape of the forward output")
    dout = dout.reshape(xhat.shape)
    with np.errstate(**_QUIET):
        dgamma = np.sum(dout * xhat, axis=0).reshape(cache.normalized_shape)
        dbeta = dout.sum(axis=0).reshape(cache.normalized_shape)
        dxhat = dout * cache.gamma
        mean_dxhat = dxhat.mean(axis=1, keepdims=True)
        mean_dxhat_xhat = np.mean(dxhat * xhat, axis=1, keepdims=True)
        dx = dxhat - mean_dxhat
        dx -= xhat * mean_dxhat_xhat
        dx *= cache.inv_std
    return dx.reshape(cache.input_shape), dgamma, dbeta

