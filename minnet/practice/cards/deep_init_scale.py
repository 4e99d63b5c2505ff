"""Card deep-init-scale: in a deep tanh net, the init's scale decides whether signals survive."""

import numpy as np

from minnet.core import Sequential
from minnet.grad_mode import no_grad
from minnet.layers.activations import Tanh
from minnet.layers.linear import Linear
from minnet.layers.normalization import BatchNorm1d
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "deep-init-scale"
SOURCES = ("002:A3", "002:O4")
TOPIC = "initialization"
RELATED = ("zero-init", "activations-tradeoffs", "skip-connections", "saturation")

QUESTION = """How should a deep network be initialized, and how do you check that the
initialization is right?"""

ANSWER = """Each layer multiplies its input's scale by roughly std(W) times the square
root of fan-in (times the activation's gain). Below one the activations shrink
geometrically with depth, and so do the gradients; above one they grow or saturate.
Choose the weight variance so the factor is one: Glorot/Xavier, 2/(fan_in + fan_out),
for tanh and sigmoid; He, 2/fan_in, for ReLU; orthogonal matrices for recurrent
weights; normalization layers or residual connections make deep nets far less
sensitive to it. A fixed small std such as 0.01, fine for a shallow net, kills the
signal of a deep one. Check it: pass a batch through the untrained network and plot
each layer's activation standard deviation (and histogram); it should stay roughly
constant with depth, and so should the gradients on the way back."""

PREDICT = Prediction(
    "A 10-layer tanh MLP (width 64) with weights N(0, 0.01^2). The activation std at layer "
    "10 compared with layer 1:",
    ("about the same", "about 10x smaller", "over 1000x smaller", "larger"),
    2)

CLAIMS = (
    Claim("small-init-vanishes", "with N(0, 0.01^2) weights the layer-10 activation std is "
          "below 1e-3 of layer 1's; with Xavier init it is not", "small_ratio", "<", 1e-3,
          "xavier_ratio"),
    Claim("scaled-init-keeps-signal", "with Xavier init, and with the small init followed by "
          "batch norm, the ratio stays above 0.1; with the small init alone it does not",
          "worst_healthy_ratio", ">", 0.1, "small_ratio"),
)

WIDTH, DEPTH = 64, 10


def _stds(setup, seed, X):
    """Activation std after each tanh, for one of "small", "xavier", "small + BN"."""
    rng = make_rng(seed)
    layers, fan_in = [], X.shape[1]
    for _ in range(DEPTH):
        layers.append(Linear(fan_in, WIDTH, init="xavier" if setup == "xavier" else "normal",
                             rng=rng))
        if setup == "small + BN":
            layers.append(BatchNorm1d(WIDTH))
        layers.append(Tanh())
        fan_in = WIDTH
    stds, h = [], X
    with no_grad():
        for layer in Sequential(*layers):
            h = layer(h)
            if isinstance(layer, Tanh):
                stds.append(float(h.std()))
    return np.array(stds)


def experiment(seed, quick):
    X = make_rng(seed).standard_normal((256 if quick else 2048, 32))
    stds = {name: _stds(name, seed, X) for name in ("small", "xavier", "small + BN")}
    ratio = {name: float(s[-1] / s[0]) for name, s in stds.items()}
    return {"stds": stds, "small_ratio": ratio["small"], "xavier_ratio": ratio["xavier"],
            "worst_healthy_ratio": min(ratio["xavier"], ratio["small + BN"])}


def figure(result, ax):
    for name, stds in result["stds"].items():
        ax.semilogy(range(1, len(stds) + 1), stds, marker="o", label=name)
    ax.set_xlabel("layer")
    ax.set_ylabel("activation std")
    ax.legend()
