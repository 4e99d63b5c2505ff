"""Argument and input checks of the loss functions, run before any kernel.

Each check raises a MinnetError subclass whose message names the owner (the
functional entry point, or the loss object that called it: its repr), what
was expected, what was given and, where one exists, the fix. The option
checks also run in the loss constructors, so a bad argument fails there.
"""

import numpy as np

from minnet.errors import ConfigError, DataError, DTypeError, ShapeError
from minnet.validation import as_array, as_float_array, check_finite, owner_name

# --- options ---------------------------------------------------------------------


def check_weight(owner, name, weight, per_class):
    """None, or ``weight`` as a read-only float64 copy of finite values >= 0.

    ``per_class=True`` (class losses) also requires one dimension and at
    least one value: one weight per class, shape (C,). Otherwise (BCE) any
    shape is accepted here; the input's shape is checked at each call.
    """
    if weight is None:
        return None
    array = as_array(owner, weight, what=f"the '{name}' parameter")
    expected = ("a 1-d array of one weight per class, shape (C,)" if per_class
                else "an array that broadcasts to the input's shape")
    if array.dtype.kind not in "fiub":
        raise ConfigError(f"{owner_name(owner)}: the '{name}' parameter must be {expected}, "
                          f"got an array of dtype {array.dtype}")
    if per_class and (array.ndim != 1 or array.size == 0):
        hint = ("; the first positional argument is the class weight, as in PyTorch: pass "
                "the other options by keyword (label_smoothing=..., reduction=...)"
                if array.ndim == 0 else "")
        raise ConfigError(f"{owner_name(owner)}: the '{name}' parameter must be {expected}, "
                          f"got shape {array.shape}{hint}")
    array = np.array(array, dtype=np.float64)  # a copy: later edits of the caller's array
    if not np.all(np.isfinite(array)):          # cannot bypass these checks
        raise ConfigError(f"{owner_name(owner)}: the '{name}' parameter must hold finite "
                          f"values, got {np.count_nonzero(~np.isfinite(array))} NaN or Inf")
    if np.any(array < 0):
        raise ConfigError(f"{owner_name(owner)}: the '{name}' parameter must hold values "
                          f">= 0, got a smallest value of {float(array.min())!r}")
    array.flags.writeable = False
    return array


# --- inputs ----------------------------------------------------------------------

def check_not_empty(owner, x, what, reduction):
    """The mean over no elements is undefined: refuse it (a sum over none is 0)."""
    if x.size == 0 and reduction == "mean":
        raise DataError(
            f"{owner_name(owner)}: expected a non-empty {what}, got shape {x.shape}; the mean "
            f"over no elements is undefined (reduction='sum' gives 0)")


def class_scores(owner, scores, what, reduction):
    """Float scores (logits or log-probabilities) of shape (N, C) or (N, C, d1, ..., dk)."""
    scores = as_float_array(owner, scores, what=what)
    if scores.ndim < 2:
        hint = ("; for one sample use x.reshape(1, -1); with one logit per sample use "
                "BCEWithLogitsLoss") if scores.ndim == 1 else ""
        raise ShapeError(f"{owner_name(owner)}: expected {what} of shape (N, C) or "
                         f"(N, C, d1, ..., dk), got {scores.shape}{hint}")
    if scores.shape[1] == 0:
        raise ShapeError(f"{owner_name(owner)}: expected {what} with at least one class on "
                         f"axis 1, got shape {scores.shape}")
    check_not_empty(owner, scores, what, reduction)
    return scores


def check_class_weight_size(owner, weight, scores, what):
    """A class weight has one value per class: shape (C,) with C = scores.shape[1]."""
    if weight is not None and len(weight) != scores.shape[1]:
        raise ShapeError(f"{owner_name(owner)}: expected weight of shape (C,) = "
                         f"({scores.shape[1]},), one per class of the {what} {scores.shape}, "
                         f"got {weight.shape}")


def _target_shape_message(owner, scores, target, what):
    """The ShapeError for a class-index target that does not fit the scores, with a hint."""
    expected = scores.shape[:1] + scores.shape[2:]
    layout = "(N,)" if scores.ndim == 2 else "(N, d1, ..., dk)"
    message = (f"{owner_name(owner)}: expected target of shape {layout} = {expected} to match "
               f"{what} {scores.shape}, got {target.shape}")
    if target.shape == scores.shape:
        message += ("; the target looks one-hot: pass class indices, target.argmax(axis=1)")
    elif target.shape == scores.shape[:1] + (1,) + scores.shape[2:]:
        message += ("; flatten it with target.ravel()" if scores.ndim == 2
                    else "; drop the size-1 axis with target.squeeze(1)")
    elif scores.ndim > 2 and target.shape == scores.shape[:-1]:
        message += (f"; the classes must be on axis 1: for {what} of shape (N, ..., C) pass "
                    f"np.moveaxis(x, -1, 1)")
    return message


