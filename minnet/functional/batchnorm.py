"""Batch normalization (Ioffe & Szegedy, 2015) as pure functions.

Statistics are per channel, over every axis but axis 1: over N for (N, C),
over N and L for (N, C, L), over N, H and W for (N, C, H, W). ``M`` below is
the number of values per channel (N, N*L or N*H*W).

Two backward passes are kept, as in CS231n: ``batchnorm_backward`` walks the
computational graph node by node (the derivation a student writes first) and
``batchnorm_backward_alt`` uses the simplified closed form, with the fused
kernels of ``minnet.kernels.batchnorm``. They agree to round-off; layers use
the second, which is several times faster.

Notes
-----
PyTorch's conventions: the variance that normalizes is the biased one
(divides by M); the running variance is updated with the unbiased one
(divides by M - 1); ``momentum`` weighs the NEW batch statistic,
``running = (1 - momentum) * running + momentum * batch`` (CS231n's 0.9 is the
weight of the old one).
"""

from collections import namedtuple

import numpy as np

from minnet.kernels.batchnorm import (
    batchnorm_input_grad,
    batchnorm_normalize,
    channel_grad_sums,
    channel_mean_var,
)

BatchNormCache = namedtuple("BatchNormCache",
                            ["x", "mean", "var", "inv_std", "gamma", "eps", "batch_stats"])
BatchNormCache.__doc__ = """What the batch-norm backward needs.

x : (N, C, S) view of the input; mean, var, inv_std : (C,) the statistics used
(the batch's when ``batch_stats``, else the given ones); gamma : (C,); eps : float.
"""


def _channels_view(x):
    """(N, C, *) -> a C-contiguous (N, C, S) view (or copy), the kernels' layout."""
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], -1)


def batchnorm_forward(x, gamma, beta, eps=1e-5, mean=None, var=None):
    """Batch-norm forward pass.

    Parameters
    ----------
    x : ndarray (N, C), (N, C, L) or (N, C, H, W), float32 or float64
    gamma, beta : ndarray (C,), x's dtype (scale and shift)
    eps : float > 0, added to the variance
    mean, var : ndarray (C,) or None
        None (training): normalize with the batch's own statistics, which
        needs M >= 2 values per channel for a meaningful variance.
        Given (evaluation): normalize with these (the running statistics).

    Returns
    -------
    out : ndarray of x's shape and dtype, ``gamma * (x - mean) / sqrt(var + eps) + beta``
    cache : BatchNormCache; ``cache.mean`` and ``cache.var`` are the statistics
        used (the biased batch variance in training)
    """
    x3 = _channels_view(x)
    batch_stats = mean is None
    if batch_stats:
        mean, var = channel_mean_var(x3)
    else:
        mean = np.asarray(mean, dtype=x.dtype)
        var = np.asarray(var, dtype=x.dtype)
    inv_std = 1.0 / np.sqrt(var + x.dtype.type(eps))
    gamma = np.asarray(gamma, dtype=x.dtype)
    out = batchnorm_normalize(x3, mean, gamma * inv_std, np.asarray(beta, dtype=x.dtype))
    return out.reshape(x.shape), BatchNormCache(x3, mean, var, inv_std, gamma, eps, batch_stats)


