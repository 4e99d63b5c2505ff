"""Broken MLP setups: learning rate, initialization, architecture, loss, regularization.

Each ``build(seed)`` is a healthy setup of ``minnet.zoo.healthy`` with ONE
mistake, named in its description: mostly the spiral MLP (2-32-32-3 ReLU, He
init, Adam), for the learning rate its tanh twin trained by SGD. The comment
``# MISTAKE`` marks the line a student would have written.
"""

import numpy as np

from minnet.core import Sequential
from minnet.layers.activations import ReLU, Sigmoid, Softmax, Tanh
from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d
from minnet.losses import CrossEntropyLoss, MSELoss, RegularizedLoss
from minnet.optim import SGD, Adam
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    bn_dropout_mlp,
    broken,
    collect,
    mlp,
    spiral_split,
    xor_split,
)

SPIRAL_SIZES = (2, 32, 32, 3)


def _spiral_experiment(seed, model, optimizer=None, loss_fn=None):
    X, y, X_val, y_val = spiral_split(seed)
    optimizer = optimizer or Adam(model.parameters(), lr=1e-2)
    return Experiment(model, loss_fn or CrossEntropyLoss(), optimizer, X, y, X_val, y_val)


# --- learning rate ------------------------------------------------------------------
# The twin is healthy-tanh-glorot: a tanh MLP trained by SGD, lr=0.1, momentum 0.9.

def _tanh_sgd(seed, lr):
    model = mlp(SPIRAL_SIZES, seed, activation=Tanh, init="xavier", last_init="xavier")
    return _spiral_experiment(seed, model, SGD(model.parameters(), lr=lr, momentum=0.9))


@broken("lr-x100", "SGD at lr=10, a hundred times a good rate (0.1): each step changes the "
        "weights by about their own size and the loss blows up.",
        ("lr-too-high", "update-ratio-high"))
def lr_x100(seed):
    return _tanh_sgd(seed, lr=0.1 * 100)  # MISTAKE


@broken("lr-x1e-4", "SGD at lr=1e-5, ten thousand times too small: the weights barely move "
        "and the loss stands still.", ("lr-too-low", "update-ratio-low", "loss-plateau"))
def lr_x1e_4(seed):
    return _tanh_sgd(seed, lr=0.1 * 1e-4)  # MISTAKE


# --- initialization -------------------------------------------------------------------

@broken("zero-init", "Every weight starts at 0: all hidden units compute the same thing.",
        "symmetric-init")
def zero_init(seed):
    model = mlp(SPIRAL_SIZES, seed, init="zeros", last_init="zeros")  # MISTAKE
    return _spiral_experiment(seed, model)


@broken("constant-init", "Every weight starts at 0.1: the hidden units are identical twins.",
        "symmetric-init")
def constant_init(seed):
    def constant(shape, rng=None, dtype=np.float64):
        return np.full(shape, 0.1, dtype=dtype)  # MISTAKE

    model = mlp(SPIRAL_SIZES, seed, init=constant, last_init=constant)
    return _spiral_experiment(seed, model)


def _scaled_he(factor):
    def init(shape, rng=None, dtype=np.float64):
        from minnet.init import kaiming_normal

        return factor * kaiming_normal(shape, rng=rng, dtype=dtype)

    return init


@broken("init-std-x10", "Weights drawn with 10x the He standard deviation: huge activations.",
        "weight-scale-skew")
def init_std_x10(seed):
    model = mlp(SPIRAL_SIZES, seed, init=_scaled_he(10.0), last_init=_scaled_he(10.0))  # MISTAKE
    return _spiral_experiment(seed, model)


@broken("init-std-x0.01", "Weights drawn with 0.01x the He standard deviation: the signal "
        "fades layer after layer.", "weight-scale-skew")
def init_std_x0_01(seed):
    model = mlp((2, 32, 32, 32, 3), seed, init=_scaled_he(0.01),  # MISTAKE
                last_init=_scaled_he(0.01))
    return _spiral_experiment(seed, model)


@broken("sigmoid-stack-10", "Ten sigmoid layers deep: each multiplies the gradient by at most "
        "1/4, so the first layers get almost none.", "vanishing-gradients")
def sigmoid_stack(seed):
    sizes = (2,) + (32,) * 10 + (3,)
    model = mlp(sizes, seed, activation=Sigmoid, init="lecun", last_init="lecun")  # MISTAKE
    return _spiral_experiment(seed, model)


@broken("dead-relu-bias", "Hidden biases initialized at -3: every ReLU starts below zero and "
        "never gets a gradient.", "dead-relu")
def dead_relu_bias(seed):
    model = mlp(SPIRAL_SIZES, seed)
    for layer in (model[0], model[2]):
        layer.bias.data[:] = -3.0  # MISTAKE
    return _spiral_experiment(seed, model)


