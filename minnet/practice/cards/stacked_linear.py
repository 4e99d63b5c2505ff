"""Card stacked-linear: linear layers without an activation between them are one linear layer."""

import numpy as np

from minnet.core import Sequential
from minnet.diagnostics.lint import lint
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.random import make_rng
from minnet.zoo import mlp as zoo_mlp

ID = "stacked-linear"
SOURCES = ("003:62",)
TOPIC = "architecture"
RELATED = ("relu-linear", "xor-smallest", "activations-tradeoffs")

QUESTION = """What do you get by stacking several linear layers with no nonlinearity
between them?"""

ANSWER = """Nothing more than one linear layer. The composition of affine maps is
affine: W2 (W1 x + b1) + b2 = (W2 W1) x + (W2 b1 + b2), so any depth of purely linear
layers computes exactly what a single layer with weight W2 W1 can, and the decision
boundaries stay hyperplanes: XOR, spirals and every other non-linearly-separable task
remain out of reach. The extra layers only change the optimization (a product of
matrices, slower and with a rank bound if a middle layer is narrow), not what can be
represented. Put a nonlinearity (ReLU, tanh...) after each hidden linear layer; then
depth adds expressive power. minnet's doctor flags this pattern before training as
stacked-linear."""

PREDICT = Prediction(
    "The zoo's Linear(2, 16) followed directly by Linear(16, 2), trained on XOR with Adam. "
    "Training accuracy after 300 steps?",
    ("about 100%", "at most about 75%", "exactly 50% always", "it depends on the width"),
    1)

CLAIMS = (
    Claim("collapses-to-one-layer", "the stack's output equals one Linear with W2 W1 and "
          "W2 b1 + b2 to 1e-12 (relative); with a ReLU between, it does not", "collapse_error",
          "<", 1e-12, "relu_collapse_error"),
    Claim("cannot-fit-xor", "trained on XOR, the stack stays at or below 75% training "
          "accuracy; with a ReLU between, it does not", "stack_accuracy", "<=", 0.75,
          "relu_accuracy"),
    Claim("lint-flags-it", "the doctor's lint reports stacked-linear for the stack; for the "
          "ReLU version it does not", "lint_fires", ">", 0.5, "relu_lint_fires"),
)


def _collapse_error(model, X):
    """Relative distance between the model's output and the single folded Linear's."""
    first, second = model[0], model[-1]
    weight = second.weight.data @ first.weight.data  # (out, in)
    bias = second.weight.data @ first.bias.data + second.bias.data
    out = model(X)
    return float(np.linalg.norm(out - (X @ weight.T + bias)) / np.linalg.norm(out))


def _fit_accuracy(model, X, y, seed, steps):
    loss_fn = CrossEntropyLoss()
    curve = fit(model, loss_fn, Adam(model.parameters(), lr=1e-2), X, y, steps=steps,
                batch_size=32, rng=seed)
    return evaluate(model, loss_fn, X, y)[1], curve


def _fires(model):
    return float(any(f.code == "stacked-linear" for f in lint(model, CrossEntropyLoss())))


def experiment(seed, quick):
    ex = zoo_mlp.stacked_linear(seed)
    rng = make_rng(seed)
    with_relu = Sequential(Linear(2, 16, rng=rng), ReLU(), Linear(16, 2, rng=rng))
    probe = rng.standard_normal((8, 2))
    steps = 300 if quick else 1500
    found = {"collapse_error": _collapse_error(ex.model, probe),
             "relu_collapse_error": _collapse_error(with_relu, probe),
             "lint_fires": _fires(ex.model), "relu_lint_fires": _fires(with_relu)}
    found["stack_accuracy"], stack_curve = _fit_accuracy(ex.model, ex.X, ex.y, seed, steps)
    found["relu_accuracy"], relu_curve = _fit_accuracy(with_relu, ex.X, ex.y, seed, steps)
    return {"curves": {"Linear, Linear": stack_curve, "Linear, ReLU, Linear": relu_curve},
            **found}


def figure(result, ax):
    for name, curve in result["curves"].items():
        ax.plot(curve, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training loss on XOR")
    ax.legend()
