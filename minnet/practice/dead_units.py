"""Dead ReLU units: the zoo's dead-relu-bias setup, its fixes, and how to measure deadness.

Shared by the three dead-relu cards. A unit is dead when its pre-activation is
<= 0 for every training example: ReLU then passes no gradient to its weights,
so nothing can revive it (with a leaky slope it is never dead).
"""

import numpy as np

from minnet.diagnostics.watch import watch
from minnet.grad_mode import no_grad
from minnet.layers.activations import LeakyReLU, ReLU
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.train import fit
from minnet.zoo import mlp as zoo_mlp
from minnet.zoo.base import Experiment, mlp, spiral_split


def unit_gradients(model, loss_fn, X, y):
    """Norm of each first-layer unit's incoming-weight gradient on all of (X, y), shape (H,)."""
    model.zero_grad()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    return np.linalg.norm(model[0].weight.grad, axis=1)


def dead_fraction(model, loss_fn, X, y):
    """Fraction of first-layer units whose weights get no gradient from any training example.

    Measured, not assumed, for every activation: a ReLU unit that is <= 0 on all
    of X gets exactly 0; a leaky unit still gets 1% of its gradient.
    """
    return float(np.mean(unit_gradients(model, loss_fn, X, y) < 1e-12))


def below_zero_everywhere(model, X):
    """Fraction of first-layer units whose pre-activation is <= 0 on every row of X."""
    with no_grad():
        pre = model[0](X)  # (N, H)
    return float(np.mean(np.all(pre <= 0, axis=0)))


def _setup(seed, bias, activation=ReLU):
    """The zoo's spiral MLP (Adam lr 1e-2) with hidden biases ``bias`` and ``activation``."""
    model = mlp((2, 32, 32, 3), seed, activation=activation)
    for layer in (model[0], model[2]):
        layer.bias.data[:] = bias
    X, y, X_val, y_val = spiral_split(seed)
    return Experiment(model, CrossEntropyLoss(), Adam(model.parameters(), lr=1e-2), X, y,
                      X_val, y_val)


SETUPS = {"biases -3 (broken)": zoo_mlp.dead_relu_bias,
          "fix: biases 0": lambda seed: _setup(seed, 0.0),
          "fix: biases +0.1": lambda seed: _setup(seed, 0.1),
          "fix: LeakyReLU": lambda seed: _setup(seed, -3.0, LeakyReLU)}


def run(name, seed, steps, watched=False):
    """Train one setup; returns (dead fraction after, units <= 0 everywhere, doctor codes).

    watched: train under the doctor's ``watch`` and collect its warning codes.
    """
    ex = SETUPS[name](seed)
    codes = set()
    if watched:
        watcher = watch(ex.model, optimizer=ex.optimizer, loss_fn=ex.loss_fn)
        with watcher:
            fit(ex.model, ex.loss_fn, ex.optimizer, ex.X, ex.y, steps=steps, batch_size=32,
                rng=seed)
        codes = {f.code for f in watcher.report().problems("warning")}
    else:
        fit(ex.model, ex.loss_fn, ex.optimizer, ex.X, ex.y, steps=steps, batch_size=32, rng=seed)
    return (dead_fraction(ex.model, ex.loss_fn, ex.X, ex.y), below_zero_everywhere(ex.model, ex.X),
            codes)
