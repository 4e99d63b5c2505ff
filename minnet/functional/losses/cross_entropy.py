"""Cross-entropy on logits and negative log-likelihood on log-probabilities.

Both take scores of shape (N, C) or (N, C, d1, ..., dk), classes on axis 1,
and a target of class indices, shape (N,) or (N, d1, ..., dk) (cross-entropy
also takes class probabilities of the logits' shape). They follow PyTorch:

- ``weight`` (C,) scales the loss of every target of class c by w_c;
- a target equal to ``ignore_index`` contributes 0 and is not counted;
- "mean" divides the sum by the summed weights of the counted targets,
  sum_i w_{t_i} (their number without weights); with probability targets
  it divides by the number of positions, N * d1 * ... * dk;
- label smoothing eps mixes the target with the uniform distribution:
  q = (1 - eps) onehot(t) + eps / C (the same mixing for probability targets).

"mean" over targets that are all ignored (or whose weights sum to 0) is 0/0:
PyTorch returns NaN; minnet raises a DataError that says why.
"""

from typing import NamedTuple

import numpy as np

from minnet.errors import DataError
from minnet.functional.losses.checks import (
    check_class_weight_size,
    check_weight,
    class_scores,
    class_target,
)
from minnet.functional.losses.reduction import (
    Reduction,
    check_reduction,
    quiet_overflow,
    reduce_loss,
    times_upstream,
    upstream_gradient,
)
from minnet.kernels.softmax_ce import log_softmax, softmax_cross_entropy
from minnet.validation import check_float, check_int, owner_name

WIDE_ROWS = 64  # above this many classes, the fused kernel runs its NumPy reference (faster)

_reduce_quietly = quiet_overflow(reduce_loss)  # a sum of huge losses is inf, silently


class NLLCache(NamedTuple):
    """What ``nll_backward`` needs; P positions (N, or N * d1 * ... * dk).

    info : Reduction, the forward's reduction
    labels : int64 ndarray (N,) or (N, d1, ..., dk), the targets (0 where ignored)
    coefficient : (N,) or (N, d1, ..., dk), each target's class weight (0 where ignored)
    input_shape : (N, C) or (N, C, d1, ..., dk), the log-probabilities' shape (dx's)
    """

    info: Reduction
    labels: np.ndarray
    coefficient: np.ndarray
    input_shape: tuple


def class_loss_options(owner, weight=None, ignore_index=-100, reduction="mean"):
    """Check the options of NLL (and cross-entropy's but one); return them as a dict.

    The loss classes pass the values they checked at construction again at
    every call: exact types take a fast path.
    """
    return {"weight": check_weight(owner, "weight", weight, per_class=True),
            "ignore_index": (ignore_index if type(ignore_index) is int
                             else check_int(owner, "ignore_index", ignore_index)),
            "reduction": check_reduction(owner, reduction)}


def cross_entropy_options(owner, weight=None, ignore_index=-100, reduction="mean",
                          label_smoothing=0.0):
    """``class_loss_options`` and ``label_smoothing``, a float in [0, 1]."""
    options = class_loss_options(owner, weight, ignore_index, reduction)
    options["label_smoothing"] = (
        label_smoothing if type(label_smoothing) is float and 0 <= label_smoothing <= 1
        else check_float(owner, "label_smoothing", label_smoothing, low=0.0, high=1.0))
    return options


def _target_weights(labels, ignored, weight, dtype):
    """Per target: its class weight (1 without weights), 0 where ignored; and safe labels.

    The labels of ignored targets (ignore_index may be -100) become 0 so that
    they can index an array; their weight of 0 removes them from the loss.
    """
    if ignored is not None:
        labels = np.where(ignored, 0, labels)
    coefficient = (np.ones(labels.shape, dtype=dtype) if weight is None
                   else weight.astype(dtype)[labels])
    if ignored is not None:
        coefficient[ignored] = 0
    return labels, coefficient


def _mean_denominator(owner, reduction, denominator, ignored, ignore_index):
    if reduction == "mean" and denominator == 0:
        cause = (f"every target equals ignore_index={ignore_index}" if ignored is not None
                 and ignored.all() else "the class weights of the counted targets sum to 0")
        raise DataError(
            f"{owner_name(owner)}: {cause}, so the weighted mean over the targets is 0/0 "
            f"(PyTorch returns nan); skip this batch, or use reduction='sum'")
    return float(denominator)


