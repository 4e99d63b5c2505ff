"""Data checks: what is wrong with the arrays before any training step.

``check_data(X, y, X_val, y_val, loss_fn, num_classes)`` looks for NaN/Inf,
inputs far from zero mean or unit scale, constant features, imbalanced
classes, samples shared by training and validation, and labels the loss
cannot take (one-hot rows given to a loss that takes class indices).

Healthy data must pass: the input statistics (``inputs``) use robust
aggregates over features; class imbalance must be statistically significant;
train/validation overlap is weighed against the repeats the data have by
nature.
"""

from collections import Counter

import numpy as np

from minnet.diagnostics._shared import data_loss_of
from minnet.diagnostics.data.inputs import as_numbers, constant_features, input_scale
from minnet.diagnostics.report.finding import make_finding

# The losses by the targets they take (by class name: a duck-typed loss works too)
CLASS_INDEX_LOSSES = {"CrossEntropyLoss", "NLLLoss"}
PROBABILITY_LOSSES = {"BCEWithLogitsLoss", "BCELoss"}
REGRESSION_LOSSES = {"MSELoss", "L1Loss", "SmoothL1Loss", "HuberLoss"}
IMBALANCE_RATIO = 10.0  # largest / smallest class count
MIN_ENTROPY = 0.5  # label entropy / ln(number of classes)
MIN_OVERLAP = 0.02  # fraction of the validation set also in training


def check_data(X, y=None, X_val=None, y_val=None, loss_fn=None, num_classes=None,
               integer_ids=True):
    """Return the data findings for training (X, y) and validation (X_val, y_val) arrays.

    X: (N, ...) inputs; y: (N,) or (N, ...) targets; ``loss_fn`` (a Loss or None)
    tells classification from regression; ``num_classes`` (int or None, e.g. the
    model's output width) bounds the labels; ``integer_ids`` (bool): integer
    inputs are token ids (the model starts with an Embedding, or the model is
    unknown) and their scale is not judged; False: they are values (pixels
    into a Linear or a Conv) and are checked like floats. Nothing is modified.
    """
    loss_name = _loss_name(loss_fn)
    ignore_index = getattr(data_loss_of(loss_fn), "ignore_index", None)
    arrays = {"X": X, "y": y, "X_val": X_val, "y_val": y_val}
    findings = []
    for name, array in arrays.items():
        if array is not None:
            findings += non_finite(name, array)
    for name in ("y", "y_val"):
        if arrays[name] is not None:
            findings += one_hot_targets(name, arrays[name], loss_name, num_classes)
    broken = {finding.where for finding in findings}
    if "X" not in broken:
        findings += input_scale("X", X, integer_ids=integer_ids)
        findings += constant_features("X", X, integer_ids=integer_ids)
    if X_val is not None and not broken & {"X", "X_val"}:
        already = {finding.code for finding in findings}
        findings += [f for f in input_scale("X_val", X_val, reference=X, integer_ids=integer_ids)
                     if f.code not in already]
    for name in ("y", "y_val"):
        if arrays[name] is not None and name not in broken:
            findings += labels_out_of_range(name, arrays[name], loss_name, num_classes,
                                            ignore_index)
    if y is not None and not {f.where for f in findings} & {"y"}:
        findings += class_imbalance(y, loss_name, ignore_index)
    if X_val is not None:
        findings += split_overlap(X, X_val)
    return findings


def _loss_name(loss_fn):
    """The class name of the data loss, or None."""
    loss_fn = data_loss_of(loss_fn)
    return None if loss_fn is None else type(loss_fn).__name__


def _soft_targets(y, loss_name, num_classes):
    """Probability targets of a class-index loss: floats, classes on axis 1, not all 0/1
    integers (PyTorch's CrossEntropyLoss takes them when they have the logits' shape)."""
    return (loss_name in CLASS_INDEX_LOSSES and y.dtype.kind == "f" and y.ndim >= 2
            and (num_classes is None or y.shape[1] == num_classes)
            and not np.all(y == np.round(y)))


# --- NaN / Inf ---------------------------------------------------------------

