"""Variations on broken data: scale, offset, imbalance, leakage, NaN and labels, in other settings.

The mistakes of ``minnet.zoo.data`` again, with a Conv1d network, a GRU, a
regression MLP trained by MSE or an MLP trained by SGD. The models are healthy;
the arrays handed to training carry ONE mistake, marked ``# MISTAKE``.
"""

import numpy as np

from minnet.core import Sequential
from minnet.data.phrases import VOCAB
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.recurrent import GRU
from minnet.losses import CrossEntropyLoss, MSELoss
from minnet.optim import SGD, Adam, RMSprop
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    bars_split,
    broken,
    collect,
    mlp,
    mnist1d_split,
    phrases_split,
    regression_split,
)


def _cnn(seed):
    from minnet.mnist1d_models import build_cnn

    return build_cnn(channels=8, rng=seed)


def _regression(seed, X, y, X_val, y_val):
    model = mlp((X.shape[1], 32, 32, 1), seed)
    return Experiment(model, MSELoss(), Adam(model.parameters(), lr=1e-2), X, y, X_val, y_val)


@broken("conv1d-inputs-x255", "MNIST-1D signals as 0-255 intensities fed to a Conv1d network "
        "(nor divided by 255, nor standardized).", "inputs-not-scaled")
def conv1d_inputs_x255(seed):
    X, y, X_val, y_val = mnist1d_split(seed)
    low, high = X.min(), X.max()

    def as_pixels(array):
        return np.round((array - low) / (high - low) * 255.0)  # MISTAKE: kept in [0, 255]

    model = _cnn(seed)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      as_pixels(X), y, as_pixels(X_val), y_val)


@broken("regression-double-scaled", "Regression features in raw units (std about 250) divided "
        "by their std twice: the inputs end with std 1/250, too small for the MLP to read.",
        "inputs-not-scaled")
def regression_double_scaled(seed):
    X, y, X_val, y_val = regression_split(seed)
    # The measurements in their units. (With a std of 40, Adam still learns from the
    # 1/40-scaled inputs: validation MSE 0.16 against 0.14 standardized; at 250 it is 1.28.)
    raw = [250.0 * array + 3000.0 for array in (X, X_val)]
    mean, std = raw[0].mean(axis=0), raw[0].std(axis=0)
    X, X_val = ((array - mean) / std / std for array in raw)  # MISTAKE: divided twice
    return _regression(seed, X, y, X_val, y_val)


@broken("regression-inputs-offset", "Regression features centred at 500 instead of 0 (the "
        "mean never subtracted), trained by RMSprop.", "inputs-not-centered")
def regression_inputs_offset(seed):
    X, y, X_val, y_val = regression_split(seed)
    model = mlp((4, 32, 32, 1), seed)
    return Experiment(model, MSELoss(), RMSprop(model.parameters(), lr=1e-3),
                      X + 500.0, y, X_val + 500.0, y_val)  # MISTAKE


@broken("regression-split-overlap", "A regression set whose validation rows were sampled from "
        "the whole table: a third of them are also training rows.", "split-overlap")
def regression_split_overlap(seed):
    X, y, X_val, y_val = regression_split(seed)
    rng = np.random.default_rng(seed)
    leaked = rng.choice(len(X), len(X_val) // 3, replace=False)
    keep = len(X_val) - len(leaked)
    X_val = np.concatenate([X_val[:keep], X[leaked]])  # MISTAKE
    y_val = np.concatenate([y_val[:keep], y[leaked]])
    return _regression(seed, X, y, X_val, y_val)


@broken("gru-phrases-split-overlap", "A GRU tagger whose validation messages were topped up "
        "with messages from the training set: a third of them were seen in training.",
        "split-overlap")
def gru_phrases_split_overlap(seed):
    X, y, X_val, y_val = phrases_split(seed, n=500)
    rng = np.random.default_rng(seed)
    leaked = rng.choice(len(X), len(X_val) // 3, replace=False)
    keep = len(X_val) - len(leaked)
    X_val = np.concatenate([X_val[:keep], X[leaked]])  # MISTAKE
    y_val = np.concatenate([y_val[:keep], y[leaked]])
    rng = make_rng(seed)
    model = Sequential(Embedding(len(VOCAB), 16, rng=rng), GRU(16, 32, rng=rng),
                       Linear(32, 2, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val)


@broken("cnn-imbalance-1-20", "A Conv1d network told apart MNIST-1D digits 0 and 1, with 20 "
        "times more 0s than 1s in the data as collected.", "class-imbalance")
def cnn_imbalance_1_20(seed):
    from minnet.layers.activations import ReLU
    from minnet.layers.conv import Conv1d
    from minnet.layers.reshape import Flatten, Reshape

    X, y, X_val, y_val = mnist1d_split(seed)

    def one_in_twenty(inputs, labels):  # MISTAKE: the data as collected, 20 to 1
        zeros, ones = np.flatnonzero(labels == 0), np.flatnonzero(labels == 1)
        keep = np.sort(np.concatenate([zeros, ones[:max(1, len(zeros) // 20)]]))
        return inputs[keep], labels[keep]

    rng = make_rng(seed)
    model = Sequential(Reshape(1, 40), Conv1d(1, 8, 5, stride=2, padding=1, rng=rng), ReLU(),
                       Flatten(), Linear(8 * 19, 2, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      *one_in_twenty(X, y), *one_in_twenty(X_val, y_val))


@broken("regression-nan-targets", "Missing regression targets left as NaN: the MSE of any "
        "batch holding one is NaN.", "non-finite")
def regression_nan_targets(seed):
    X, y, X_val, y_val = regression_split(seed)
    rng = np.random.default_rng(seed)
    y = y.copy()
    y[rng.choice(len(y), 4, replace=False)] = np.nan  # MISTAKE: never dropped nor imputed
    return _regression(seed, X, y, X_val, y_val)


@broken("mnist1d-labels-1-based", "MNIST-1D digits labelled 1..10 (one-based) for a 10-way "
        "output, trained by SGD.", "labels-out-of-range")
def mnist1d_labels_1_based(seed):
    X, y, X_val, y_val = mnist1d_split(seed)
    model = mlp((40, 64, 10), seed)
    return Experiment(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.05, momentum=0.9),
                      X, y + 1, X_val, y_val + 1)  # MISTAKE


@broken("bars-images-x255", "Tiny bar images stored as 0-255 pixel values and fed to a "
        "Conv2d network unscaled.", "inputs-not-scaled")
def bars_images_x255(seed):
    from minnet.layers.activations import ReLU
    from minnet.layers.conv import Conv2d
    from minnet.layers.reshape import Flatten

    X, y, X_val, y_val = bars_split(seed)
    low, high = X.min(), X.max()

    def as_pixels(array):
        return np.round(np.clip((array - low) / (high - low), 0, 1) * 255.0)  # MISTAKE

    rng = make_rng(seed)
    model = Sequential(Conv2d(1, 8, 3, padding=1, rng=rng), ReLU(), Flatten(),
                       Linear(8 * 8 * 8, 3, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      as_pixels(X), y, as_pixels(X_val), y_val)


EXAMPLES = collect(globals())
