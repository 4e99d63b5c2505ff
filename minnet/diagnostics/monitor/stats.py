"""The statistics the monitor measures: pure functions of arrays and modules, no state.

Layer kinds are recognized by class name anywhere in the class hierarchy, so a
user's ``class MyReLU(ReLU)`` counts as a ReLU and the monitor works with any
layer family without importing it (no layer knows about the doctor).
"""

import math

import numpy as np

from minnet.diagnostics._shared import class_names, layer_where, private_copies
from minnet.training import accuracy_function

HISTOGRAM_BINS = 30
MAX_ROWS = 512  # statistics of a larger batch are measured on its first 512 samples
MAX_HISTOGRAM_VALUES = 1024  # a histogram of more values uses an evenly strided subset
MAX_WEIGHT_VALUES = 4096  # update ratios and stds of larger weights use a fixed subset
STALE_CHECK_VALUES = 1024  # gradient entries looked at for stale values on unsampled steps
# Below this many samples "<= 0 on the whole batch" says little about a unit:
# with 2 samples a healthy ReLU unit is off on both a quarter of the time.
MIN_ROWS_FOR_DEAD = 16
# A unit is saturated where its local derivative is below 0.01 (the catalog's
# saturated-activation; Glorot & Bengio 2010): tanh' = 1 - t^2, sigmoid' = s (1 - s).
SATURATION_DERIVATIVE = 0.01

_RELU_FAMILY = {"ReLU": "relu", "LeakyReLU": "relu-like", "ELU": "relu-like", "GELU": "relu-like"}
_SQUASHING = {"Tanh": "tanh", "Sigmoid": "sigmoid"}
_RECURRENT = ("RNN", "LSTM", "GRU")


def activation_kind(module):
    """``"relu"``, ``"relu-like"``, ``"tanh"``, ``"sigmoid"``, ``"recurrent"`` or None.

    ``relu-like`` (LeakyReLU, ELU, GELU) output is <= 0 exactly where the input
    is, so their "dead" fraction is measured too, but only a plain ReLU gives a
    unit below zero no gradient at all. Recurrent layers count when their
    hidden states are tanh-bounded (RNN with tanh, LSTM, GRU).
    """
    for name in class_names(module):
        if name in _RELU_FAMILY:
            return _RELU_FAMILY[name]
        if name in _SQUASHING:
            return _SQUASHING[name]
        if name in _RECURRENT:
            return "recurrent" if getattr(module, "nonlinearity", "tanh") == "tanh" else None
    return None


def is_mode_dependent(module):
    """True for dropout and batch-norm layers, whose output depends on train/eval mode."""
    return any(name.startswith(("Dropout", "BatchNorm", "_BatchNorm"))
               for name in class_names(module))


def is_embedding(module):
    return "Embedding" in class_names(module)


def first_array(out):
    """The output as an array: recurrent layers may return (output, state) tuples."""
    if isinstance(out, (tuple, list)) and out:
        out = out[0]
    return out if isinstance(out, np.ndarray) else None


