"""Card skip-connections: a 20-layer ReLU stack learns only with residual connections."""

import math

import numpy as np

from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.layers.residual import Residual
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import fit
from minnet.random import make_rng
from minnet.zoo.base import mnist1d_split

ID = "skip-connections"
SOURCES = ("003:45",)
TOPIC = "architecture"
RELATED = ("activations-tradeoffs", "deep-init-scale", "rnn-gradients")

QUESTION = """What are skip (residual) connections, and why do they make very deep
networks trainable?"""

ANSWER = """A residual block outputs x + f(x) instead of f(x): the layer learns a
correction to its input. In the backward pass the identity path hands the upstream
gradient to the input unchanged, dL/dx = g + f'(x)^T g, so the gradient reaching early
layers is a sum that always contains g itself rather than a product of many layer
Jacobians. In a plain deep stack that product shrinks (or grows) geometrically with
depth whenever each factor is below (or above) one, and the first layers barely move;
with skips each block can start near the identity and the net behaves like a shallower
one early in training. Skips also make the identity mapping trivial to represent, so
adding depth cannot hurt much. They are the backbone of ResNets and Transformers."""

PREDICT = Prediction(
    "Twenty hidden ReLU layers (PyTorch's default init) on MNIST-1D, Adam, a few hundred "
    "steps. Which one gets below a loss of 1.8?",
    ("the plain stack", "the residual stack", "both", "neither"),
    1)

CLAIMS = (
    Claim("first-layer-gradient-kept", "at depth 20 the first layer's gradient is over 1e6 "
          "times larger with skips than without; at depth 2 it is not", "gradient_ratio", ">",
          1e6, "shallow_gradient_ratio"),
    Claim("residual-learns", "the residual stack's training loss ends below 1.8; the plain "
          "stack's does not", "residual_loss", "<", 1.8, "plain_loss"),
    Claim("plain-stuck-at-chance", "the plain stack's loss stays above 0.95 ln 10 (chance); "
          "the residual stack's does not", "plain_vs_chance", ">", 0.95, "residual_vs_chance"),
)

WIDTH = 32


def _net(depth, residual, seed):
    """40 -> 32, then ``depth`` blocks (ReLU, Linear 32 -> 32), ReLU, Linear 32 -> 10."""
    rng = make_rng(seed)
    layers = [Linear(40, WIDTH, init="pytorch", rng=rng)]
    for _ in range(depth):
        block = Sequential(ReLU(), Linear(WIDTH, WIDTH, init="pytorch", rng=rng))
        layers.append(Residual(block) if residual else block)
    return Sequential(*layers, ReLU(), Linear(WIDTH, 10, init="pytorch", rng=rng))


def _first_layer_gradient(model, X, y):
    loss_fn = CrossEntropyLoss()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    return float(np.linalg.norm(model.parameters()[0].grad))


def _ratio(depth, seed, X, y):
    return (_first_layer_gradient(_net(depth, True, seed), X, y)
            / _first_layer_gradient(_net(depth, False, seed), X, y))


def experiment(seed, quick):
    X, y, _, _ = mnist1d_split(seed)
    steps = 80 if quick else 600
    curves = {}
    for name, residual in (("plain", False), ("residual", True)):
        model = _net(20, residual, seed)
        curves[name] = fit(model, CrossEntropyLoss(), Adam(model.parameters(), lr=3e-3), X, y,
                           steps=steps, batch_size=100, rng=seed)
    final = {name: float(curve[-10:].mean()) for name, curve in curves.items()}
    return {"curves": curves,
            "gradient_ratio": _ratio(20, seed, X[:256], y[:256]),
            "shallow_gradient_ratio": _ratio(2, seed, X[:256], y[:256]),
            "residual_loss": final["residual"], "plain_loss": final["plain"],
            "plain_vs_chance": final["plain"] / math.log(10),
            "residual_vs_chance": final["residual"] / math.log(10)}


def figure(result, ax):
    for name, curve in result["curves"].items():
        ax.plot(curve, label=f"20 layers, {name}")
    ax.axhline(math.log(10), color="k", linestyle="--", linewidth=1, label="ln 10 (chance)")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (MNIST-1D)")
    ax.legend()
