"""A correct layer norm written differently: the graph backward over the feature axes."""

import numpy as np


def layernorm_forward(x, gamma, beta, normalized_ndim=1, eps=1e-5):
    axes = tuple(range(x.ndim - normalized_ndim, x.ndim))
    xmu = x - x.mean(axis=axes, keepdims=True)
    sqrtvar = np.sqrt((xmu * xmu).mean(axis=axes, keepdims=True) + eps)
    xhat = xmu / sqrtvar
    return gamma * xhat + beta, (xmu, sqrtvar, xhat, gamma, axes)


def layernorm_backward(grad_out, cache):
    xmu, sqrtvar, xhat, gamma, axes = cache
    batch_axes = tuple(range(xmu.ndim - len(axes)))
    count = np.prod([xmu.shape[a] for a in axes])
    dgamma, dbeta = (grad_out * xhat).sum(axis=batch_axes), grad_out.sum(axis=batch_axes)
    dxhat = grad_out * gamma
    dvar = (dxhat * xmu).sum(axis=axes, keepdims=True) * -0.5 / sqrtvar**3
    dxmu = dxhat / sqrtvar + 2 * xmu * dvar / count
    return dxmu - dxmu.sum(axis=axes, keepdims=True) / count, dgamma, dbeta