def non_finite(name, array):
    """``non-finite`` (error): NaN or Inf anywhere in ``array``, with count and first index."""
    array = as_numbers(array)
    if array is None or array.dtype.kind != "f" or array.size == 0:
        return []
    bad = ~np.isfinite(array)
    count = int(bad.sum())
    if not count:
        return []
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    nan = int(np.isnan(array).sum())
    return [make_finding(
        "non-finite", name,
        {"count": count, "nan": nan, "inf": count - nan, "fraction": count / array.size,
         "first_index": str(first)},
        summary=f"{name} holds {count} non-finite value(s) ({nan} NaN), the first at "
                f"index {first}.")]


# --- labels ------------------------------------------------------------------

def one_hot_targets(name, y, loss_name, num_classes=None):
    """``one-hot-targets`` (error): one-hot rows (N, C) given to a loss that takes class indices.

    CrossEntropyLoss also takes class probabilities of the logits' shape, so
    float one-hot rows as wide as the output are valid; integer or boolean
    one-hot rows, any one-hot rows for NLLLoss, or rows of another width than
    the output are not: the loss raises a ShapeError at its first call.
    """
    dtype = np.asarray(y).dtype
    y = as_numbers(y)
    if (loss_name not in CLASS_INDEX_LOSSES or y is None or y.ndim != 2 or y.shape[1] < 2
            or len(y) == 0):
        return []
    if not (np.all((y == 0) | (y == 1)) and np.all(y.sum(axis=1) == 1)):
        return []
    wrong_width = num_classes is not None and y.shape[1] != num_classes
    if not (dtype.kind in "iub" or loss_name == "NLLLoss" or wrong_width):
        return []  # float probabilities of the logits' shape: a valid target
    return [make_finding(
        "one-hot-targets", name,
        {"shape": str(tuple(y.shape)), "dtype": str(dtype), "loss": loss_name,
         "model_outputs": num_classes if num_classes is not None else "unknown",
         "expected": "class indices of shape (N,)"},
        summary=f"{name} has shape {tuple(y.shape)} with a single 1 per row (one-hot), but "
                f"{loss_name} takes class indices of shape ({len(y)},): pass "
                f"{name}.argmax(axis=1).")]


def labels_out_of_range(name, y, loss_name, num_classes=None, ignore_index=None):
    """``labels-out-of-range`` (error): labels the loss cannot take.

    CrossEntropyLoss, NLLLoss: non-integer, negative or >= num_classes labels
    (``ignore_index`` allowed), or probability targets outside [0, 1];
    BCEWithLogitsLoss, BCELoss: targets outside [0, 1]; no loss given: integer
    labels outside [0, num_classes) when num_classes is known. Regression: nothing.
    """
    y = as_numbers(y)
    if y is None or y.size == 0 or loss_name in REGRESSION_LOSSES:
        return []
    if loss_name in PROBABILITY_LOSSES or _soft_targets(y, loss_name, num_classes):
        bad = (y < 0) | (y > 1)
        expected = "[0, 1]"
    elif loss_name in CLASS_INDEX_LOSSES or (num_classes is not None and y.dtype.kind in "iu"):
        bad = (y < 0) | (y != np.round(y))
        if num_classes is not None:
            bad |= y >= num_classes
        if ignore_index is not None:
            bad &= y != ignore_index
        expected = f"integers in [0, {num_classes if num_classes is not None else 'C'})"
    else:
        return []
    count = int(bad.sum())
    if not count:
        return []
    first = tuple(int(i) for i in np.argwhere(bad)[0])
    return [make_finding(
        "labels-out-of-range", name,
        {"count": count, "min": float(y.min()), "max": float(y.max()), "expected": expected,
         "first_index": str(first), "first_value": float(y[first])},
        summary=f"{name}: {count} label(s) are not {expected}; the first, at index "
                f"{first}, is {y[first].item()!r}.")]


def _class_labels(y, loss_name, ignore_index=None):
    """Integer class labels (flat, ``ignore_index`` left out), or None for regression and
    soft targets."""
    y = as_numbers(y)
    if y is None or y.size == 0 or loss_name in REGRESSION_LOSSES:
        return None
    if loss_name in PROBABILITY_LOSSES:
        if y.ndim > 1 and y.shape[1:] != (1,):
            return None  # multi-label targets: one class balance per column
        return y.ravel().astype(np.int64) if np.all((y == 0) | (y == 1)) else None
    if loss_name in CLASS_INDEX_LOSSES or (loss_name is None and y.dtype.kind in "iu"):
        if not np.all(y == np.round(y)):
            return None
        labels = y.ravel().astype(np.int64)
        return labels[labels != ignore_index] if ignore_index is not None else labels
    return None


