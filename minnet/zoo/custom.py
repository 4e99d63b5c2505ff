"""Broken custom layers and hand-written training loops.

Two layers written by a student with a wrong backward pass (the gradient
check finds them), and three training loops that each forget one habit of a
correct loop (``watch`` finds them). The mistake is marked ``# MISTAKE``.
"""

import functools

import numpy as np

from minnet.core import Module, Parameter, Sequential
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.random import make_rng
from minnet.zoo.base import (
    Experiment,
    bn_dropout_mlp,
    broken,
    collect,
    mlp,
    spiral_split,
    train_loop,
)

SPIRAL_SIZES = (2, 32, 32, 3)


class Swish(Module):
    """``x * sigmoid(x)`` (Ramachandran et al., 2017), with a product rule forgotten.

    Shapes: input of any shape -> output of the same shape.
    """

    def forward(self, x):
        self._x = np.asarray(x, dtype=np.float64)
        self._sigmoid = 0.5 * (1.0 + np.tanh(self._x / 2.0))  # the sigmoid, overflow-free
        return self._x * self._sigmoid

    def backward(self, grad_out):
        # d/dx [x s(x)] = s + x s (1 - s); the second term was forgotten.
        return grad_out * self._sigmoid  # MISTAKE


class MyLinear(Module):
    """A student's fully connected layer, ``x @ W + b`` with W of shape (in, out).

    Shapes: input (N, in_features) -> output (N, out_features).
    """

    def __init__(self, in_features, out_features, rng=None):
        super().__init__()
        rng = make_rng(rng)
        self.W = Parameter(rng.standard_normal((in_features, out_features))
                           * np.sqrt(2.0 / in_features))
        self.b = Parameter(np.zeros(out_features))

    def forward(self, x):
        self._x = np.asarray(x, dtype=np.float64)
        return self._x @ self.W.data + self.b.data

    def backward(self, grad_out):
        # "we go down the gradient", so the student subtracted it here too
        self.W.grad -= self._x.T @ grad_out  # MISTAKE: the optimizer already subtracts
        self.b.grad += grad_out.sum(axis=0)
        return grad_out @ self.W.data.T


def _spiral(seed, model):
    X, y, X_val, y_val = spiral_split(seed)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2),
                      X, y, X_val, y_val)


@broken("custom-layer-wrong-backward", "A hand-written Swish activation whose backward "
        "forgets half of the product rule.", "gradcheck-failed")
def custom_layer_wrong_backward(seed):
    rng = make_rng(seed)
    model = Sequential(Linear(2, 32, rng=rng), Swish(), Linear(32, 32, rng=rng), Swish(),
                       Linear(32, 3, rng=rng))
    return _spiral(seed, model)


@broken("flipped-gradient-sign", "A hand-written Linear layer that subtracts its weight "
        "gradient: the optimizer then climbs the loss.", "gradcheck-failed")
def flipped_gradient_sign(seed):
    rng = make_rng(seed)
    model = Sequential(MyLinear(2, 32, rng=rng), ReLU(), MyLinear(32, 32, rng=rng), ReLU(),
                       Linear(32, 3, rng=rng))
    return _spiral(seed, model)


# --- hand-written training loops -----------------------------------------------------

def _looped(seed, model, X, y, X_val=None, y_val=None, **mistake):
    """An experiment whose ``train`` is ``train_loop`` with one habit switched off."""
    optimizer = Adam(model.parameters(), lr=1e-2)
    train = functools.partial(train_loop, epochs=20, batch_size=32, rng=seed,
                              X_val=X_val, y_val=y_val, **mistake)
    return Experiment(model, CrossEntropyLoss(), optimizer, X, y, X_val, y_val, train)


@broken("no-zero-grad", "A hand-written loop that never calls optimizer.zero_grad(): each "
        "step adds its gradient to all the earlier ones.", "grads-not-zeroed")
def no_zero_grad(seed):
    X, y, X_val, y_val = spiral_split(seed)
    return _looped(seed, mlp(SPIRAL_SIZES, seed), X, y, X_val, y_val, zero_grad=False)


@broken("eval-in-train-mode", "A hand-written loop that scores the validation set without "
        "model.eval(): dropout still drops and batch norm uses (and updates) batch "
        "statistics.", "eval-in-train-mode")
def eval_in_train_mode(seed):
    X, y, X_val, y_val = spiral_split(seed)
    return _looped(seed, bn_dropout_mlp(seed), X, y, X_val, y_val, eval_mode=False)


@broken("sorted-labels-no-shuffle", "A hand-written loop over data sorted by class, never "
        "shuffled: every batch holds a single class.", "labels-sorted-no-shuffle")
def sorted_labels_no_shuffle(seed):
    X, y, X_val, y_val = spiral_split(seed)
    order = np.argsort(y, kind="stable")  # the file lists class 0, then 1, then 2
    return _looped(seed, mlp(SPIRAL_SIZES, seed), X[order], y[order], X_val, y_val,
                   shuffle=False)


EXAMPLES = collect(globals())
