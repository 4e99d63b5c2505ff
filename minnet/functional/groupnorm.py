"""Group normalization (Wu & He, 2018) as a pure forward/backward pair.

The C channels of each sample are split into G groups of C / G consecutive
channels; each group is normalized over its channels and all their positions
(mean and biased variance per sample and group, as in PyTorch), then every
channel gets its own scale and shift. No batch statistics: training and
evaluation compute the same thing, and a batch of one is fine. G = 1 is
layer norm over (C, *); G = C is instance norm.
"""

import math
from typing import NamedTuple

import numpy as np

from minnet.errors import ShapeError
from minnet.validation import (
    as_float_array,
    check_float,
    check_int,
    owner_name,
    quiet_overflow,
)


class GroupNormCache(NamedTuple):
    """What ``groupnorm_backward`` needs: N samples of G groups of D values each.

    xhat : (N, G, D), each group normalized to mean 0 and variance 1
    inv_std : (N, G, 1), 1 / sqrt(var + eps) of each group
    gamma : (C,), or None when the forward had no scale
    has_beta : bool, whether the forward had a shift (so whether dbeta is computed)
    input_shape : tuple, x's shape (the shape grad_out must have)
    """

    xhat: np.ndarray
    inv_std: np.ndarray
    gamma: object
    has_beta: bool
    input_shape: tuple


def check_groupnorm_input(owner, x, num_groups):
    """Raise unless ``x`` is (N, C, *) with C divisible by ``num_groups`` and no empty group."""
    if x.ndim < 2:
        raise ShapeError(f"{owner_name(owner)}: expected input of shape (N, C, *), got "
                         f"{x.shape}")
    if x.shape[1] % num_groups:
        raise ShapeError(f"{owner_name(owner)}: expected a channel count divisible by "
                         f"num_groups={num_groups}, got input of shape {x.shape}")
    if 0 in x.shape[2:]:
        raise ShapeError(f"{owner_name(owner)}: expected every group to hold at least one "
                         f"value, got input of shape {x.shape} (an empty spatial axis)")


def _check_arguments(x, num_groups, gamma, beta, eps):
    owner = "groupnorm_forward"
    x = as_float_array(owner, x)
    num_groups = check_int(owner, "num_groups", num_groups, minimum=1)
    eps = check_float(owner, "eps", eps, low=0.0, low_open=True)
    check_groupnorm_input(owner, x, num_groups)
    params = []
    for name, param in (("gamma", gamma), ("beta", beta)):
        if param is not None:
            param = as_float_array(owner, param, x.dtype, what=name)
            if param.shape != (x.shape[1],):
                raise ShapeError(f"{owner}: expected {name} of shape ({x.shape[1]},) (one per "
                                 f"channel of x {x.shape}), got {param.shape}")
        params.append(param)
    return x, num_groups, params[0], params[1], eps


@quiet_overflow  # NaN and inf propagate as in PyTorch, without NumPy's warnings
def groupnorm_forward(x, num_groups, gamma=None, beta=None, eps=1e-5):
    """Group-norm forward pass (PyTorch's ``group_norm`` argument order).

    Parameters
    ----------
    x : ndarray (N, C, *), e.g. (N, C), (N, C, L) or (N, C, H, W); C divisible by num_groups
    num_groups : int G >= 1
    gamma, beta : ndarray (C,) or None (no scale / no shift), cast to x's dtype
    eps : float > 0, added to the variance

    Returns
    -------
    out : ndarray of x's shape, ``gamma[c] * (x - mean_g) / sqrt(var_g + eps) + beta[c]``
    cache : GroupNormCache; D = (C / G) * prod(*) values per group
    """
    x, groups, gamma, beta, eps = _check_arguments(x, num_groups, gamma, beta, eps)
    batch, channels = x.shape[:2]
    positions = math.prod(x.shape[2:])  # 1 for (N, C)
    values = (channels // groups) * positions  # D: the values of one group
    xhat = x.reshape(batch, groups, values)
    xhat = xhat - xhat.mean(axis=2, keepdims=True)
    inv_std = 1.0 / np.sqrt(np.mean(xhat * xhat, axis=2, keepdims=True) + x.dtype.type(eps))
    xhat *= inv_std
    out = xhat.reshape(batch, channels, positions)
    if gamma is not None:
        out = out * gamma[:, None]
    if beta is not None:
        out = out + beta[:, None]
    return out.reshape(x.shape), GroupNormCache(xhat, inv_std, gamma, beta is not None,
                                                x.shape)


@quiet_overflow
def groupnorm_backward(grad_out, cache):
    """Group-norm backward pass (closed form, per sample and group).

    Per group, xhat = (x - mean) / sqrt(var + eps) over its D values, and
    out = gamma[c] xhat + beta[c]. With dxhat = gamma[c] * dout, the chain rule
    through mean and var gives, per group (sums over its D values),
        dx = 1 / sqrt(var + eps) * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat));
    gamma and beta collect over samples and positions: dgamma[c] = sum dout xhat,
    dbeta[c] = sum dout.

    Parameters
    ----------
    grad_out : ndarray of the forward output's shape
    cache : GroupNormCache from ``groupnorm_forward``

    Returns
    -------
    dx : x's shape; dgamma, dbeta : (C,), or None where the forward had no gamma / beta
    """
    xhat, gamma, shape = cache.xhat, cache.gamma, cache.input_shape
    grad_out = as_float_array("groupnorm_backward", grad_out, what="grad_out")
    if grad_out.shape != shape:
        raise ShapeError(f"groupnorm_backward: expected grad_out of shape {shape} (the forward "
                         f"output's), got {grad_out.shape}")
    dout = grad_out.astype(xhat.dtype, copy=False).reshape(*shape[:2], math.prod(shape[2:]))
    dgamma = None
    if gamma is not None:
        dgamma = np.sum(dout * xhat.reshape(dout.shape), axis=(0, 2))
    dbeta = dout.sum(axis=(0, 2)) if cache.has_beta else None
    dxhat = (dout * gamma[:, None] if gamma is not None else dout).reshape(xhat.shape)
    dx = dxhat - dxhat.mean(axis=2, keepdims=True)
    dx -= xhat * np.mean(dxhat * xhat, axis=2, keepdims=True)
    dx *= cache.inv_std
    return dx.reshape(shape), dgamma, dbeta
