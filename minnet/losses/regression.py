"""Regression losses on pred - target: MSE, L1, Smooth L1, Huber (PyTorch's names and defaults).

Each is a thin class around a pair in ``minnet.functional.losses`` (the
formulas are documented there). Shapes: pred of any shape, target of the
same shape (a target that would broadcast, (N,) against (N, 1), is refused)
-> float, or an ndarray of pred's shape with reduction="none". "mean" averages
over every element.
"""

from minnet.functional import losses as F
from minnet.losses.base import Loss


class MSELoss(Loss):
    """Squared error ``(pred - target)^2`` per element; "mean" (default), "sum" or "none"."""

    pair = (F.mse_forward, F.mse_backward)
    check_options = staticmethod(F.regression_options)

    def __init__(self, reduction="mean"):
        super().__init__(reduction=reduction)


class L1Loss(Loss):
    """Absolute error ``|pred - target|`` per element; gradient sign(d), 0 at d = 0."""

    pair = (F.l1_forward, F.l1_backward)
    check_options = staticmethod(F.regression_options)

    def __init__(self, reduction="mean"):
        super().__init__(reduction=reduction)


class SmoothL1Loss(Loss):
    """Smooth L1: ``d^2 / (2 beta)`` where |d| < beta, else ``|d| - beta / 2``.

    Parameters
    ----------
    reduction : "mean" (default), "sum" or "none"
    beta : float >= 0, default 1.0; where the loss turns from quadratic to
        linear (slope 1). beta = 0 is the L1 loss, as in PyTorch.
    """

    pair = (F.smooth_l1_forward, F.smooth_l1_backward)
    check_options = staticmethod(F.smooth_l1_options)

    def __init__(self, reduction="mean", beta=1.0):
        super().__init__(reduction=reduction, beta=beta)


class HuberLoss(Loss):
    """Huber: ``d^2 / 2`` where |d| < delta, else ``delta (|d| - delta / 2)``.

    Equal to delta * SmoothL1Loss(beta=delta): the linear part has slope
    delta, so outliers pull with a force of at most delta.

    Parameters
    ----------
    reduction : "mean" (default), "sum" or "none"
    delta : float > 0, default 1.0
    """

    pair = (F.huber_forward, F.huber_backward)
    check_options = staticmethod(F.huber_options)

    def __init__(self, reduction="mean", delta=1.0):
        super().__init__(reduction=reduction, delta=delta)