def activation_statistics(out, kind, bins=HISTOGRAM_BINS, max_rows=MAX_ROWS):
    """Dead and saturated fractions and a histogram of one layer's output.

    out: (N, D) or (N, C, ...) -- the unit axis is the last one for 2-D outputs
    and the channel axis 1 otherwise (a whole feature map is one unit).
    Returns a dict: ``dead_fraction`` (share of units <= 0 on every sample of
    the batch; NaN for squashing layers or batches under 16 samples),
    ``saturated_fraction`` (share of activations whose local derivative is
    below 0.01; NaN for the ReLU family), ``histogram`` ((counts, edges) of the
    finite values) and ``finite`` (False if any value is NaN or Inf).
    """
    out = np.asarray(out)[:max_rows]
    stats = {"finite": True, "dead_fraction": math.nan, "saturated_fraction": math.nan}
    if out.size == 0:
        stats["histogram"] = histogram(out, bins)
        return stats
    # One reduction over the whole output per kind; NaN or Inf anywhere shows in it.
    if kind in ("relu", "relu-like") and len(out) >= MIN_ROWS_FOR_DEAD:
        axes = (0,) if out.ndim <= 2 else (0,) + tuple(range(2, out.ndim))
        unit_max = out.max(axis=axes)  # a unit is dead when even its largest value is <= 0
        summary = unit_max.sum()
        stats["dead_fraction"] = np.count_nonzero(unit_max <= 0) / unit_max.size
    elif kind in ("tanh", "recurrent"):
        summary = out.sum()
        # 1 - t^2 < 0.01  <=>  |t| > sqrt(0.99)
        saturated = np.abs(out) > math.sqrt(1.0 - SATURATION_DERIVATIVE)
        stats["saturated_fraction"] = np.count_nonzero(saturated) / out.size
    elif kind == "sigmoid":
        summary = out.sum()
        # s (1 - s) < 0.01  <=>  |s - 1/2| > sqrt(1/4 - 0.01)
        saturated = np.abs(out - 0.5) > math.sqrt(0.25 - SATURATION_DERIVATIVE)
        stats["saturated_fraction"] = np.count_nonzero(saturated) / out.size
    else:
        summary = out.sum()
    if not math.isfinite(float(summary)):
        stats.update(finite=False, dead_fraction=math.nan, saturated_fraction=math.nan)
        stats["histogram"] = histogram(out[np.isfinite(out)], bins)
        return stats
    stats["histogram"] = histogram(out, bins)
    return stats