def _integer_labels(owner, target):
    """Class labels as int64: integers, bools, or integer-valued floats."""
    if target.dtype.kind == "f":
        check_finite(owner, target)
        if not np.all(target == np.round(target)):
            raise DTypeError(f"{owner_name(owner)}: expected integer class labels as target, "
                             f"got non-integer floats of dtype {target.dtype}")
        if target.size and np.max(np.abs(target)) >= 2.0 ** 63:  # no int64 holds it
            raise DataError(f"{owner_name(owner)}: expected class labels as target, got "
                            f"values as large as {np.max(np.abs(target)):.6g}")
    elif target.dtype.kind not in "iub":
        raise DTypeError(f"{owner_name(owner)}: expected integer class labels as target, got "
                         f"dtype {target.dtype}")
    return target.astype(np.int64, copy=False)


def _check_label_range(owner, labels, num_classes, ignore_index, ignored):
    """Labels in [0, C) or equal to ignore_index (``ignored``: their mask, or None)."""
    counted = labels if ignored is None else labels[~ignored]
    if counted.size == 0:
        return
    low, high = counted.min(), counted.max()
    if low >= 0 and high < num_classes:
        return
    message = (f"{owner_name(owner)}: expected target labels in [0, {num_classes}) or equal "
               f"to ignore_index={ignore_index}, got values from {low} to {high}")
    outside = counted[(counted < 0) | (counted >= num_classes)]
    if low == 1 and high == num_classes:
        message += "; the labels look 1-based: subtract 1"
    elif outside.min() == outside.max() and outside[0] < 0:
        message += f"; if {outside[0]} marks targets to skip, pass ignore_index={outside[0]}"
    raise DataError(message)


def class_target(owner, scores, target, ignore_index, allow_probabilities, what):
    """Check a class target against scores (N, C, ...): class indices or probabilities.

    Returns ``(labels, ignored)`` for class indices, shape (N, d1, ..., dk):
    ``labels`` int64, ``ignored`` a bool mask of the targets equal to
    ``ignore_index``, or None when there is none. Returns ``(probabilities,
    None)`` for a float target of the scores' shape when ``allow_probabilities``.
    """
    target = as_array(owner, target, what="target")
    if target.shape == scores.shape and allow_probabilities and target.dtype.kind == "f":
        return class_probabilities(owner, target, scores.dtype, ignore_index), None
    if target.shape != scores.shape[:1] + scores.shape[2:]:
        raise ShapeError(_target_shape_message(owner, scores, target, what))
    labels = _integer_labels(owner, target)
    num_classes = scores.shape[1]
    ignored = None
    # The common case (labels in [0, C), ignore_index outside it) costs one
    # pass: viewed as unsigned, a negative label is huge, so one maximum
    # checks both ends. Otherwise look for ignored targets, then check the rest.
    if labels.size and (labels.view(np.uint64).max() >= num_classes
                        or 0 <= ignore_index < num_classes):
        ignored = labels == ignore_index
        ignored = ignored if ignored.any() else None
        _check_label_range(owner, labels, num_classes, ignore_index, ignored)
    return labels, ignored


def class_probabilities(owner, target, dtype, ignore_index):
    """A probability target (the logits' shape): finite values in [0, 1], no ignore_index."""
    if ignore_index != -100:
        raise ConfigError(
            f"{owner_name(owner)}: ignore_index={ignore_index} applies to class-index targets, "
            f"but the target is a float array of the logits' shape (class probabilities); "
            f"leave ignore_index at its default -100, or pass class indices")
    target = target.astype(dtype, copy=False)
    check_finite(owner, target)
    check_unit_interval(owner, target, "target probabilities")
    return target


def same_shape(owner, pred, target, what, reduction):
    """Float pred and target of one shape; a finite target; non-empty for "mean".

    Targets that would broadcast are refused: (N,) against (N, 1) silently
    gives an (N, N) difference and a wrong loss that still goes down.
    """
    pred = as_float_array(owner, pred, what=what)
    target = as_float_array(owner, target, dtype=pred.dtype, what="target")
    if pred.shape != target.shape:
        message = (f"{owner_name(owner)}: expected target of the same shape as the {what}, "
                   f"{pred.shape}, got {target.shape}")
        if pred.size == target.size:
            message += (f"; reshape it with target.reshape({pred.shape}) (a (N,) and an "
                        f"(N, 1) array would broadcast to (N, N), a silently wrong loss)")
        raise ShapeError(message)
    check_not_empty(owner, pred, what, reduction)
    check_finite(owner, target)
    return pred, target


def check_unit_interval(owner, values, what, hint=None):
    """Raise DataError if a value lies outside [0, 1] (NaN passes: it is no range error).

    ``hint(bad_values) -> str or None`` may add a fix to the message.
    """
    outside = (values < 0) | (values > 1)
    if np.any(outside):
        bad = values[outside]
        message = (f"{owner_name(owner)}: expected {what} in [0, 1], got "
                   f"{bad.size} value(s) outside, from {bad.min()} to {bad.max()}")
        fix = hint(bad) if hint else None
        raise DataError(f"{message}; {fix}" if fix else message)


def check_broadcasts(owner, name, weight, shape, what, example):
    """``weight`` must broadcast to ``shape`` without changing it (PyTorch's rule).

    ``example`` describes a typical fitting shape for the message.
    """
    if weight is None:
        return None
    try:
        fits = np.broadcast_shapes(weight.shape, shape) == shape
    except ValueError:
        fits = False
    if not fits:
        raise ShapeError(
            f"{owner_name(owner)}: expected {name} broadcastable to the {what}' shape {shape} "
            f"without enlarging it ({example}), got {weight.shape}")
    return weight
