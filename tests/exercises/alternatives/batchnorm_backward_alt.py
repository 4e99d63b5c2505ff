"""A correct closed-form backward written as the graph walk (CS231n's node-by-node version)."""

import numpy as np


def batchnorm_backward_alt(grad_out, cache):
    x = cache.x
    d = grad_out.reshape(x.shape)
    count = x.shape[0] * x.shape[2]
    xmu = x - cache.mean[:, None]
    sqrtvar = np.sqrt(cache.var[:, None] + cache.eps)
    xhat = xmu / sqrtvar
    dbeta, dgamma = d.sum(axis=(0, 2)), (d * xhat).sum(axis=(0, 2))
    dxhat = d * cache.gamma[:, None]
    dxmu = dxhat / sqrtvar
    if cache.batch_stats:
        divar = (dxhat * xmu).sum(axis=(0, 2), keepdims=True)
        dvar = -0.5 * divar / sqrtvar**3
        dxmu = dxmu + 2 * xmu * dvar / count
        dxmu = dxmu - dxmu.sum(axis=(0, 2), keepdims=True) / count
    return dxmu.reshape(cache.shape), dgamma, dbeta
