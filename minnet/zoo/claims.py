"""Broken setups that back a claim of the catalog with a runnable case.

Raw uint8 pixels into a CNN (integers are not token ids there), one-hot
targets for CrossEntropyLoss, an output layer narrower than the number of
classes, a first layer that expects more features than the data have (the
doctor reports the error instead of crashing), an RNN whose gradient fades
through time, and a hand-written loop that trains in eval mode. The mistake
is marked ``# MISTAKE``; the healthy twins are in ``minnet.zoo.healthy``
(healthy-cnn-mnist1d, healthy-mlp-spiral, the recurrent ones) and
``minnet.zoo.custom``'s loops.
"""

import functools

import numpy as np

from minnet.core import Sequential
from minnet.data import adding_problem
from minnet.layers.linear import Linear
from minnet.layers.recurrent import RNN
from minnet.losses import CrossEntropyLoss, MSELoss
from minnet.optim import Adam
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    bn_dropout_mlp,
    broken,
    collect,
    mlp,
    mnist1d_split,
    spiral_split,
    train_loop,
)

SPIRAL_SIZES = (2, 32, 32, 3)


def _adam(model, X, y, X_val=None, y_val=None, lr=1e-2, loss_fn=None):
    return Experiment(model, loss_fn or CrossEntropyLoss(), Adam(model.parameters(), lr=lr),
                      X, y, X_val, y_val)


@broken("uint8-pixels-cnn", "MNIST-1D stored as uint8 intensities 0-255 and fed to a Conv1d "
        "network: integers into a convolution are raw pixels, not token ids.",
        "inputs-not-scaled")
def uint8_pixels_cnn(seed):
    from minnet.mnist1d_models import build_cnn

    X, y, X_val, y_val = mnist1d_split(seed)
    low, high = X.min(), X.max()

    def as_pixels(array):  # MISTAKE: 8-bit pixels, never divided by 255
        return np.round((array - low) / (high - low) * 255.0).astype(np.uint8)

    return _adam(build_cnn(channels=8, rng=seed), as_pixels(X), y, as_pixels(X_val), y_val,
                 lr=1e-3)


@broken("one-hot-targets", "Integer one-hot rows (N, 3) given to CrossEntropyLoss, which takes "
        "class indices (N,): the loss raises at its first call.", "one-hot-targets")
def one_hot_targets(seed):
    X, y, X_val, y_val = spiral_split(seed)
    one_hot = np.eye(3, dtype=np.int64)  # MISTAKE: the targets are kept one-hot
    return _adam(mlp(SPIRAL_SIZES, seed), X, one_hot[y], X_val, one_hot[y_val])


@broken("output-width-2-for-3-classes", "The output layer has 2 units for the spirals' 3 "
        "classes: label 2 has no logit.", "labels-out-of-range")
def output_width_too_small(seed):
    X, y, X_val, y_val = spiral_split(seed)
    return _adam(mlp((2, 32, 32, 2), seed), X, y, X_val, y_val)  # MISTAKE: 2 outputs


@broken("input-width-mismatch", "The first Linear expects 3 features, the spirals have 2: "
        "every forward raises a ShapeError, which the doctor reports.", "setup-error")
def input_width_mismatch(seed):
    X, y, X_val, y_val = spiral_split(seed)
    return _adam(mlp((3, 32, 32, 3), seed), X, y, X_val, y_val)  # MISTAKE: 3 inputs


@broken("vanishing-rnn", "A tanh RNN on the adding problem (50 steps) whose recurrent weights "
        "are a tenth of their usual scale: the error of the last step fades to nothing "
        "before it reaches the first.", ("weight-scale-skew", "vanishing-gradients"))
def vanishing_rnn(seed, steps=50, hidden=16):
    rng = make_rng(seed)
    X, y = adding_problem(256, steps, rng=rng)
    X_val, y_val = adding_problem(64, steps, rng=rng)
    rnn = RNN(2, hidden, rng=rng)
    rnn.weight_hh_l0.data[...] *= 0.1  # MISTAKE: a contraction at every step
    model = Sequential(rnn, Linear(hidden, 1, rng=rng))
    return _adam(model, X, y[:, None], X_val, y_val[:, None], lr=1e-3, loss_fn=MSELoss())


@broken("model-left-in-eval-mode", "A hand-written loop that calls model.eval() before "
        "training and never model.train(): dropout never drops and batch norm never "
        "normalizes with batch statistics.", "train-in-eval-mode")
def model_left_in_eval_mode(seed):
    X, y, X_val, y_val = spiral_split(seed)
    experiment = _adam(bn_dropout_mlp(seed), X, y, X_val, y_val)
    # MISTAKE: model.eval() once, before training, and never model.train()
    experiment.train = functools.partial(train_loop, epochs=10, batch_size=32, rng=seed,
                                         train_mode=False)
    return experiment


EXAMPLES = collect(globals())