def batchnorm_backward(grad_out, cache):
    """Batch-norm backward, node by node through the computational graph (CS231n).

    The forward graph, per channel, with M values:
      (1) mu = mean(x)       (2) xmu = x - mu         (3) sq = xmu**2
      (4) var = mean(sq)     (5) sqrtvar = sqrt(var + eps)
      (6) ivar = 1 / sqrtvar (7) xhat = xmu * ivar    (8) out = gamma * xhat + beta
    Each step below is the local derivative of one node times the upstream
    gradient, nodes visited in reverse; where a node feeds two others (xmu,
    x), the gradients of the two paths add up. With fixed statistics
    (evaluation) only nodes (7) and (8) depend on x.

    Parameters
    ----------
    grad_out : ndarray of the forward output's shape
    cache : BatchNormCache from ``batchnorm_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape; dgamma, dbeta : ndarray (C,)
    """
    x = cache.x
    dout = np.asarray(grad_out, dtype=x.dtype).reshape(x.shape)
    axes, count = (0, 2), x.shape[0] * x.shape[2]
    mu, var = cache.mean[:, None], cache.var[:, None]
    # recompute the forward nodes the derivatives need
    xmu = x - mu
    sqrtvar = np.sqrt(var + x.dtype.type(cache.eps))
    ivar = 1.0 / sqrtvar
    xhat = xmu * ivar
    gamma = cache.gamma[:, None]
    # (8) out = gamma * xhat + beta
    dbeta = dout.sum(axis=axes)
    dgamma = (dout * xhat).sum(axis=axes)
    dxhat = dout * gamma
    # (7) xhat = xmu * ivar: xmu gets dxhat * ivar; ivar sums dxhat * xmu over the channel
    dxmu_direct = dxhat * ivar
    if not cache.batch_stats:
        return dxmu_direct.reshape(np.shape(grad_out)), dgamma, dbeta
    divar = (dxhat * xmu).sum(axis=axes, keepdims=True)
    # (6) ivar = 1 / sqrtvar
    dsqrtvar = -divar / sqrtvar**2
    # (5) sqrtvar = sqrt(var + eps)
    dvar = 0.5 * dsqrtvar / sqrtvar
    # (4) var = mean(sq): each of the M entries gets 1/M of it
    dsq = np.broadcast_to(dvar / count, x.shape)
    # (3) sq = xmu**2
    dxmu_through_var = 2.0 * xmu * dsq
    dxmu = dxmu_direct + dxmu_through_var
    # (2) xmu = x - mu: x gets dxmu directly; mu gets minus its sum
    dmu = -dxmu.sum(axis=axes, keepdims=True)
    # (1) mu = mean(x): each entry gets 1/M of dmu
    dx = dxmu + dmu / count
    return dx.reshape(np.shape(grad_out)), dgamma, dbeta


def batchnorm_backward_alt(grad_out, cache):
    """Batch-norm backward in closed form (the fast one; layers use it).

    Collapsing the graph of ``batchnorm_backward`` with dxhat = gamma * dout,
    sum(dxhat) = gamma * dbeta and sum(dxhat * xhat) = gamma * dgamma gives
        dx = gamma / (M * sqrt(var + eps)) * (M * dout - dbeta - xhat * dgamma),
    two per-channel reductions and one elementwise pass, affine in dout and
    in (x - mean) with per-channel coefficients. With fixed statistics the
    last two terms vanish: dx = gamma / sqrt(var + eps) * dout.

    Parameters
    ----------
    grad_out : ndarray of the forward output's shape
    cache : BatchNormCache from ``batchnorm_forward``

    Returns
    -------
    dx : ndarray of grad_out's shape; dgamma, dbeta : ndarray (C,)
    """
    x, inv_std = cache.x, cache.inv_std
    dout = np.ascontiguousarray(grad_out, dtype=x.dtype).reshape(x.shape)
    count = x.shape[0] * x.shape[2]
    dbeta, sum_dout_centered = channel_grad_sums(dout, x, cache.mean)
    dgamma = sum_dout_centered * inv_std
    grad_scale = cache.gamma * inv_std
    if cache.batch_stats:
        centered_scale = -grad_scale * inv_std * dgamma / count
        shift = -grad_scale * dbeta / count
    else:
        centered_scale = np.zeros_like(inv_std)
        shift = np.zeros_like(inv_std)
    dx = batchnorm_input_grad(dout, x, cache.mean, grad_scale, centered_scale, shift)
    return dx.reshape(np.shape(grad_out)), dgamma, dbeta


def batchnorm_running_stats(running_mean, running_var, batch_mean, batch_var, count,
                            momentum=0.1):
    """The running statistics after one training batch (PyTorch's update).

    Parameters
    ----------
    running_mean, running_var : ndarray (C,)
    batch_mean, batch_var : ndarray (C,), the batch's mean and BIASED variance
    count : int >= 2, the number of values per channel M
    momentum : float in [0, 1], the weight of the new batch

    Returns
    -------
    new_mean, new_var : new ndarrays (C,) in the running statistics' dtype;
        the variance is updated with the unbiased batch variance
        ``batch_var * M / (M - 1)``.
    """
    dtype = np.result_type(running_mean)
    unbiased = batch_var * (count / (count - 1))
    new_mean = (1.0 - momentum) * running_mean + momentum * batch_mean
    new_var = (1.0 - momentum) * running_var + momentum * unbiased
    return new_mean.astype(dtype, copy=False), new_var.astype(dtype, copy=False)
