"""Regression losses on the difference d = pred - target, elementwise, any shape.

MSE d^2; L1 |d|; Huber (quadratic near 0, linear beyond ``delta``); Smooth
L1 = Huber / beta (beta = 0 is L1, as PyTorch computes it). Pred and target
have one shape (a target that would broadcast is refused); "mean" divides by
the number of elements.
"""

import numpy as np

from minnet.functional.losses.checks import same_shape
from minnet.functional.losses.reduction import (
    Reduction,
    check_reduction,
    quiet_overflow,
    reduce_loss,
    upstream_gradient,
)
from minnet.validation import check_float


def regression_options(owner, reduction="mean"):
    """Check the option of MSE and L1, ``reduction``; return it as a dict."""
    return {"reduction": check_reduction(owner, reduction)}


def smooth_l1_options(owner, reduction="mean", beta=1.0):
    """Check ``reduction`` and ``beta`` >= 0; return them as a dict."""
    return {"reduction": check_reduction(owner, reduction),
            "beta": check_float(owner, "beta", beta, low=0.0)}


def huber_options(owner, reduction="mean", delta=1.0):
    """Check ``reduction`` and ``delta`` > 0; return them as a dict."""
    return {"reduction": check_reduction(owner, reduction),
            "delta": check_float(owner, "delta", delta, low=0.0, low_open=True)}


def _difference(owner, pred, target, reduction):
    """Validated ``pred - target`` and the Reduction a backward needs."""
    pred, target = same_shape(owner, pred, target, "prediction", reduction)
    info = Reduction(owner, reduction, pred.shape, float(pred.size), pred.dtype)
    return pred - target, info


@quiet_overflow
def mse_forward(pred, target, *, reduction="mean", owner="mse_forward"):
    """Squared error l = (pred - target)^2 per element.

    Parameters
    ----------
    pred : float ndarray of any shape
    target : ndarray of the same shape
    reduction : "mean", "sum" or "none"
    owner : what error messages name (the loss classes pass themselves)

    Returns
    -------
    loss : float, or for reduction="none" an ndarray of pred's shape
    cache : (reduction info, pred - target)
    """
    regression_options(owner, reduction)
    diff, info = _difference(owner, pred, target, reduction)
    return reduce_loss(info, diff * diff), (info, diff)


@quiet_overflow
def mse_backward(grad_out, cache):
    """Gradient of the squared error. Returns dpred of pred's shape."""
    # d/dpred (pred - target)^2 = 2 (pred - target), times the upstream gradient.
    info, diff = cache
    return diff * (2 * upstream_gradient(grad_out, info))


@quiet_overflow
def l1_forward(pred, target, *, reduction="mean", owner="l1_forward"):
    """Absolute error l = |pred - target| per element (shapes and returns as ``mse_forward``)."""
    regression_options(owner, reduction)
    diff, info = _difference(owner, pred, target, reduction)
    return reduce_loss(info, np.abs(diff)), (info, diff)


@quiet_overflow
def l1_backward(grad_out, cache):
    """Gradient of the absolute error. Returns dpred of pred's shape."""
    # d/dd |d| = sign(d), taken as 0 at d = 0 (PyTorch's subgradient).
    info, diff = cache
    return np.sign(diff) * upstream_gradient(grad_out, info)


@quiet_overflow
def huber_forward(pred, target, *, reduction="mean", delta=1.0, owner="huber_forward"):
    """Huber loss: l = d^2 / 2 where |d| < delta, else delta (|d| - delta / 2).

    Quadratic near 0 (a gradient that shrinks as the fit improves), linear
    beyond ``delta`` (outliers pull with a bounded force). Shapes and returns
    as ``mse_forward``; ``delta`` > 0.
    """
    options = huber_options(owner, reduction, delta)
    diff, info = _difference(owner, pred, target, reduction)
    size = np.abs(diff)
    delta = options["delta"]
    per_element = np.where(size < delta, 0.5 * size * size, delta * (size - 0.5 * delta))
    return reduce_loss(info, per_element), (info, diff, delta)


@quiet_overflow
def huber_backward(grad_out, cache):
    """Gradient of the Huber loss. Returns dpred of pred's shape."""
    # d/dd: d inside |d| < delta, delta sign(d) beyond: both are clip(d, -delta, delta).
    info, diff, delta = cache
    return np.clip(diff, -delta, delta) * upstream_gradient(grad_out, info)


@quiet_overflow
def smooth_l1_forward(pred, target, *, reduction="mean", beta=1.0, owner="smooth_l1_forward"):
    """Smooth L1: l = d^2 / (2 beta) where |d| < beta, else |d| - beta / 2.

    Huber divided by beta, so its linear part always has slope 1; beta = 0
    is the L1 loss (PyTorch switches to it). Shapes and returns as
    ``mse_forward``; ``beta`` >= 0.
    """
    options = smooth_l1_options(owner, reduction, beta)
    diff, info = _difference(owner, pred, target, reduction)
    size = np.abs(diff)
    beta = options["beta"]
    if beta == 0:
        return reduce_loss(info, size), (info, diff, beta)
    per_element = np.where(size < beta, 0.5 * size * size / beta, size - 0.5 * beta)
    return reduce_loss(info, per_element), (info, diff, beta)


@quiet_overflow
def smooth_l1_backward(grad_out, cache):
    """Gradient of the Smooth L1 loss. Returns dpred of pred's shape."""
    # d/dd: d / beta inside |d| < beta, sign(d) beyond: clip(d / beta, -1, 1);
    # sign(d) for beta = 0 (the L1 loss).
    info, diff, beta = cache
    local = np.sign(diff) if beta == 0 else np.clip(diff / beta, -1, 1)
    return local * upstream_gradient(grad_out, info)