def histogram(values, bins=HISTOGRAM_BINS):
    """``(counts, edges)`` of finite ``values`` over ``bins`` equal bins from their min to max.

    What ``np.histogram(values, bins)`` returns (the last bin closed), several
    times faster: counted on at most ``MAX_HISTOGRAM_VALUES`` evenly strided
    values (so the counts add up to the number of values used).
    """
    flat = np.asarray(values).ravel()
    if flat.size > MAX_HISTOGRAM_VALUES:
        flat = flat[::-(-flat.size // MAX_HISTOGRAM_VALUES)]
    if not flat.size:
        return np.zeros(bins, dtype=np.int64), np.linspace(0.0, 1.0, bins + 1)
    low, high = float(flat.min()), float(flat.max())
    if high == low:  # np.histogram's convention for a single value: a range of +-0.5
        low, high = low - 0.5, high + 0.5
    index = ((flat - low) * (bins / (high - low))).astype(np.intp)  # >= 0: flat >= low
    np.minimum(index, bins - 1, out=index)  # the maximum falls in the last bin
    edges = low + (high - low) / bins * np.arange(bins + 1)
    edges[-1] = high
    return np.bincount(index, minlength=bins), edges


def sample_index(size, count=None):
    """A slice picking about ``count`` evenly strided entries of a flat array, or None (all).

    Copying a whole weight tensor before every sampled update would cost more
    than the 10% budget of ``watch`` on wide layers; 4096 entries spread
    over the tensor estimate norm ratios and stds closely enough.
    """
    count = MAX_WEIGHT_VALUES if count is None else count
    if size <= count:
        return None
    return slice(None, None, -(-size // count))


def sampled_values(array, index):
    """A copy of ``array``'s entries at ``index`` (a slice of the flat array), or of all."""
    flat = np.asarray(array).reshape(-1)
    return flat.copy() if index is None else flat[index].copy()


def squared_norm(array):
    """The sum of squares of every entry (one BLAS call)."""
    return float(np.vdot(array, array))


def all_finite(array):
    return bool(np.isfinite(array).all())


# --- the loss and its targets ------------------------------------------------------

def label_counts(target, task):
    """Counts of each class in a batch of targets (ndarray), or None when not classification.

    Class indices of any shape count every position; negative ones (PyTorch's
    ignore_index, -100) are left out; probability targets give None.
    """
    target = np.asarray(target)
    if task == "multiclass" and target.dtype.kind in "iu" and target.size:
        labels = target.ravel()
        return np.bincount(labels[labels >= 0] if labels.min() < 0 else labels)
    if task == "binary" and (target.ndim == 1 or (target.ndim == 2 and target.shape[1] == 1)):
        return np.bincount((target.ravel() > 0.5).astype(np.intp), minlength=2)
    return None


def batch_accuracy(pred, target, loss_fn):
    """Share of correct predictions on a batch, as ``fit()`` measures it
    (``minnet.training.accuracy_function``: the loss's own ``accuracy``, argmax over
    the classes, a logit above 0, a probability above 0.5); NaN for a loss without
    one or a batch the monitor saw but the loss cannot read."""
    measure = accuracy_function(loss_fn)
    if measure is None or pred is None or target is None or np.size(target) == 0:
        return math.nan
    try:
        return float(measure(pred, target))
    except (ValueError, IndexError):  # shapes the loss itself will refuse
        return math.nan


def probability_rows_error(pred):
    """Largest |row sum - 1| if every entry of ``pred`` (N, C), C >= 2, lies in [0, 1]; else None.

    Logits essentially never look like that; softmax outputs always do.
    """
    pred = np.asarray(pred)
    if pred.ndim != 2 or pred.shape[1] < 2 or pred.size == 0 or pred.dtype.kind != "f":
        return None
    with np.errstate(invalid="ignore"):
        if not (pred.min() >= 0.0 and pred.max() <= 1.0):
            return None
        return float(np.max(np.abs(pred.sum(axis=1) - 1.0)))


# --- the search for the first non-finite layer ----------------------------

def locate_non_finite(model, x):
    """Where a forward pass on ``x`` first produces NaN or Inf: ``"X"``, a layer, or None.

    Runs on a private copy (the model's caches, running statistics and random
    generators are left alone). Forward hooks fire when a module finishes, a
    container after its children, so the first non-finite output seen is the
    innermost layer that produced it.
    """
    x_array = np.asarray(x)
    if x_array.dtype.kind == "f" and not all_finite(x_array):
        return "X"
    (probe,) = private_copies(model)
    found = []

    def make_hook(where):
        def hook(module, inputs, out):
            array = first_array(out)
            if (not found and array is not None and array.dtype.kind == "f"
                    and not all_finite(array)):
                found.append(where)
        return hook

    for name, module in probe.named_modules():
        module.register_forward_hook(make_hook(layer_where(name, module)))
    try:
        with np.errstate(all="ignore"):
            probe(x)
    except Exception:  # a failing probe only means "not located"
        pass
    return found[0] if found else None


def decoupled_weight_decays(optimizer):
    """``{id(param): group}`` for an AdamW (decay applied apart from the gradient:
    ``w *= 1 - lr * weight_decay`` before the Adam step), for the groups with decay;
    the group is read at each check, so a schedule's current lr is used."""
    if optimizer is None or "AdamW" not in class_names(optimizer):
        return {}
    return {id(param): group for group in getattr(optimizer, "param_groups", ())
            if isinstance(group.get("weight_decay"), (int, float)) and group["weight_decay"]
            for param in group["params"]}


def coupled_weight_decays(optimizer):
    """``[(param, weight_decay)]`` for an optimizer that adds ``weight_decay * w`` into the
    gradient (SGD, Adam, ...; not AdamW, which decays apart from it), per parameter group;
    empty without an optimizer or without decay."""
    if optimizer is None or "AdamW" in class_names(optimizer):
        return []
    groups = getattr(optimizer, "param_groups", None)
    if groups is None:
        groups = [{"params": getattr(optimizer, "params", ()),
                   "weight_decay": getattr(optimizer, "weight_decay", 0.0)}]
    pairs = []
    for group in groups:
        decay = group.get("weight_decay", 0.0) or 0.0
        if isinstance(decay, (int, float)) and decay:
            pairs += [(param, float(decay)) for param in group["params"]]
    return pairs
