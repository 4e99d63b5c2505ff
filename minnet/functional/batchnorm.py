"""Batch normalization (Ioffe & Szegedy, 2015) as pure functions.

Statistics are per channel, over every axis but axis 1: over N for (N, C),
over N and L for (N, C, L), over N, H and W for (N, C, H, W). ``M`` below is
the number of values per channel (N, N*L or N*H*W).

Two backward passes are kept, as in CS231n: ``batchnorm_backward`` walks the
computational graph node by node (the derivation a student writes first) and
``batchnorm_backward_alt`` uses the simplified closed form, with the fused
kernels of ``minnet.kernels.batchnorm``. They agree to round-off; layers use
the second, the faster (measured: benchmarks/README.md).

Every function checks its arguments in Python (shapes, dtypes, eps, a
non-negative variance) before any kernel runs, so a wrong argument is the
same clear error on both backends, never a read past the end of an array.
Non-finite inputs propagate as in PyTorch (an inf in a channel makes its
statistics NaN), without NumPy warnings.

Notes
-----
PyTorch's conventions: the variance that normalizes is the biased one
(divides by M); the running variance is updated with the unbiased one
(divides by M - 1); ``momentum`` weighs the NEW batch statistic,
``running = (1 - momentum) * running + momentum * batch`` (CS231n's 0.9 is the
weight of the old one).
"""

import math
from typing import NamedTuple

import numpy as np

from minnet.errors import ConfigError, DataError, ShapeError
from minnet.kernels.batchnorm import (
    batchnorm_input_grad,
    batchnorm_normalize,
    channel_grad_sums,
    channel_mean_var,
)
from minnet.validation import as_float_array, check_float, check_int, check_shape


class BatchNormCache(NamedTuple):
    """What the batch-norm backward needs.

    x : (N, C, S) view of the input
    mean, var, inv_std : (C,), the statistics used (the batch's when ``batch_stats``,
        else the given ones)
    gamma : (C,)
    eps : float
    batch_stats : bool, whether the batch's own statistics normalized it (then the
        gradient also flows through them)
    shape : the input's own shape, which grad_out must have
    """

    x: np.ndarray
    mean: np.ndarray
    var: np.ndarray
    inv_std: np.ndarray
    gamma: np.ndarray
    eps: float
    batch_stats: bool
    shape: tuple


# inf - inf and 0 * inf are NaN, as in PyTorch: computed silently, never warned about.
_QUIET = {"invalid": "ignore", "over": "ignore", "divide": "ignore"}


def _channels_view(x):
    """(N, C, *) -> a C-contiguous (N, C, S) view (or copy), the kernels' layout."""
    return np.ascontiguousarray(x).reshape(x.shape[0], x.shape[1], math.prod(x.shape[2:]))


def _channel_vector(owner, value, what, channels, dtype):
    """``value`` as a float (C,) array of ``dtype``; a clear error for any other shape."""
    array = as_float_array(owner, value, dtype=dtype, what=what)
    check_shape(owner, array, (channels,), what, hint="one value per channel")
    return array


def _check_forward(x, gamma, beta, eps, mean, var):
    owner = "batchnorm_forward"
    x = as_float_array(owner, x, what="x")
    if x.ndim < 2:
        raise ShapeError(f"{owner}: expected x of shape (N, C, *): (N, C), (N, C, L) or "
                         f"(N, C, H, W), got {x.shape}")
    channels = x.shape[1]
    eps = check_float(owner, "eps", eps, low=0.0, low_open=True)
    gamma = _channel_vector(owner, gamma, "gamma", channels, x.dtype)
    beta = _channel_vector(owner, beta, "beta", channels, x.dtype)
    if (mean is None) != (var is None):
        raise ConfigError(f"{owner}: give mean and var both (normalize with them, as in "
                          f"evaluation) or neither (use the batch's statistics), got only "
                          f"{'mean' if var is None else 'var'}")
    if mean is None:
        count = x.shape[0] * math.prod(x.shape[2:])
        if count < 2:
            raise ShapeError(f"{owner}: expected more than 1 value per channel to compute "
                             f"batch statistics, got x of shape {x.shape}; give mean and var "
                             f"(the running statistics) for a batch this small")
    else:
        mean = _channel_vector(owner, mean, "mean", channels, x.dtype)
        var = _channel_vector(owner, var, "var", channels, x.dtype)
        if np.any(var < 0):
            raise DataError(f"{owner}: expected var >= 0 (a variance is never negative), got "
                            f"{int(np.sum(var < 0))} negative value(s), the smallest "
                            f"{float(var.min())}")
    return x, gamma, beta, eps, mean, var


