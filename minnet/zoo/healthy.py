"""Healthy setups: the twins of the broken ones. The doctor must report no warning or error.

MLPs on spiral, XOR, MNIST-1D and a regression task; a CNN; batch norm with
dropout in the right order; LSTM and GRU on toy_phrases; a correct
hand-written loop under ``watch``; ``fit()`` with a ``DoctorCallback``.
"""

import functools

import numpy as np

from minnet.core import Sequential
from minnet.data.phrases import VOCAB
from minnet.layers.activations import Tanh
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.recurrent import GRU, LSTM
from minnet.losses import CrossEntropyLoss, MSELoss, RegularizedLoss
from minnet.optim import SGD, Adam
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    bn_dropout_mlp,
    collect,
    healthy,
    mlp,
    mnist1d_split,
    phrases_split,
    spiral_split,
    train_loop,
    xor_split,
)

SPIRAL_SIZES = (2, 32, 32, 3)


def _adam(seed, model, X, y, X_val, y_val, loss_fn=None, lr=1e-2, train=None):
    return Experiment(model, loss_fn or CrossEntropyLoss(), Adam(model.parameters(), lr=lr),
                      X, y, X_val, y_val, train)


@healthy("healthy-mlp-spiral", "A 2-32-32-3 ReLU MLP (He init) on the spirals, "
         "Adam lr=1e-2.")
def mlp_spiral(seed):
    return _adam(seed, mlp(SPIRAL_SIZES, seed), *spiral_split(seed))


@healthy("healthy-mlp-xor-sgd", "A 2-16-2 ReLU MLP on XOR, SGD lr=0.1 with "
         "momentum 0.9.")
def mlp_xor_sgd(seed):
    model = mlp((2, 16, 2), seed)
    X, y, X_val, y_val = xor_split(seed)
    return Experiment(model, CrossEntropyLoss(),
                      SGD(model.parameters(), lr=0.1, momentum=0.9), X, y, X_val, y_val)


@healthy("healthy-tanh-glorot", "A 2-32-32-3 tanh MLP with Glorot init on the "
         "spirals, SGD lr=0.1 with momentum 0.9 (the twin of lr-x100 and lr-x1e-4).")
def tanh_glorot(seed):
    model = mlp(SPIRAL_SIZES, seed, activation=Tanh, init="xavier", last_init="xavier")
    X, y, X_val, y_val = spiral_split(seed)
    return Experiment(model, CrossEntropyLoss(),
                      SGD(model.parameters(), lr=0.1, momentum=0.9), X, y, X_val, y_val)


@healthy("healthy-weight-decay", "The spiral MLP with a moderate L2 penalty "
         "(RegularizedLoss, l2=1e-4).")
def weight_decay(seed):
    model = mlp(SPIRAL_SIZES, seed)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-4)
    return _adam(seed, model, *spiral_split(seed), loss_fn=loss_fn)


@healthy("healthy-bn-dropout-mlp", "Linear-BatchNorm-ReLU-Dropout blocks (the right "
         "order) on the spirals.")
def bn_dropout(seed):
    return _adam(seed, bn_dropout_mlp(seed), *spiral_split(seed))


@healthy("healthy-regression-mse", "A 4-32-32-1 ReLU MLP regressing "
         "sin(x0) + x1 x2 with MSELoss.")
def regression_mse(seed):
    rng = make_rng(seed)
    X = rng.standard_normal((400, 4))
    y = (np.sin(X[:, 0]) + X[:, 1] * X[:, 2] + 0.1 * rng.standard_normal(400))[:, None]
    model = mlp((4, 32, 32, 1), rng)
    return _adam(seed, model, X[:320], y[:320], X[320:], y[320:], loss_fn=MSELoss())


@healthy("healthy-residual-mlp-mnist1d", "The MNIST-1D paper's residual MLP "
         "(40-100-[100]-10) on 800 samples, Adam lr=1e-3.")
def residual_mlp_mnist1d(seed):
    from minnet.mnist1d_models import build_mlp

    # The paper's lr=1e-2 overfits 800 samples within the doctor's run (truly: the
    # validation loss doubles); the paper trains on 4000.
    return _adam(seed, build_mlp(rng=seed), *mnist1d_split(seed), lr=1e-3)


@healthy("healthy-cnn-mnist1d", "A three-layer Conv1d network (the MNIST-1D paper's "
         "CNN, 8 channels) on MNIST-1D.")
def cnn_mnist1d(seed):
    from minnet.mnist1d_models import build_cnn

    return _adam(seed, build_cnn(channels=8, rng=seed), *mnist1d_split(seed))


def _recurrent(seed, cell):
    rng = make_rng(seed)
    model = Sequential(Embedding(len(VOCAB), 16, rng=rng), cell(16, 32, rng=rng),
                       Linear(32, 2, rng=rng))
    return _adam(seed, model, *phrases_split(seed))


@healthy("healthy-lstm-phrases", "Embedding-LSTM-Linear tagging toy_phrases.")
def lstm_phrases(seed):
    return _recurrent(seed, LSTM)


@healthy("healthy-gru-phrases", "Embedding-GRU-Linear tagging toy_phrases.")
def gru_phrases(seed):
    return _recurrent(seed, GRU)


@healthy("healthy-hand-written-loop", "A hand-written loop (zero_grad, shuffling, "
         "eval() for validation) training a BatchNorm-Dropout MLP under watch().")
def hand_written_loop(seed):
    X, y, X_val, y_val = spiral_split(seed)
    model = bn_dropout_mlp(seed)
    train = functools.partial(train_loop, epochs=20, batch_size=32, rng=seed,
                              X_val=X_val, y_val=y_val)
    return _adam(seed, model, X, y, X_val, y_val, train=train)


def _fit_with_doctor(model, loss_fn, optimizer, X, y, *, X_val, y_val, seed):
    """Train with ``fit()`` watched by a DoctorCallback; return the callback's Report."""
    from minnet.diagnostics.callback import DoctorCallback
    from minnet.training import fit

    callback = DoctorCallback()
    fit(model, loss_fn, optimizer, X, y, X_val=X_val, y_val=y_val, epochs=20, batch_size=32,
        callbacks=[callback], progress=False, rng=seed)
    return callback.report()


@healthy("healthy-fit-doctor-callback", "The spiral MLP trained by fit() with a "
         "DoctorCallback (its report joins the doctor's).")
def fit_doctor_callback(seed):
    X, y, X_val, y_val = spiral_split(seed)
    train = functools.partial(_fit_with_doctor, X_val=X_val, y_val=y_val, seed=seed)
    return _adam(seed, mlp(SPIRAL_SIZES, seed), X, y, X_val, y_val, train=train)


EXAMPLES = collect(globals())
