"""train_val_split: hold out a validation set, optionally stratified by class."""

import math

import numpy as np

from minnet.errors import ConfigError, DataError, ShapeError
from minnet.random import make_rng
from minnet.validation import as_array, check_float

_NAME = "train_val_split"


def train_val_split(X, y, val_fraction=0.2, shuffle=True, stratify=False, rng=None):
    """Split samples into a training and a validation set.

    Parameters
    ----------
    X : array of shape (N, ...)
    y : array of shape (N, ...) or None
    val_fraction : float in (0, 1)
        The validation set gets ``ceil(val_fraction * N)`` samples, the training
        set the rest (scikit-learn's rounding); each must get at least one.
    shuffle : bool
        Draw the split at random. With ``shuffle=False`` the validation set is
        the last samples, in order: only right when the data are not sorted.
    stratify : bool
        Keep each class's share of y the same in both sets (y must be 1-D class
        labels, each class with at least 2 samples). Requires ``shuffle=True``.
    rng : None, int or numpy.random.Generator

    Returns
    -------
    X_train, X_val, y_train, y_val
        In scikit-learn's ``train_test_split`` order (both X's first, then both
        y's), so ``X_train, X_val, y_train, y_val = train_val_split(X, y)``.
        With ``y=None``, ``y_train`` and ``y_val`` are None. The arrays are new
        (fancy-indexed) arrays, not views.
    """
    val_fraction = check_float(_NAME, "val_fraction", val_fraction, low=0.0, high=1.0,
                               low_open=True, high_open=True)
    if not isinstance(shuffle, (bool, np.bool_)) or not isinstance(stratify, (bool, np.bool_)):
        raise ConfigError(f"{_NAME}: 'shuffle' and 'stratify' must be bools, got "
                          f"shuffle={shuffle!r}, stratify={stratify!r}")
    X = as_array(_NAME, X, what="X")  # a ragged list: a ShapeError
    if X.ndim == 0:
        raise ShapeError(f"{_NAME}: expected X of shape (N, ...), got a scalar {X!r}")
    num_samples = len(X)
    if y is not None:
        y = as_array(_NAME, y, what="y")
        if y.ndim == 0 or len(y) != num_samples:
            raise ShapeError(
                f"{_NAME}: X and y must have the same number of samples (first axis), "
                f"got len(X)={num_samples} and y of shape {y.shape}"
            )
    num_val = math.ceil(val_fraction * num_samples)
    if num_samples - num_val < 1:
        raise DataError(
            f"{_NAME}: val_fraction={val_fraction} of {num_samples} sample(s) leaves no "
            f"training sample; need more samples or a smaller val_fraction"
        )
    if stratify:
        if not shuffle:
            raise ConfigError(f"{_NAME}: stratify=True requires shuffle=True "
                              f"(a stratified split is a random one)")
        if y is None or y.ndim != 1:
            raise ShapeError(f"{_NAME}: stratify=True needs y as 1-D class labels of "
                             f"shape (N,), got {None if y is None else y.shape}")
        train_index, val_index = _stratified_indices(y, num_val, make_rng(rng))
    elif shuffle:
        order = make_rng(rng).permutation(num_samples)
        train_index, val_index = order[:num_samples - num_val], order[num_samples - num_val:]
    else:
        train_index = np.arange(num_samples - num_val)
        val_index = np.arange(num_samples - num_val, num_samples)
    if y is None:
        return X[train_index], X[val_index], None, None
    return X[train_index], X[val_index], y[train_index], y[val_index]


def _stratified_indices(y, num_val, rng):
    """Per-class validation counts by largest remainder, so they sum to ``num_val``.

    Each class c of size n_c is owed ``num_val * n_c / N`` validation samples;
    the floors are given first, then the leftover places go to the classes
    with the largest fractional parts (ties: in class order), preferring classes
    that keep at least one training sample after the extra one.
    """
    classes, class_of_sample, counts = np.unique(y, return_inverse=True, return_counts=True)
    if counts.min() < 2:
        raise DataError(
            f"{_NAME}: stratify=True needs at least 2 samples per class, but class "
            f"{classes[np.argmin(counts)].item()!r} has only {counts.min()}"
        )
    owed = num_val * counts / len(y)
    per_class = np.floor(owed).astype(np.int64)
    leftover = num_val - per_class.sum()
    would_empty_train = per_class + 1 >= counts
    priority = np.lexsort((-(owed - per_class), would_empty_train))
    per_class[priority[:leftover]] += 1
    train_parts, val_parts = [], []
    for c, num_class_val in enumerate(per_class):
        members = rng.permutation(np.flatnonzero(class_of_sample == c))
        val_parts.append(members[:num_class_val])
        train_parts.append(members[num_class_val:])
    # Shuffle across classes too, otherwise the sets come out sorted by class.
    train_index = rng.permutation(np.concatenate(train_parts))
    val_index = rng.permutation(np.concatenate(val_parts))
    return train_index, val_index