def cross_entropy_forward(logits, target, label_smoothing=0.0, *, weight=None,
                          ignore_index=-100, reduction="mean", owner="cross_entropy_forward"):
    """Softmax cross-entropy on logits, PyTorch's ``cross_entropy``.

    Per position i (a sample, or a sample's pixel/time step) with class
    weights w (1 without ``weight``):
    index target t:   l_i = -sum_c w_c q_ic log softmax(z_i)_c,
                      q_i = (1 - eps) onehot(t_i) + eps / C; 0 where t_i == ignore_index;
    probability p:    the same with q_i = (1 - eps) p_i + eps / C.
    "mean" = sum_i l_i / sum_i w_{t_i} over the counted targets (index
    targets) or / (N * d1 * ... * dk) (probability targets).

    The common case (2-d logits, index targets, no weight, nothing ignored,
    "mean" or "sum") runs the fused kernel ``minnet.kernels.softmax_ce``
    (numba up to ``WIDE_ROWS`` classes); the rest runs in NumPy.

    Parameters
    ----------
    logits : float ndarray (N, C) or (N, C, d1, ..., dk)
    target : int ndarray (N,) or (N, d1, ..., dk) of labels in [0, C) or
        equal to ignore_index; or float ndarray of the logits' shape
        (class probabilities in [0, 1])
    label_smoothing : float in [0, 1]
    weight : None or float ndarray (C,) of values >= 0
    ignore_index : int
    reduction : "mean", "sum" or "none"
    owner : what error messages name (the loss classes pass themselves)

    Returns
    -------
    loss : float, or for reduction="none" an ndarray (N,) or (N, d1, ..., dk)
    cache : what ``cross_entropy_backward`` needs
    """
    options = cross_entropy_options(owner, weight, ignore_index, reduction, label_smoothing)
    weight, ignore_index = options["weight"], options["ignore_index"]
    smoothing = options["label_smoothing"]
    logits = class_scores(owner, logits, "logits", reduction)
    check_class_weight_size(owner, weight, logits, "logits")
    target, ignored = class_target(owner, logits, target, ignore_index, True, "logits")
    loss_shape = logits.shape[:1] + logits.shape[2:]
    if (target.ndim == 1 and weight is None and ignored is None and reduction != "none"
            and target.size):
        # The fused kernel: the loss and softmax(z) - q, one row at a time.
        rows = np.ascontiguousarray(logits)
        delta = np.empty_like(rows)
        # Compiled code wins on narrow rows, NumPy's vectorized exp on wide ones
        # (numba's exp is scalar) (measured: benchmarks/README.md).
        kernel = (softmax_cross_entropy if logits.shape[1] <= WIDE_ROWS
                  else softmax_cross_entropy.reference)
        mean = kernel(rows, target, smoothing, delta)
        count = float(len(rows))
        info = Reduction(owner, reduction, loss_shape, count, logits.dtype)
        return (float(mean) if reduction == "mean" else float(mean) * count), (info, delta)
    rows = _probability_rows if target.shape == logits.shape else _index_rows
    per_position, delta, denominator = rows(logits, target, ignored, weight, smoothing)
    denominator = _mean_denominator(owner, reduction, denominator, ignored, ignore_index)
    info = Reduction(owner, reduction, loss_shape, denominator, logits.dtype)
    return _reduce_quietly(info, per_position), (info, delta)


@quiet_overflow  # NaN and inf flow as in PyTorch, without NumPy's warnings
def _index_rows(logits, labels, ignored, weight, smoothing):
    """Per-position losses, d(l_i)/dz_i and the "mean" denominator for class indices."""
    num_classes = logits.shape[1]
    log_probs = log_softmax(logits, axis=1)
    labels, coefficient = _target_weights(labels, ignored, weight, logits.dtype)
    picked = np.take_along_axis(log_probs, labels[:, None], axis=1)[:, 0]
    per_position = -(1 - smoothing) * coefficient * picked
    class_weight = np.ones(num_classes, logits.dtype) if weight is None else weight.astype(
        logits.dtype)
    class_weight = class_weight.reshape((1, num_classes) + (1,) * (logits.ndim - 2))
    counted = (np.ones(labels.shape, logits.dtype) if ignored is None
               else (~ignored).astype(logits.dtype))
    if smoothing:
        uniform = -np.sum(log_probs * class_weight, axis=1)
        per_position = per_position + (smoothing / num_classes) * uniform * counted
    if ignored is not None:  # 0 even where the logits are NaN, as in PyTorch
        per_position = np.where(ignored, 0, per_position)
    # l_i = -sum_c a_ic log p_ic with a_ic = (1 - eps) w_t [c == t] + eps / C w_c, so
    # dl_i/dz_ij = p_ij sum_c a_ic - a_ij (d log p_ic / dz_ij = [c == j] - p_ij).
    total = (1 - smoothing) * coefficient + (smoothing / num_classes) * np.sum(
        class_weight) * counted
    delta = np.exp(log_probs) * np.expand_dims(total, 1)
    if smoothing:
        delta -= (smoothing / num_classes) * class_weight * np.expand_dims(counted, 1)
    at_target = np.take_along_axis(delta, labels[:, None], axis=1)
    np.put_along_axis(delta, labels[:, None],
                      at_target - (1 - smoothing) * coefficient[:, None], axis=1)
    return per_position, delta, np.sum(coefficient)