def _check_grad_out(owner, grad_out, cache):
    if not isinstance(cache, BatchNormCache):
        raise ConfigError(f"{owner}: expected the cache returned by batchnorm_forward, got "
                          f"{type(cache).__name__}")
    grad_out = as_float_array(owner, grad_out, dtype=cache.x.dtype, what="grad_out")
    check_shape(owner, grad_out, cache.shape, "grad_out",
                hint="the gradient has the shape of the forward output")
    return np.ascontiguousarray(grad_out).reshape(cache.x.shape)


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
    x, gamma, beta, eps, mean, var = _check_forward(x, gamma, beta, eps, mean, var)
    x3 = _channels_view(x)
    batch_stats = mean is None
    with np.errstate(**_QUIET):
        if batch_stats:
            mean, var = channel_mean_var(x3)
        inv_std = 1.0 / np.sqrt(var + x.dtype.type(eps))
        out = batchnorm_normalize(x3, mean, gamma * inv_std, beta)
    cache = BatchNormCache(x3, mean, var, inv_std, gamma, eps, batch_stats, x.shape)
    return out.reshape(x.shape), cache


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
    dout = _check_grad_out("batchnorm_backward", grad_out, cache)
    with np.errstate(**_QUIET):
        return _graph_backward(dout, cache)


def _graph_backward(dout, cache):
    """The node-by-node steps of ``batchnorm_backward`` on a checked (N, C, S) dout."""
    x = cache.x
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
        return dxmu_direct.reshape(cache.shape), dgamma, dbeta
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
    return dx.reshape(cache.shape), dgamma, dbeta


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
    dout = _check_grad_out("batchnorm_backward_alt", grad_out, cache)
    x, inv_std = cache.x, cache.inv_std
    count = x.shape[0] * x.shape[2]
    with np.errstate(**_QUIET):
        dbeta, sum_dout_centered = channel_grad_sums(dout, x, cache.mean)
        dgamma = sum_dout_centered * inv_std
        grad_scale = cache.gamma * inv_std
        if cache.batch_stats:
            centered_scale = -grad_scale * inv_std * dgamma / count
            shift = -grad_scale * dbeta / count
            dx = batchnorm_input_grad(dout, x, cache.mean, grad_scale, centered_scale, shift)
        else:  # dout * grad_scale alone: an inf input must not turn 0 * inf into NaN
            zeros = np.zeros_like(inv_std)
            dx = batchnorm_normalize(dout, zeros, grad_scale, zeros)
    return dx.reshape(cache.shape), dgamma, dbeta


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
    owner = "batchnorm_running_stats"
    running_mean = as_float_array(owner, running_mean, what="running_mean")
    if running_mean.ndim != 1:
        raise ShapeError(f"{owner}: expected running_mean of shape (C,), got "
                         f"{running_mean.shape}")
    channels = running_mean.shape[0]
    dtype = running_mean.dtype
    running_var, batch_mean, batch_var = (
        _channel_vector(owner, value, what, channels, None)
        for value, what in ((running_var, "running_var"), (batch_mean, "batch_mean"),
                            (batch_var, "batch_var")))
    count = check_int(owner, "count", count, minimum=2)
    momentum = check_float(owner, "momentum", momentum, low=0.0, high=1.0)
    with np.errstate(**_QUIET):
        unbiased = batch_var * (count / (count - 1))
        new_mean = (1.0 - momentum) * running_mean + momentum * batch_mean
        new_var = (1.0 - momentum) * running_var + momentum * unbiased
    return new_mean.astype(dtype, copy=False), new_var.astype(dtype, copy=False)