@broken("output-bias-counts", "Output biases set to the class counts (not their log-frequencies): "
        "the first predictions are confidently wrong.", "initial-loss-off")
def output_bias_counts(seed):
    X, y, X_val, y_val = spiral_split(seed)
    keep = np.flatnonzero((y != 2) | (np.arange(len(y)) % 2 == 0))  # classes 80 / 80 / 40
    X, y = X[keep], y[keep]
    model = mlp(SPIRAL_SIZES, seed)
    model[-1].bias.data[:] = np.bincount(y, minlength=3)  # MISTAKE: meant np.log(counts / N)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val)


# --- architecture and loss -------------------------------------------------------------

def _spiral_ending_with(seed, last):
    """The spiral MLP with the layer ``last`` appended after its output Linear."""
    model = mlp(SPIRAL_SIZES, seed)
    model.append(last)
    return _spiral_experiment(seed, model)


@broken("softmax-before-loss", "The model ends with Softmax, and CrossEntropyLoss applies its "
        "own: the outputs are squashed twice.", "softmax-before-loss")
def softmax_before_loss(seed):
    return _spiral_ending_with(seed, Softmax())  # MISTAKE


@broken("relu-before-loss", "The model ends with ReLU, and CrossEntropyLoss wants logits: "
        "every negative score is clipped to 0.", "relu-before-loss")
def relu_before_loss(seed):
    return _spiral_ending_with(seed, ReLU())  # MISTAKE


@broken("sigmoid-mse-xor", "A Sigmoid output trained with MSELoss on the 0/1 labels of XOR: "
        "a confidently wrong output gets almost no gradient.", "sigmoid-mse-classification")
def sigmoid_mse_xor(seed):
    model = mlp((2, 16, 1), seed)
    model.append(Sigmoid())
    X, y, X_val, y_val = xor_split(seed)
    targets = [labels.reshape(-1, 1).astype(np.float64) for labels in (y, y_val)]
    return Experiment(model, MSELoss(), Adam(model.parameters(), lr=1e-2),  # MISTAKE: not BCE
                      X, targets[0], X_val, targets[1])


@broken("stacked-linear", "Two Linear layers with no activation between them on XOR: together "
        "they are one linear map, which cannot separate XOR.",
        ("stacked-linear", "cannot-overfit-batch"))
def stacked_linear(seed):
    rng = make_rng(seed)
    model = Sequential(Linear(2, 16, rng=rng), Linear(16, 2, rng=rng))  # MISTAKE: no ReLU
    X, y, X_val, y_val = xor_split(seed)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val)


@broken("linear-model-on-xor", "Logistic regression on XOR: no line separates the classes, "
        "so not even 16 samples can be fitted.", ("cannot-overfit-batch", "underfitting"))
def linear_model_on_xor(seed):
    model = Sequential(Linear(2, 2, rng=seed))  # MISTAKE: no hidden layer
    X, y, X_val, y_val = xor_split(seed)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val)


@broken("dropout-before-batchnorm", "Hidden layer written Linear, Dropout, ReLU, BatchNorm: "
        "dropout shifts the variance that batch norm learned.", "dropout-before-batchnorm")
def dropout_before_batchnorm(seed):
    rng = make_rng(seed)
    model = Sequential(Linear(2, 64, rng=rng), Dropout(0.3, rng=rng), ReLU(),  # MISTAKE
                       BatchNorm1d(64), Linear(64, 3, rng=rng))
    return _spiral_experiment(seed, model)


@broken("dropout-p-0.9", "Dropout(0.9) after each hidden layer, meant as \"keep 90%\": "
        "nine units in ten are zeroed at every step.", "dropout-too-high")
def dropout_p_09(seed):
    return _spiral_experiment(seed, bn_dropout_mlp(seed, p=0.9))  # MISTAKE: p is the rate dropped


@broken("regularization-x1000", "L2 penalty 0.1 (a thousand times a usual 1e-4): the penalty "
        "dwarfs the data loss and the weights shrink to nothing.", "regularization-dominates")
def regularization_x1000(seed):
    model = mlp(SPIRAL_SIZES, seed)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=1e-4 * 1000)  # MISTAKE
    return _spiral_experiment(seed, model, loss_fn=loss_fn)


@broken("overfitting", "A 2-256-256-3 network trained long on 24 noisy spiral points: it "
        "memorizes them and the validation loss climbs.", "overfitting")
def overfitting(seed):
    X, y, X_val, y_val = spiral_split(seed, noise=0.4)
    rng = np.random.default_rng(seed)
    few = np.concatenate([rng.choice(np.flatnonzero(y == label), 8, replace=False)
                          for label in range(3)])
    model = mlp((2, 256, 256, 3), seed)  # MISTAKE: far too big for 24 samples
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X[few], y[few], X_val, y_val)


EXAMPLES = collect(globals())
