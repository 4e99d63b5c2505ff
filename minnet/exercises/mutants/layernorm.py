"""Wrong layer norms: statistics over the batch, batch norm's backward reused, gamma broadcast
along the wrong axis."""

import math

import numpy as np


def _rows(x, normalized_ndim):
    features = math.prod(x.shape[x.ndim - normalized_ndim:])
    return x.reshape(-1, features)


def _forward(x, gamma, beta, normalized_ndim=1, eps=1e-5, axis=1, gamma_column=False):
    rows = _rows(x, normalized_ndim)
    mean = rows.mean(axis=axis, keepdims=True)
    var = rows.var(axis=axis, keepdims=True)
    inv_std = 1 / np.sqrt(var + eps)
    xhat = (rows - mean) * inv_std
    g = gamma.reshape(-1, 1) if gamma_column else gamma.reshape(-1)
    out = xhat * g + beta.reshape(-1)
    return out.reshape(x.shape), (xhat, inv_std, g, gamma.shape, x.shape)


def _backward(grad_out, cache, sum_axis=1):
    xhat, inv_std, g, normalized_shape, shape = cache
    dout = grad_out.reshape(xhat.shape)
    dbeta = dout.sum(axis=0).reshape(normalized_shape)
    dgamma = (dout * xhat).sum(axis=0).reshape(normalized_shape)
    dxhat = dout * g
    count = xhat.shape[sum_axis]
    dx = inv_std / count * (count * dxhat - dxhat.sum(axis=sum_axis, keepdims=True)
                            - xhat * (dxhat * xhat).sum(axis=sum_axis, keepdims=True))
    return dx.reshape(shape), dgamma, dbeta


def layernorm_forward(x, gamma, beta, normalized_ndim=1, eps=1e-5):
    return _forward(x, gamma, beta, normalized_ndim, eps)


def layernorm_backward(grad_out, cache):
    return _backward(grad_out, cache)


def batch_axis(x, gamma, beta, normalized_ndim=1, eps=1e-5):
    return _forward(x, gamma, beta, normalized_ndim, eps, axis=0)


def batch_axis_backward(grad_out, cache):
    return _backward(grad_out, cache, sum_axis=0)


def bn_backward_reused(grad_out, cache):
    return _backward(grad_out, cache, sum_axis=0)


def gamma_wrong_axis(x, gamma, beta, normalized_ndim=1, eps=1e-5):
    return _forward(x, gamma, beta, normalized_ndim, eps, gamma_column=True)


MUTANTS = {
    "batch-axis": {"layernorm_forward": batch_axis, "layernorm_backward": batch_axis_backward},
    "bn-backward-reused": {"layernorm_forward": layernorm_forward,
                           "layernorm_backward": bn_backward_reused},
    "gamma-wrong-axis": {"layernorm_forward": gamma_wrong_axis,
                         "layernorm_backward": layernorm_backward},
}