@quiet_overflow
def _probability_rows(logits, probabilities, ignored, weight, smoothing):
    """Per-position losses, d(l_i)/dz_i and the "mean" denominator for probability targets
    (``ignored`` is None: they have no ignore_index; kept for ``_index_rows``' signature)."""
    num_classes = logits.shape[1]
    log_probs = log_softmax(logits, axis=1)
    share = probabilities * (1 - smoothing) + smoothing / num_classes
    if weight is not None:
        share = share * weight.astype(logits.dtype).reshape(
            (1, num_classes) + (1,) * (logits.ndim - 2))
    per_position = -np.sum(share * log_probs, axis=1)
    # The same derivative with a_ic = w_c q_ic: dl_i/dz_ij = p_ij sum_c a_ic - a_ij.
    delta = np.exp(log_probs) * np.sum(share, axis=1, keepdims=True) - share
    return per_position, delta, per_position.size


@quiet_overflow
def cross_entropy_backward(grad_out, cache):
    """Gradient of the cross-entropy. Returns dlogits, the logits' shape and dtype.

    grad_out : scalar or None (1.0) for "mean"/"sum"; ndarray of the
        per-position losses' shape for "none".
    """
    # dL/dz_i = upstream_i * dl_i/dz_i: the forward kept dl_i/dz_i (per row,
    # softmax(z_i) sum_c a_ic - a_i); "mean" divides the upstream by its denominator.
    info, delta = cache
    return times_upstream(delta, upstream_gradient(grad_out, info))


@quiet_overflow
def nll_forward(log_probs, target, *, weight=None, ignore_index=-100, reduction="mean",
                owner="nll_forward"):
    """Negative log-likelihood on log-probabilities, PyTorch's ``nll_loss``.

    l_i = -w_{t_i} x_{i, t_i}, 0 where t_i == ignore_index; "mean" =
    sum_i l_i / sum_i w_{t_i} over the counted targets. The input should be
    log-probabilities (a LogSoftmax over axis 1): NLL of raw logits is not a
    cross-entropy and can fall without bound (nothing checks it, as in PyTorch).

    Parameters
    ----------
    log_probs : float ndarray (N, C) or (N, C, d1, ..., dk)
    target : int ndarray (N,) or (N, d1, ..., dk), labels in [0, C) or ignore_index
    weight : None or float ndarray (C,) of values >= 0
    ignore_index : int
    reduction : "mean", "sum" or "none"
    owner : what error messages name (the loss classes pass themselves)

    Returns
    -------
    loss : float, or for reduction="none" an ndarray (N,) or (N, d1, ..., dk)
    cache : NLLCache
    """
    options = class_loss_options(owner, weight, ignore_index, reduction)
    weight, ignore_index = options["weight"], options["ignore_index"]
    log_probs = class_scores(owner, log_probs, "log-probabilities", reduction)
    check_class_weight_size(owner, weight, log_probs, "log-probabilities")
    labels, ignored = class_target(owner, log_probs, target, ignore_index, False,
                                   "log-probabilities")
    labels, coefficient = _target_weights(labels, ignored, weight, log_probs.dtype)
    picked = np.take_along_axis(log_probs, labels[:, None], axis=1)[:, 0]
    per_position = -coefficient * picked
    if ignored is not None:  # 0 even where the input is NaN or -inf, as in PyTorch
        per_position = np.where(ignored, 0, per_position)
    denominator = _mean_denominator(owner, reduction, np.sum(coefficient), ignored,
                                    ignore_index)
    info = Reduction(owner, reduction, per_position.shape, denominator, log_probs.dtype)
    return reduce_loss(info, per_position), NLLCache(info, labels, coefficient, log_probs.shape)


@quiet_overflow
def nll_backward(grad_out, cache):
    """Gradient of the NLL. Returns dlog_probs, the input's shape and dtype (zero off-target)."""
    # l_i = -w_t x_{i,t}: dl_i/dx_ij = -w_t where j == t_i (0 for ignored
    # targets, whose w_t is 0), else 0; times the upstream gradient of l_i.
    upstream = upstream_gradient(grad_out, cache.info)
    grad = np.zeros(cache.input_shape, dtype=cache.info.dtype)
    np.put_along_axis(grad, cache.labels[:, None], (-cache.coefficient * upstream)[:, None],
                      axis=1)
    return grad
