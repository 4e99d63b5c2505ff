"""Variations on the model: initialization, depth, layer order and the output, in other settings.

The mistakes of ``minnet.zoo.mlp`` and ``minnet.zoo.rnn`` again, on a Conv1d
network (MNIST-1D), a GRU or LSTM (toy_phrases, the adding problem), a deep
tanh or sigmoid stack, a Conv2d network on tiny images. Each ``build(seed)``
is a healthy setup with ONE mistake, marked ``# MISTAKE``.
"""

import numpy as np

from minnet.core import Sequential
from minnet.data import adding_problem
from minnet.data.phrases import VOCAB
from minnet.layers.activations import ReLU, Sigmoid, Softmax, Tanh
from minnet.layers.conv import Conv1d, Conv2d
from minnet.layers.dropout import Dropout
from minnet.layers.embedding import Embedding
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d, BatchNorm2d
from minnet.layers.recurrent import GRU, LSTM
from minnet.layers.reshape import Flatten, Reshape
from minnet.losses import CrossEntropyLoss, MSELoss
from minnet.optim import SGD, Adam
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


def _cnn(seed, init="he", last=()):
    """Conv1d(1->8, k5, s2) ReLU Conv1d(8->8, k3, s2) ReLU, Flatten, Linear(80, 10), ``last``.

    Shapes: (N, 40) -> (N, 1, 40) -> (N, 8, 19) -> (N, 8, 10) -> (N, 80) -> (N, 10).
    """
    rng = make_rng(seed)
    return Sequential(Reshape(1, 40), Conv1d(1, 8, 5, stride=2, padding=1, init=init, rng=rng),
                      ReLU(), Conv1d(8, 8, 3, stride=2, padding=1, init=init, rng=rng), ReLU(),
                      Flatten(), Linear(80, 10, init=init, rng=rng), *last)


def _mnist1d(seed, model, lr=1e-2, loss_fn=None):
    return Experiment(model, loss_fn or CrossEntropyLoss(), Adam(model.parameters(), lr=lr),
                      *mnist1d_split(seed))


def _phrases(seed, model):
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      *phrases_split(seed))


def _scaled(factor, name="he_normal"):
    from minnet.init import get_initializer

    base = get_initializer(name)

    def init(shape, rng=None, dtype=np.float64):
        return factor * base(shape, rng=rng, dtype=dtype)

    return init


# --- initialization ---------------------------------------------------------------------

@broken("gru-zero-init", "A GRU tagging toy_phrases with every recurrent and input weight "
        "set to 0: all hidden units compute the same thing, forever.", "symmetric-init")
def gru_zero_init(seed):
    rng = make_rng(seed)
    gru = GRU(16, 32, rng=rng)
    for param in gru.parameters():
        param.data[...] = 0.0  # MISTAKE
    return _phrases(seed, Sequential(Embedding(len(VOCAB), 16, rng=rng), gru,
                                     Linear(32, 2, rng=rng)))


@broken("cnn-zero-init", "A Conv1d network on MNIST-1D whose filters all start at 0: every "
        "channel is the same filter.", "symmetric-init")
def cnn_zero_init(seed):
    return _mnist1d(seed, _cnn(seed, init="zeros"))  # MISTAKE


@broken("deep-tanh-constant-init", "A six-layer tanh regression network with every weight "
        "0.05: the units of a layer are identical twins.", "symmetric-init")
def deep_tanh_constant_init(seed):
    def constant(shape, rng=None, dtype=np.float64):
        return np.full(shape, 0.05, dtype=dtype)  # MISTAKE

    model = mlp((4,) + (32,) * 6 + (1,), seed, activation=Tanh, init=constant, last_init=constant)
    return Experiment(model, MSELoss(), SGD(model.parameters(), lr=0.05, momentum=0.9),
                      *regression_split(seed))


@broken("cnn-init-std-x10", "A Conv1d network on MNIST-1D with filters drawn at 10x the He "
        "standard deviation.", "weight-scale-skew")
def cnn_init_std_x10(seed):
    return _mnist1d(seed, _cnn(seed, init=_scaled(10.0)))  # MISTAKE


@broken("regression-init-std-x0.01", "A four-layer ReLU regression network with weights at "
        "0.01x the He standard deviation: the output starts at zero and barely moves.",
        "weight-scale-skew")
def regression_init_std_x0_01(seed):
    model = mlp((4, 32, 32, 32, 1), seed, init=_scaled(0.01), last_init=_scaled(0.01))  # MISTAKE
    return Experiment(model, MSELoss(), Adam(model.parameters(), lr=1e-3),
                      *regression_split(seed))


@broken("sigmoid-stack-sgd-mnist1d", "Eight sigmoid layers on MNIST-1D trained by SGD: the "
        "gradient shrinks by up to 4x per layer on its way down.", "vanishing-gradients")
def sigmoid_stack_sgd_mnist1d(seed):
    sizes = (40,) + (32,) * 8 + (10,)
    model = mlp(sizes, seed, activation=Sigmoid, init="lecun", last_init="lecun")  # MISTAKE
    return Experiment(model, CrossEntropyLoss(), SGD(model.parameters(), lr=0.1, momentum=0.9),
                      *mnist1d_split(seed))


@broken("cnn-dead-relu-bias", "A Conv1d network on MNIST-1D whose convolution biases start at "
        "-5: every ReLU is off from the first step.", "dead-relu")