def class_imbalance(y, loss_name, ignore_index=None):
    """``class-imbalance`` (warning): largest/smallest class > 10 or low label entropy.

    Counted over the classes present in ``y`` (a model may have more outputs
    than the data have classes). Only an imbalance that a chi-square test
    against equal classes finds significant (5 standard deviations) fires,
    so a small sample of balanced classes stays silent.
    """
    labels = _class_labels(y, loss_name, ignore_index)
    if labels is None or labels.size == 0 or labels.min() < 0:
        return []
    classes, counts = np.unique(labels, return_counts=True)
    if len(classes) < 2:
        return []
    expected = len(labels) / len(classes)
    chi2, dof = float(np.sum((counts - expected) ** 2) / expected), len(classes) - 1
    share = counts / len(labels)
    entropy = float(-np.sum(share * np.log(share)) / np.log(len(classes)))
    ratio = float(counts.max() / counts.min())
    significant = chi2 > dof + 5.0 * np.sqrt(2.0 * dof)
    if not (significant and (ratio > IMBALANCE_RATIO or entropy < MIN_ENTROPY)):
        return []
    evidence = {"classes": len(classes), "largest": int(counts.max()),
                "smallest": int(counts.min()), "ratio": ratio, "normalized_entropy": entropy,
                "ratio_threshold": IMBALANCE_RATIO, "entropy_threshold": MIN_ENTROPY}
    if len(classes) <= 10:
        evidence["counts"] = ", ".join(f"{c}:{n}" for c, n in zip(classes, counts))
    return [make_finding(
        "class-imbalance", "y", evidence,
        summary=f"y: the largest class has {counts.max()} samples, the smallest "
                f"{counts.min()} (ratio {ratio:.3g}); label entropy {entropy:.2f} "
                f"of the maximum.")]


# --- train / validation overlap -------------------------------------------------

def _row_keys(X):
    """One bytes key per sample: its values as contiguous float64 (-0.0 made 0.0)."""
    rows = np.ascontiguousarray(np.asarray(X, dtype=np.float64).reshape(len(X), -1)) + 0.0
    return [row.tobytes() for row in rows]


def split_overlap(X, X_val):
    """``split-overlap`` (warning): validation samples that also appear in training.

    Data with few distinct values (binary codes, short phrases, the centre
    point shared by every spiral arm) repeat by nature. The repeats inside
    each split (which a leak does not add) estimate the chance that a fresh
    sample has a twin in the training set; the warning needs more than
    ``expected + 4 std + 3`` shared samples, and at least MIN_OVERLAP of the
    validation set (a smaller leak barely moves a validation score, and a few
    chance repeats can straddle the split). With continuous features the
    chance is 0, so 4 shared samples (and 2%) fire.
    """
    X, X_val = as_numbers(X), as_numbers(X_val)
    if X is None or X_val is None or X.ndim == 0 or X_val.ndim == 0:
        return []
    if X.shape[1:] != X_val.shape[1:] or len(X) < 2 or len(X_val) < 2:
        return []
    train, val = Counter(_row_keys(X)), Counter(_row_keys(X_val))
    n_train, n_val = len(X), len(X_val)
    shared = sum(count for key, count in val.items() if key in train)
    twins = [sum(c for c in counter.values() if c > 1) for counter in (train, val)]
    # Rows with a twin grow with the number of others, linearly until they saturate.
    per_other = sum(twins) / (n_train * (n_train - 1) + n_val * (n_val - 1))
    chance = max(twins[0] / n_train, min(1.0, n_train * per_other))
    expected = n_val * chance
    threshold = expected + 4.0 * np.sqrt(expected * (1.0 - chance)) + 3.0
    if shared <= threshold or shared < MIN_OVERLAP * n_val:
        return []
    return [make_finding(
        "split-overlap", "X vs X_val",
        {"duplicates": int(shared), "fraction_of_val": shared / n_val,
         "expected_by_chance": float(expected), "threshold": float(threshold),
         "min_fraction": MIN_OVERLAP},
        summary=f"{shared} of {n_val} validation samples ({shared / n_val:.1%}) also appear "
                f"in the training set, where the repeats inside each set explain about "
                f"{expected:.3g}.")]
