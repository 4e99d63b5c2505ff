"""Variations on how training is driven: the learning rate, the optimizer, the loop, the penalty.

The classic mistakes of ``minnet.zoo.mlp`` and ``minnet.zoo.custom`` again, in
other settings: a CNN, an LSTM or a GRU instead of the spiral MLP; Adam,
AdamW, RMSprop, Adagrad or SGD instead of the one optimizer of the original;
MNIST-1D, toy_phrases or a regression task instead of the spirals. Each
``build(seed)`` is a healthy setup with ONE mistake, marked ``# MISTAKE``.
"""

import numpy as np

from minnet.core import Sequential
from minnet.data.phrases import VOCAB
from minnet.layers.activations import ReLU
from minnet.layers.dropout import Dropout
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d
from minnet.layers.recurrent import GRU, LSTM
from minnet.losses import CrossEntropyLoss, MSELoss, RegularizedLoss
from minnet.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    broken,
    collect,
    looped,
    mlp,
    mnist1d_split,
    phrases_split,
    regression_split,
    xor_split,
)


def _cnn(seed):
    from minnet.mnist1d_models import build_cnn

    return build_cnn(channels=8, rng=seed)


def _phrases_model(seed, cell):
    rng = make_rng(seed)
    return Sequential(Embedding(len(VOCAB), 16, rng=rng), cell(16, 32, rng=rng),
                      Linear(32, 2, rng=rng))


def _mnist1d_bn_mlp(seed, p=0.2):
    rng = make_rng(seed)
    return Sequential(Linear(40, 64, rng=rng), BatchNorm1d(64), ReLU(), Dropout(p, rng=rng),
                      Linear(64, 10, rng=rng))


# --- learning rate, with other optimizers ----------------------------------------------

@broken("cnn-adam-lr-x100", "A Conv1d network on MNIST-1D trained by Adam at lr=1, a hundred "
        "times the paper's 1e-2: every step throws the filters around.", "lr-too-high")
def cnn_adam_lr_x100(seed):
    model = _cnn(seed)
    optimizer = Adam(model.parameters(), lr=1e-2 * 100)  # MISTAKE
    return Experiment(model, CrossEntropyLoss(), optimizer, *mnist1d_split(seed))


@broken("lstm-adam-lr-x1e-4", "An LSTM tagging toy_phrases with Adam at lr=1e-6, ten thousand "
        "times a good 1e-2: the weights barely move.", "lr-too-low")
def lstm_adam_lr_x1e_4(seed):
    model = _phrases_model(seed, LSTM)
    optimizer = Adam(model.parameters(), lr=1e-2 * 1e-4)  # MISTAKE
    return Experiment(model, CrossEntropyLoss(), optimizer, *phrases_split(seed))


@broken("rmsprop-lr-x100-regression", "A regression MLP (MSELoss) trained by RMSprop at lr=1, "
        "a hundred times a good 1e-2.", "lr-too-high")
def rmsprop_lr_x100_regression(seed):
    model = mlp((4, 32, 32, 1), seed)
    optimizer = RMSprop(model.parameters(), lr=1e-2 * 100)  # MISTAKE
    return Experiment(model, MSELoss(), optimizer, *regression_split(seed))


@broken("adagrad-lr-x1e-4-xor", "A 2-16-2 MLP on XOR trained by Adagrad at lr=1e-5, ten "
        "thousand times a good 0.1: Adagrad's steps only shrink from there.", "lr-too-low")
def adagrad_lr_x1e_4_xor(seed):
    model = mlp((2, 16, 2), seed)
    optimizer = Adagrad(model.parameters(), lr=0.1 * 1e-4)  # MISTAKE
    return Experiment(model, CrossEntropyLoss(), optimizer, *xor_split(seed))


@broken("sgd-lr-x100-mnist1d", "An MLP on MNIST-1D trained by SGD with momentum at lr=10, a "
        "hundred times a good 0.1.", "lr-too-high")
def sgd_lr_x100_mnist1d(seed):
    model = mlp((40, 64, 64, 10), seed)
    return Experiment(model, CrossEntropyLoss(),
                      SGD(model.parameters(), lr=0.1 * 100, momentum=0.9),  # MISTAKE
                      *mnist1d_split(seed))


