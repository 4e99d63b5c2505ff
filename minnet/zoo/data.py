"""Broken data: unscaled or offset inputs, imbalance, leakage, NaN, wrong labels.

The models are healthy (the spiral MLP of ``minnet.zoo.mlp``, an MLP on
MNIST-1D); the arrays handed to training carry ONE mistake, marked
``# MISTAKE``.
"""

import numpy as np

from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.zoo.base import (
    Experiment,
    broken,
    collect,
    mlp,
    mnist1d_split,
    spiral_split,
    xor_split,
)

SPIRAL_SIZES = (2, 32, 32, 3)


def _experiment(seed, X, y, X_val=None, y_val=None, sizes=SPIRAL_SIZES):
    model = mlp(sizes, seed)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val)


@broken("inputs-x255", "MNIST-1D signals stored as 0-255 pixel intensities and never divided "
        "by 255 (nor standardized).", "inputs-not-scaled")
def inputs_x255(seed):
    X, y, X_val, y_val = mnist1d_split(seed)
    low, high = X.min(), X.max()

    def as_pixels(array):
        return np.round((array - low) / (high - low) * 255.0)  # MISTAKE: kept in [0, 255]

    return _experiment(seed, as_pixels(X), y, as_pixels(X_val), y_val, sizes=(40, 64, 10))


@broken("inputs-offset-100", "Features measured from an origin 100 units away (like "
        "temperatures in kelvin): every input is about 100 +- 1.", "inputs-not-centered")
def inputs_offset_100(seed):
    X, y, X_val, y_val = spiral_split(seed)
    return _experiment(seed, X + 100.0, y, X_val + 100.0, y_val)  # MISTAKE


@broken("class-imbalance-1-20", "XOR with 20 times more samples of class 0 than of class 1: "
        "always answering 0 is already 95% right.", "class-imbalance")
def class_imbalance(seed):
    X, y, X_val, y_val = xor_split(seed, n=1400)
    rng = np.random.default_rng(seed)

    def one_in_twenty(labels, majority):  # MISTAKE: the data as collected, 20 to 1
        keep = np.concatenate([np.flatnonzero(labels == 0)[:majority],
                               np.flatnonzero(labels == 1)[:majority // 20]])
        return rng.permutation(keep)

    train, val = one_in_twenty(y, 500), one_in_twenty(y_val, 120)
    return _experiment(seed, X[train], y[train], X_val[val], y_val[val], sizes=(2, 32, 32, 2))


@broken("train-val-duplicates", "The validation set was drawn from the whole data set, "
        "training samples included: half of it was seen in training.", "split-overlap")
def train_val_duplicates(seed):
    X, y, X_val, y_val = spiral_split(seed)
    rng = np.random.default_rng(seed)
    leaked = rng.choice(len(X), len(X_val) // 2, replace=False)
    X_val = np.concatenate([X_val[:len(X_val) - len(leaked)], X[leaked]])  # MISTAKE
    y_val = np.concatenate([y_val[:len(y_val) - len(leaked)], y[leaked]])
    return _experiment(seed, X, y, X_val, y_val)


@broken("nan-in-inputs", "Missing measurements left as NaN in the inputs: one NaN makes the "
        "loss and every gradient NaN.", "non-finite")
def nan_in_inputs(seed):
    X, y, X_val, y_val = spiral_split(seed)
    rng = np.random.default_rng(seed)
    X = X.copy()
    X[rng.choice(len(X), 5, replace=False), rng.integers(0, 2, 5)] = np.nan  # MISTAKE
    return _experiment(seed, X, y, X_val, y_val)


@broken("labels-1-based", "Labels numbered 1..3 (as in MATLAB or R) for a 3-class output that "
        "expects 0..2.", "labels-out-of-range")
def labels_one_based(seed):
    X, y, X_val, y_val = spiral_split(seed)
    return _experiment(seed, X, y + 1, X_val, y_val + 1)  # MISTAKE


@broken("constant-feature", "A column of ones appended to the inputs (the bias trick of "
        "linear regression): a feature that never changes carries no information (a hint, "
        "info).", "constant-feature", severity="info")
def constant_feature(seed):
    X, y, X_val, y_val = spiral_split(seed)

    def with_ones(array):
        return np.column_stack([array, np.ones(len(array))])  # MISTAKE: Linear has a bias

    return _experiment(seed, with_ones(X), y, with_ones(X_val), y_val, sizes=(3, 32, 32, 3))


EXAMPLES = collect(globals())
