"""Binary cross-entropy, on logits (stable) and on probabilities (PyTorch's clamped form).

Both are elementwise: the input and the target have one shape (any), and
the target holds probabilities in [0, 1] (usually 0/1 labels). ``weight``
scales each element's loss and must broadcast to the input's shape without
enlarging it, as in PyTorch; "mean" divides by the number of elements
(weights do not change the denominator).
"""

from typing import NamedTuple

import numpy as np

from minnet.functional.activations import sigmoid_forward
from minnet.functional.losses.checks import (
    check_broadcasts,
    check_unit_interval,
    check_weight,
    same_shape,
)
from minnet.functional.losses.reduction import (
    Reduction,
    check_reduction,
    quiet_overflow,
    reduce_loss,
    upstream_gradient,
)

LOG_FLOOR = -100.0  # PyTorch clamps each log of BCELoss at -100
# PyTorch's floor on p (1 - p) in the gradient of BCELoss: its constant is the
# float32 1e-12, 9.99999996e-13 once widened to float64.
PRODUCT_FLOOR = float(np.float32(1e-12))


class BCEWithLogitsCache(NamedTuple):
    """What ``bce_with_logits_backward`` needs; every array has (or broadcasts to) the
    logits' shape.

    info : Reduction, the forward's reduction
    logits, target : float ndarrays of one shape
    weight : ndarray broadcasting to it, or None
    pos_weight : ndarray broadcasting to it, or None
    log_weight : 1 + (pos_weight - 1) * target, or the float 1.0 without pos_weight
    """

    info: Reduction
    logits: np.ndarray
    target: np.ndarray
    weight: object
    pos_weight: object
    log_weight: object


class BCECache(NamedTuple):
    """What ``bce_backward`` needs.

    info : Reduction, the forward's reduction
    probs, target : float ndarrays of one shape
    weight : ndarray broadcasting to it, or None
    """

    info: Reduction
    probs: np.ndarray
    target: np.ndarray
    weight: object


def _minus_one_hint(bad):
    return "map -1/+1 labels to 0/1 with (target + 1) / 2" if bad.min() == -1 else None


def bce_options(owner, weight=None, reduction="mean"):
    """Check the options of BCE on probabilities; return them as a dict."""
    return {"weight": check_weight(owner, "weight", weight, per_class=False),
            "reduction": check_reduction(owner, reduction)}


def bce_with_logits_options(owner, weight=None, reduction="mean", pos_weight=None):
    """``bce_options`` and ``pos_weight`` (None, or values >= 0 of any shape)."""
    options = bce_options(owner, weight, reduction)
    options["pos_weight"] = check_weight(owner, "pos_weight", pos_weight, per_class=False)
    return options


def _binary_inputs(owner, pred, target, weight, reduction, what):
    pred, target = same_shape(owner, pred, target, what, reduction)
    check_unit_interval(owner, target, "target probabilities", _minus_one_hint)
    weight = check_broadcasts(owner, "weight", weight, pred.shape, what,
                              "(N, 1) weighs each sample, (C,) each class")
    return pred, target, None if weight is None else weight.astype(pred.dtype)


@quiet_overflow
def bce_with_logits_forward(logits, target, *, weight=None, reduction="mean", pos_weight=None,
                            owner="bce_with_logits_forward"):
    """Binary cross-entropy on logits: a sigmoid and BCE fused, stable for any logit.

    l = w [(1 - t) x + lw softplus(-x)], lw = 1 + (pos_weight - 1) t,
    where softplus(-x) = -log sigmoid(x) = max(-x, 0) + log(1 + exp(-|x|))
    never overflows (finite for logits of +-1e4, where the textbook form
    takes log(0)). With pos_weight = 1 this is -t log s(x) - (1 - t) log(1 - s(x)).

    Parameters
    ----------
    logits : float ndarray of any shape
    target : ndarray of the same shape, probabilities in [0, 1]
    weight : None or ndarray >= 0 broadcasting to the logits' shape
    reduction : "mean", "sum" or "none"
    pos_weight : None or ndarray >= 0 broadcasting to the logits' shape, the
        weight of the positive term; usually (C,), one per class on the last
        axis (negatives / positives of the class balances it)
    owner : what error messages name (the loss classes pass themselves)

    Returns
    -------
    loss : float, or for reduction="none" an ndarray of the logits' shape
    cache : BCEWithLogitsCache
    """
    options = bce_with_logits_options(owner, weight, reduction, pos_weight)
    logits, target, weight = _binary_inputs(owner, logits, target, options["weight"],
                                            reduction, "logits")
    pos_weight = check_broadcasts(owner, "pos_weight", options["pos_weight"], logits.shape,
                                  "logits", "one value per class on the last axis: shape "
                                  f"({logits.shape[-1] if logits.ndim else 1},)")
    softplus_minus = np.maximum(-logits, 0) + np.log1p(np.exp(-np.abs(logits)))
    if pos_weight is None:
        log_weight = 1.0
        per_element = (1 - target) * logits + softplus_minus
    else:
        pos_weight = pos_weight.astype(logits.dtype)
        log_weight = 1 + (pos_weight - 1) * target
        per_element = (1 - target) * logits + log_weight * softplus_minus
    if weight is not None:
        per_element = per_element * weight
    info = Reduction(owner, reduction, logits.shape, float(logits.size), logits.dtype)
    cache = BCEWithLogitsCache(info, logits, target, weight, pos_weight, log_weight)
    return reduce_loss(info, per_element), cache