# --- regularization ----------------------------------------------------------------------

@broken("adamw-weight-decay-x1000", "AdamW with weight_decay=10, a thousand times its usual "
        "0.01: the decay pulls every weight to zero faster than the data can move it.",
        "regularization-dominates")
def adamw_weight_decay_x1000(seed):
    model = mlp((40, 64, 64, 10), seed)
    optimizer = AdamW(model.parameters(), lr=1e-2, weight_decay=0.01 * 1000)  # MISTAKE
    return Experiment(model, CrossEntropyLoss(), optimizer, *mnist1d_split(seed))


@broken("l2-x1000-residual-mnist1d", "The MNIST-1D residual MLP with an L2 penalty of 0.1 (a "
        "thousand times a usual 1e-4) in its loss: the penalty dwarfs the data loss.",
        "regularization-dominates")
def l2_x1000_residual_mnist1d(seed):
    from minnet.mnist1d_models import build_mlp

    model = build_mlp(rng=seed)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-4 * 1000)  # MISTAKE
    return Experiment(model, loss_fn, Adam(model.parameters(), lr=1e-3), *mnist1d_split(seed))


# --- the hand-written loop -------------------------------------------------------------------

@broken("gru-no-zero-grad", "A hand-written loop training a GRU on toy_phrases that never "
        "calls optimizer.zero_grad(): the gradients of every step add up.", "grads-not-zeroed")
def gru_no_zero_grad(seed):
    model = _phrases_model(seed, GRU)
    return looped(seed, model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                  *phrases_split(seed), epochs=3, zero_grad=False)  # MISTAKE


@broken("cnn-sgd-no-zero-grad", "A hand-written loop training a Conv1d network by SGD with "
        "momentum that never calls optimizer.zero_grad().", "grads-not-zeroed")
def cnn_sgd_no_zero_grad(seed):
    model = _cnn(seed)
    return looped(seed, model, CrossEntropyLoss(),
                  SGD(model.parameters(), lr=0.05, momentum=0.9),
                  *mnist1d_split(seed), epochs=3, zero_grad=False)  # MISTAKE


@broken("mnist1d-sorted-no-shuffle", "MNIST-1D sorted by digit and fed in file order by a "
        "hand-written SGD loop: each batch holds one or two classes.",
        "labels-sorted-no-shuffle")
def mnist1d_sorted_no_shuffle(seed):
    X, y, X_val, y_val = mnist1d_split(seed)
    order = np.argsort(y, kind="stable")  # the file lists digit 0, then 1, ...
    model = mlp((40, 64, 64, 10), seed)
    return looped(seed, model, CrossEntropyLoss(),
                  SGD(model.parameters(), lr=0.05, momentum=0.9),
                  X[order], y[order], X_val, y_val, epochs=5, shuffle=False)  # MISTAKE


@broken("bn-mnist1d-eval-in-train-mode", "A BatchNorm-Dropout MLP on MNIST-1D whose loop scores "
        "the validation set without model.eval().", "eval-in-train-mode")
def bn_mnist1d_eval_in_train_mode(seed):
    model = _mnist1d_bn_mlp(seed)
    return looped(seed, model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                  *mnist1d_split(seed), epochs=10, eval_mode=False)  # MISTAKE


@broken("cnn-batchnorm-eval-in-train-mode", "A Conv1d network with BatchNorm (no dropout) on "
        "MNIST-1D, validated without model.eval(): batch norm uses and updates the "
        "validation batch's statistics.", "eval-in-train-mode")
def cnn_batchnorm_eval_in_train_mode(seed):
    from minnet.layers.conv import Conv1d
    from minnet.layers.reshape import Flatten, Reshape

    rng = make_rng(seed)
    model = Sequential(Reshape(1, 40), Conv1d(1, 8, 5, stride=2, padding=1, rng=rng),
                       BatchNorm1d(8), ReLU(), Conv1d(8, 8, 3, stride=2, padding=1, rng=rng),
                       BatchNorm1d(8), ReLU(), Flatten(), Linear(80, 10, rng=rng))
    return looped(seed, model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                  *mnist1d_split(seed), epochs=5, eval_mode=False)  # MISTAKE


EXAMPLES = collect(globals())
