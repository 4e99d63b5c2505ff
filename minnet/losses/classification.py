"""Classification losses: cross-entropy and NLL over classes, binary cross-entropy.

Each is a thin class around a pair in ``minnet.functional.losses`` (the
formulas, shapes and PyTorch's conventions are documented there), with
PyTorch's names, defaults and argument order, and an ``accuracy(out,
target)`` that ``fit`` reports.
"""

import math

import numpy as np

from minnet.functional import losses as F
from minnet.losses.base import Loss


def class_accuracy(out, target, ignore_index=-100):
    """Share of positions whose largest score (axis 1) is the target class.

    out: (N, C) or (N, C, d1, ...); target: class indices (N,) or (N, d1, ...),
    or probabilities of out's shape (their argmax is the class). Targets equal
    to ``ignore_index`` are not counted; NaN when none is left.
    """
    out, target = np.asarray(out), np.asarray(target)
    predicted = np.argmax(out, axis=1)
    if target.shape == out.shape and target.dtype.kind == "f":
        target = np.argmax(target, axis=1)
    counted = target != ignore_index
    if not np.any(counted):
        return math.nan
    return float(np.mean(predicted[counted] == target[counted]))


def threshold_accuracy(out, target, threshold):
    """Share of outputs on the target's side of ``threshold`` (0 for logits, 0.5 for
    probabilities); target 0/1 or probabilities, reshaped to out's shape."""
    target = np.asarray(target).reshape(np.shape(out))
    return float(np.mean((np.asarray(out) > threshold) == (target >= 0.5)))


class CrossEntropyLoss(Loss):
    """Softmax cross-entropy on logits: PyTorch's ``nn.CrossEntropyLoss``.

    Takes raw scores: it applies its own stable log-softmax, so a Softmax
    layer before it is a bug. With random logits the initial loss is about
    ln(C), the first sanity check of any classifier. Per position with
    class weights w and smoothed target q = (1 - eps) onehot(t) + eps / C:
    l = -sum_c w_c q_c log softmax(z)_c; "mean" divides the sum by the
    summed weights w_t of the counted targets (see
    ``minnet.functional.losses.cross_entropy_forward``).

    Parameters
    ----------
    weight : None or array (C,) of weights >= 0, one per class
    ignore_index : int, default -100; targets equal to it add nothing and are not counted
    reduction : "mean" (default), "sum" or "none"
    label_smoothing : float in [0, 1], default 0.0

    Shapes: logits (N, C) or (N, C, d1, ..., dk); target (N,) or
    (N, d1, ..., dk) of ints in [0, C) (or ignore_index), or floats of the
    logits' shape (class probabilities) -> float, or with reduction="none"
    an ndarray (N,) or (N, d1, ..., dk).

    A "mean" over targets that are all ignored (or whose weights sum to 0)
    raises a DataError (PyTorch returns nan).
    """

    pair = (F.cross_entropy_forward, F.cross_entropy_backward)
    check_options = staticmethod(F.cross_entropy_options)

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        super().__init__(weight=weight, ignore_index=ignore_index, reduction=reduction,
                         label_smoothing=label_smoothing)

    def accuracy(self, out, target):
        """Share of counted positions whose argmax over axis 1 is the target class."""
        return class_accuracy(out, target, self.ignore_index)


class NLLLoss(Loss):
    """Negative log-likelihood on log-probabilities: PyTorch's ``nn.NLLLoss``.

    l = -w_t x_t per position (x: log-probabilities, usually from a
    LogSoftmax over the classes); LogSoftmax followed by NLLLoss equals
    CrossEntropyLoss on the logits. Same options and shapes as
    CrossEntropyLoss, without label smoothing or probability targets.
    On raw logits or probabilities its value means nothing, and nothing
    checks that (as in PyTorch).

    Parameters
    ----------
    weight : None or array (C,) of weights >= 0, one per class
    ignore_index : int, default -100
    reduction : "mean" (default), "sum" or "none"

    Shapes: input (N, C) or (N, C, d1, ..., dk); target (N,) or
    (N, d1, ..., dk) of ints in [0, C) (or ignore_index) -> float, or with
    reduction="none" an ndarray of the target's shape.
    """

    pair = (F.nll_forward, F.nll_backward)
    check_options = staticmethod(F.class_loss_options)

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        super().__init__(weight=weight, ignore_index=ignore_index, reduction=reduction)

    def accuracy(self, out, target):
        """Share of counted positions whose argmax over axis 1 is the target class."""
        return class_accuracy(out, target, self.ignore_index)


class BCEWithLogitsLoss(Loss):
    """Binary cross-entropy on logits: PyTorch's ``nn.BCEWithLogitsLoss``.

    A sigmoid and BCE fused, stable for any logit:
    l = w [(1 - t) x + (1 + (pos_weight - 1) t) log(1 + exp(-x))] per element.

    Parameters
    ----------
    weight : None or array >= 0 that broadcasts to the logits' shape, each element's weight
    reduction : "mean" (default, over every element), "sum" or "none"
    pos_weight : None or array >= 0 that broadcasts to the logits' shape
        (usually (C,), one per class on the last axis): the weight of the
        positive term; negatives / positives of a class balances it

    Shapes: logits of any shape, target of the same shape with probabilities
    in [0, 1] (usually 0/1 labels) -> float, or the logits' shape with
    reduction="none".
    """

    pair = (F.bce_with_logits_forward, F.bce_with_logits_backward)
    check_options = staticmethod(F.bce_with_logits_options)

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        super().__init__(weight=weight, reduction=reduction, pos_weight=pos_weight)

    def accuracy(self, out, target):
        """Share of logits on the target's side of 0 (probability 0.5)."""
        return threshold_accuracy(out, target, 0.0)


class BCELoss(Loss):
    """Binary cross-entropy on probabilities: PyTorch's ``nn.BCELoss``.

    l = -w [t log p + (1 - t) log(1 - p)] per element, each log clamped at
    -100 as PyTorch does (so p = 0 or 1 gives a finite loss; the gradient's
    denominator p (1 - p) is floored at 1e-12, also as in PyTorch). Use it
    after a Sigmoid; BCEWithLogitsLoss on the logits is more accurate.

    Parameters
    ----------
    weight : None or array >= 0 that broadcasts to the input's shape
    reduction : "mean" (default, over every element), "sum" or "none"

    Shapes: input probabilities in [0, 1] of any shape, target of the same
    shape with probabilities in [0, 1] -> float, or the input's shape with
    reduction="none".
    """

    pair = (F.bce_forward, F.bce_backward)
    check_options = staticmethod(F.bce_options)

    def __init__(self, weight=None, reduction="mean"):
        super().__init__(weight=weight, reduction=reduction)

    def accuracy(self, out, target):
        """Share of probabilities on the target's side of 0.5."""
        return threshold_accuracy(out, target, 0.5)
