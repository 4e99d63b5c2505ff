"""Wrong graph backward passes of batch norm: no mean term, no variance path, dgamma without
x-hat, M = N on (N, C, L)."""

from functools import partial

import numpy as np


def _graph(grad_out, cache, mean_term=True, variance_path=True, dgamma_xhat=True,
           count_n=False):
    x = cache.x  # (N, C, S)
    dout = grad_out.reshape(x.shape)
    count = x.shape[0] if count_n else x.shape[0] * x.shape[2]
    mu, var = cache.mean[:, None], cache.var[:, None]
    xmu = x - mu
    sqrtvar = np.sqrt(var + cache.eps)
    xhat = xmu / sqrtvar
    dbeta = dout.sum(axis=(0, 2))
    dgamma = (dout * xhat).sum(axis=(0, 2)) if dgamma_xhat else dbeta.copy()
    dxhat = dout * cache.gamma[:, None]
    dxmu = dxhat / sqrtvar
    if cache.batch_stats:
        if variance_path:
            divar = (dxhat * xmu).sum(axis=(0, 2), keepdims=True)
            dvar = 0.5 * (-divar / sqrtvar**2) / sqrtvar
            dxmu = dxmu + 2.0 * xmu * dvar / count
        if mean_term:
            dxmu = dxmu - dxmu.sum(axis=(0, 2), keepdims=True) / count
    return dxmu.reshape(cache.shape), dgamma, dbeta


no_mean_term = partial(_graph, mean_term=False)
no_variance_path = partial(_graph, variance_path=False)
dgamma_without_xhat = partial(_graph, dgamma_xhat=False)
m_equals_n = partial(_graph, count_n=True)


MUTANTS = {
    "no-mean-term": {"batchnorm_backward": no_mean_term},
    "no-variance-path": {"batchnorm_backward": no_variance_path},
    "dgamma-without-xhat": {"batchnorm_backward": dgamma_without_xhat},
    "m-equals-n": {"batchnorm_backward": m_equals_n},
}