def cnn_dead_relu_bias(seed):
    model = _cnn(seed)
    for conv in (model[1], model[3]):
        conv.bias.data[:] = -5.0  # MISTAKE
    return _mnist1d(seed, model)


@broken("exploding-gru-adding", "A GRU on the adding problem (50 steps) whose recurrent "
        "weights are drawn from N(0, 4), not scaled by 1/sqrt(H): the init is the root cause, "
        "gradients exploding back in time its symptom.",
        ("weight-scale-skew", "exploding-gradients"))
def exploding_gru_adding(seed, steps=50, hidden=16):
    rng = make_rng(seed)
    X, y = adding_problem(256, steps, rng=rng)
    X_val, y_val = adding_problem(64, steps, rng=rng)
    gru = GRU(2, hidden, rng=rng)
    gru.weight_hh_l0.data[...] = 2.0 * rng.standard_normal((3 * hidden, hidden))  # MISTAKE
    model = Sequential(gru, Linear(hidden, 1, rng=rng))
    return Experiment(model, MSELoss(), Adam(model.parameters(), lr=1e-2),
                      X, y[:, None], X_val, y_val[:, None])


# --- architecture and the output ------------------------------------------------------------

@broken("cnn-softmax-before-loss", "A Conv1d network on MNIST-1D ending with Softmax, fed to "
        "CrossEntropyLoss, which applies its own.", "softmax-before-loss")
def cnn_softmax_before_loss(seed):
    return _mnist1d(seed, _cnn(seed, last=(Softmax(),)))  # MISTAKE


@broken("lstm-softmax-before-loss", "An LSTM tagging toy_phrases whose output layer ends with "
        "Softmax before CrossEntropyLoss.", "softmax-before-loss")
def lstm_softmax_before_loss(seed):
    rng = make_rng(seed)
    return _phrases(seed, Sequential(Embedding(len(VOCAB), 16, rng=rng), LSTM(16, 32, rng=rng),
                                     Linear(32, 2, rng=rng), Softmax()))  # MISTAKE


@broken("cnn-relu-before-loss", "A Conv1d network on MNIST-1D whose output Linear is followed "
        "by ReLU: negative logits are clipped to 0.", "relu-before-loss")
def cnn_relu_before_loss(seed):
    return _mnist1d(seed, _cnn(seed, last=(ReLU(),)))  # MISTAKE


@broken("conv2d-dropout-before-batchnorm", "A Conv2d network on tiny bar images whose block is "
        "Conv2d, Dropout, ReLU, BatchNorm2d.", "dropout-before-batchnorm")
def conv2d_dropout_before_batchnorm(seed):
    rng = make_rng(seed)
    model = Sequential(Conv2d(1, 8, 3, padding=1, rng=rng), Dropout(0.3, rng=rng),  # MISTAKE
                       ReLU(), BatchNorm2d(8), Flatten(), Linear(8 * 8 * 8, 3, rng=rng))
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      *bars_split(seed))


@broken("stacked-linear-batchnorm-mnist1d", "Linear, BatchNorm, Linear on MNIST-1D with no "
        "activation: batch norm is affine at evaluation, so the model is one linear map.",
        "stacked-linear")
def stacked_linear_batchnorm_mnist1d(seed):
    rng = make_rng(seed)
    model = Sequential(Linear(40, 64, rng=rng), BatchNorm1d(64),  # MISTAKE: no ReLU
                       Linear(64, 10, rng=rng))
    return _mnist1d(seed, model)


@broken("gru-dropout-p-0.9", "A GRU tagger with Dropout(0.9) before its output layer, meant "
        "as \"keep 90%\".", "dropout-too-high")
def gru_dropout_p_09(seed):
    rng = make_rng(seed)
    return _phrases(seed, Sequential(Embedding(len(VOCAB), 16, rng=rng), GRU(16, 32, rng=rng),
                                     Dropout(0.9, rng=rng),  # MISTAKE: p is the rate dropped
                                     Linear(32, 2, rng=rng)))


@broken("sigmoid-mse-onehot-mnist1d", "An MLP on MNIST-1D with a Sigmoid output trained by "
        "MSELoss on one-hot targets, instead of CrossEntropyLoss on the logits.",
        "sigmoid-mse-classification")
def sigmoid_mse_onehot_mnist1d(seed):
    X, y, X_val, y_val = mnist1d_split(seed)
    model = mlp((40, 64, 10), seed)
    model.append(Sigmoid())
    one_hot = np.eye(10)
    return Experiment(model, MSELoss(), Adam(model.parameters(), lr=1e-2),  # MISTAKE
                      X, one_hot[y], X_val, one_hot[y_val])


@broken("cnn-overfitting-30-samples", "A wide Conv1d network trained on 30 MNIST-1D signals: "
        "it memorizes them and the validation loss climbs.", "overfitting")
def cnn_overfitting_30_samples(seed):
    X, y, X_val, y_val = mnist1d_split(seed)
    from minnet.mnist1d_models import build_cnn

    model = build_cnn(channels=32, rng=seed)  # MISTAKE: far too big for 30 samples
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X[:30], y[:30], X_val, y_val)


@broken("mnist1d-output-bias-x10", "An MLP on MNIST-1D whose output bias favours class 0 by "
        "10 (a bias copied from another task): the first predictions are confidently wrong.",
        "initial-loss-off")
def mnist1d_output_bias_x10(seed):
    model = mlp((40, 64, 10), seed)
    model[-1].bias.data[0] = 10.0  # MISTAKE
    return _mnist1d(seed, model)


EXAMPLES = collect(globals())
