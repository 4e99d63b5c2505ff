"""Card activations-tradeoffs: sigmoid vanishes in deep stacks and is not zero-centred."""

import numpy as np

from minnet.grad_mode import no_grad
from minnet.layers.activations import ReLU, Sigmoid, Tanh
from minnet.losses import CrossEntropyLoss
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng
from minnet.zoo.base import mlp

ID = "activations-tradeoffs"
SOURCES = ("003:44b",)
TOPIC = "activations"
RELATED = ("activations-plot", "dead-relu-what", "deep-init-scale")

QUESTION = """What are the strengths and weaknesses of sigmoid, tanh, ReLU and leaky
ReLU as hidden activations?"""

ANSWER = """Sigmoid: smooth and bounded, fine as an output probability, poor in hidden
layers: its slope is at most 0.25 and near zero once saturated, so gradients shrink
geometrically with depth, and its outputs are all positive, which makes the next
layer's weight gradients share a sign and zig-zag. Tanh is zero-centred and has slope
up to 1, but still saturates. ReLU is cheap, does not saturate for positive inputs and
gives sparse activations; its weakness is dead units: a unit whose input stays negative
gets zero gradient forever. Leaky ReLU (and ELU, GELU) keep a small slope on the left
so units can recover, at the price of a hyperparameter and less sparsity. Default
choice for hidden layers: ReLU or a relative; sigmoid at an output."""

PREDICT = Prediction(
    "A 10-hidden-layer MLP, one backward pass. How does the first layer's gradient with "
    "sigmoid (Xavier init) compare with ReLU (He init)?",
    ("about the same", "10x smaller", "over 100,000x smaller", "larger"),
    2)

CLAIMS = (
    Claim("sigmoid-vanishes", "with 10 sigmoid layers the first layer's gradient is below "
          "1e-5 of the ReLU stack's; with tanh it is not", "sigmoid_vs_relu", "<", 1e-5,
          "tanh_vs_relu"),
    Claim("sigmoid-not-zero-centred", "the last sigmoid layer's mean output is above 0.4; "
          "tanh's is not", "sigmoid_mean", ">", 0.4, "tanh_mean"),
)

STACKS = {"sigmoid": (Sigmoid, "xavier"), "tanh": (Tanh, "xavier"), "relu": (ReLU, "he")}


def _stack(seed, X, y, activation, init):
    """First-layer gradient norm and the last hidden layer's mean output."""
    model = mlp((20,) + (32,) * 10 + (3,), rng=seed, activation=activation, init=init)
    loss_fn = CrossEntropyLoss()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    hidden = X
    with no_grad():
        for layer in list(model)[:-1]:
            hidden = layer(hidden)
    grads = [float(np.linalg.norm(p.grad)) for p in model.parameters()[::2]]
    return grads, float(hidden.mean())


def experiment(seed, quick):
    rng = make_rng(seed)
    n = 64 if quick else 512
    X, y = rng.standard_normal((n, 20)), rng.integers(0, 3, n)
    found = {name: _stack(seed, X, y, *spec) for name, spec in STACKS.items()}
    grads = {name: g for name, (g, _) in found.items()}
    return {"grads": grads,
            "sigmoid_vs_relu": grads["sigmoid"][0] / grads["relu"][0],
            "tanh_vs_relu": grads["tanh"][0] / grads["relu"][0],
            "sigmoid_mean": found["sigmoid"][1], "tanh_mean": found["tanh"][1]}


def figure(result, ax):
    for name, grads in result["grads"].items():
        ax.semilogy(range(1, len(grads) + 1), grads, marker="o", label=name)
    ax.set_xlabel("layer")
    ax.set_ylabel("weight gradient norm")
    ax.legend()