@quiet_overflow
def bce_with_logits_backward(grad_out, cache):
    """Gradient of BCE on logits. Returns dlogits, the logits' shape and dtype."""
    # dl/dx = w [(1 - t) - lw sigmoid(-x)] = w [lw sigmoid(x) - pos_weight t]
    # (as lw = 1 + (pos_weight - 1) t); without pos_weight: w [sigmoid(x) - t].
    upstream = upstream_gradient(grad_out, cache.info)
    probs, _ = sigmoid_forward(cache.logits)
    if cache.pos_weight is None:
        local = probs - cache.target
    else:
        local = cache.log_weight * probs - cache.pos_weight * cache.target
    if cache.weight is not None:
        local = local * cache.weight
    return local * upstream


@quiet_overflow
def bce_forward(probs, target, *, weight=None, reduction="mean", owner="bce_forward"):
    """Binary cross-entropy on probabilities, PyTorch's ``binary_cross_entropy``.

    l = -w [t max(log p, -100) + (1 - t) max(log(1 - p), -100)]: PyTorch
    clamps each log at -100, so p = 0 or 1 gives a finite loss (at most 100
    per element). BCEWithLogitsLoss on logits is more accurate and stable;
    this one is for models that already end with a Sigmoid.

    Parameters
    ----------
    probs : float ndarray of any shape, values in [0, 1] (NaN passes through)
    target : ndarray of the same shape, probabilities in [0, 1]
    weight : None or ndarray >= 0 broadcasting to the input's shape
    reduction : "mean", "sum" or "none"
    owner : what error messages name (the loss classes pass themselves)

    Returns
    -------
    loss : float, or for reduction="none" an ndarray of the input's shape
    cache : BCECache
    """
    options = bce_options(owner, weight, reduction)
    probs, target, weight = _binary_inputs(owner, probs, target, options["weight"],
                                           reduction, "probabilities")
    check_unit_interval(owner, probs, "input probabilities", lambda bad: (
        "BCELoss takes probabilities (after a Sigmoid); for raw scores use BCEWithLogitsLoss"))
    log_p = np.maximum(np.log(probs), LOG_FLOOR)  # log(0) = -inf, clamped
    log_not_p = np.maximum(np.log1p(-probs), LOG_FLOOR)
    per_element = (target - 1) * log_not_p - target * log_p
    if weight is not None:
        per_element = per_element * weight
    info = Reduction(owner, reduction, probs.shape, float(probs.size), probs.dtype)
    return reduce_loss(info, per_element), BCECache(info, probs, target, weight)


@quiet_overflow
def bce_backward(grad_out, cache):
    """Gradient of BCE on probabilities (PyTorch's). Returns dprobs, the input's shape."""
    # d/dp [-t log p - (1 - t) log(1 - p)] = (p - t) / (p (1 - p)); PyTorch floors
    # the denominator at 1e-12 (so p = 0 or 1 gives +-1e12 (p - t), not inf).
    probs = cache.probs
    upstream = upstream_gradient(grad_out, cache.info)
    local = (probs - cache.target) / np.maximum((1 - probs) * probs, PRODUCT_FLOOR)
    if cache.weight is not None:
        local = local * cache.weight
    return local * upstream
