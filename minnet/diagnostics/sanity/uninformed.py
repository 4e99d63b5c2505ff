"""The loss of predictions that ignore the input: the yardsticks of the sanity checks.

Two constant predictions, scored by the user's own loss (so class weights,
``pos_weight``, ``ignore_index``, label smoothing, probability targets and
(N, C, d1, ...) outputs all count as the loss counts them):

- *uniform*: every class equally likely (a fresh network's guess): ln C for
  a plain cross-entropy, ln 2 per output for a binary one;
- *best constant*: the target distribution itself (the class frequencies,
  weighted as the loss weighs them; the mean target for regression), the
  lowest loss a model can reach without looking at its input (the entropy of
  the labels for a plain cross-entropy).

Which kind of prediction a loss takes decides how a distribution becomes a
prediction: logits (CrossEntropyLoss, BCEWithLogitsLoss), log-probabilities
(NLLLoss) or probabilities (BCELoss).
"""

import math

import numpy as np

from minnet.diagnostics._shared import BINARY, MULTICLASS, REGRESSION
from minnet.losses import BCELoss

_FLOOR = 1e-12  # a class the data never show gets this probability, not 0 (log 0)


def class_distribution(loss_fn, target, num_classes, probabilities=False):
    """(C,) the class frequencies of ``target`` as the loss weighs them, label smoothing
    included: the best constant prediction of a multiclass loss.

    ``target``: class indices (N,) or (N, d1, ...) (``ignore_index`` left out), or
    with ``probabilities`` the output's shape, the classes on axis 1 (PyTorch's rule:
    probability targets have the input's shape).
    """
    target = np.asarray(target)
    if probabilities:
        counts = np.moveaxis(target, 1, -1).reshape(-1, num_classes).sum(axis=0)
    else:
        labels = target.astype(np.int64).ravel()
        ignored = getattr(loss_fn, "ignore_index", None)
        labels = labels[(labels >= 0) & (labels < num_classes) & (labels != ignored)]
        counts = np.bincount(labels, minlength=num_classes)
    counts = counts.astype(np.float64)
    weight = getattr(loss_fn, "weight", None)
    if weight is not None:
        counts = counts * np.asarray(weight, dtype=np.float64)
    total = counts.sum()
    dist = counts / total if total > 0 else np.full(num_classes, 1.0 / num_classes)
    smoothing = float(getattr(loss_fn, "label_smoothing", 0.0) or 0.0)
    dist = (1 - smoothing) * dist + smoothing / num_classes
    return np.maximum(dist, _FLOOR)


def _multiclass_prediction(shape, dist):
    """Scores of ``shape`` (classes on axis 1) that predict ``dist`` at every position."""
    scores = np.log(dist).reshape((1, -1) + (1,) * (len(shape) - 2))
    return np.broadcast_to(scores, shape).copy()  # log-probabilities work as logits too


def _binary_prediction(loss_fn, rate):
    """Logits or probabilities (as ``loss_fn`` takes them) predicting ``rate`` (an array)."""
    rate = np.clip(rate, 1e-6, 1 - 1e-6)
    return rate if isinstance(loss_fn, BCELoss) else np.log(rate / (1 - rate))


def loss_per_position(loss_fn, prediction, target):
    """The loss per position: a summed loss is divided by the number of positions."""
    value = float(loss_fn(prediction, target))
    if getattr(loss_fn, "reduction", "mean") == "sum":
        value /= max(1, np.asarray(target).size if not isinstance(loss_fn, MULTICLASS)
                     else _positions(loss_fn, prediction, target))
    return value


def _positions(loss_fn, prediction, target):
    """Counted positions of a multiclass loss: every (sample, d...) not ignored."""
    target = np.asarray(target)
    if target.shape == np.shape(prediction):  # probability targets
        return int(np.prod(target.shape) // target.shape[1])
    return int(np.count_nonzero(target != getattr(loss_fn, "ignore_index", None)))


def uninformed_losses(loss_fn, out, target):
    """``(uniform, best_constant)`` losses per position for ``out``'s shape, or None for a
    loss this module does not know (or an output it cannot read)."""
    out = np.asarray(out, dtype=np.float64)
    if isinstance(loss_fn, MULTICLASS):
        if out.ndim < 2 or out.shape[1] < 2:
            return None
        num_classes = out.shape[1]
        uniform = np.full(num_classes, 1.0 / num_classes)
        probabilities = np.shape(target) == out.shape and np.asarray(target).dtype.kind == "f"
        best = class_distribution(loss_fn, target, num_classes, probabilities)
        make = lambda dist: _multiclass_prediction(out.shape, dist)  # noqa: E731
    elif isinstance(loss_fn, BINARY):
        rate = np.mean(np.asarray(target, dtype=np.float64).reshape(out.shape), axis=0)
        uniform, best = np.full_like(rate, 0.5), rate
        make = lambda value: np.broadcast_to(  # noqa: E731
            _binary_prediction(loss_fn, value), out.shape).copy()
    elif isinstance(loss_fn, REGRESSION):
        mean = np.mean(np.asarray(target, dtype=np.float64).reshape(out.shape), axis=0)
        uniform = best = mean
        make = lambda value: np.broadcast_to(value, out.shape).copy()  # noqa: E731
    else:
        return None
    with np.errstate(all="ignore"):
        values = (loss_per_position(loss_fn, make(uniform), target),
                  loss_per_position(loss_fn, make(best), target))
    return values if all(math.isfinite(value) for value in values) else None
