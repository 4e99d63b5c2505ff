"""Wrong closed-form batch-norm backward passes: no -dbeta term, no -xhat * dgamma term, M = N."""

from functools import partial


def _closed_form(grad_out, cache, dbeta_term=True, dgamma_term=True, count_n=False):
    x = cache.x  # (N, C, S)
    dout = grad_out.reshape(x.shape)
    count = x.shape[0] if count_n else x.shape[0] * x.shape[2]
    inv_std = cache.inv_std[:, None]
    xhat = (x - cache.mean[:, None]) * inv_std
    dbeta = dout.sum(axis=(0, 2))
    dgamma = (dout * xhat).sum(axis=(0, 2))
    scale = cache.gamma[:, None] * inv_std
    if not cache.batch_stats:
        return (scale * dout).reshape(cache.shape), dgamma, dbeta
    inner = count * dout
    if dbeta_term:
        inner = inner - dbeta[:, None]
    if dgamma_term:
        inner = inner - xhat * dgamma[:, None]
    return (scale / count * inner).reshape(cache.shape), dgamma, dbeta


no_dbeta_term = partial(_closed_form, dbeta_term=False)
no_xhat_dgamma_term = partial(_closed_form, dgamma_term=False)
m_equals_n = partial(_closed_form, count_n=True)


MUTANTS = {
    "no-dbeta-term": {"batchnorm_backward_alt": no_dbeta_term},
    "no-xhat-dgamma-term": {"batchnorm_backward_alt": no_xhat_dgamma_term},
    "m-equals-n": {"batchnorm_backward_alt": m_equals_n},
}
