"""Card relu-linear: a ReLU network can compute a linear classifier exactly."""

import numpy as np

from minnet.core import Sequential
from minnet.grad_mode import no_grad
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import fit
from minnet.zoo.base import spiral_split

ID = "relu-linear"
SOURCES = ("003:63",)
TOPIC = "architecture"
RELATED = ("stacked-linear", "xor-smallest")

QUESTION = """Can a network with ReLU hidden units act as a purely linear classifier?
How would you build one?"""

ANSWER = """Yes, because z = relu(z) - relu(-z) for every real z. Take a linear
classifier with logits z = W x + b. Build a hidden layer with twice the units: the
first half computes W x + b, the second half -(W x + b), both through ReLU. The output
layer adds the first half and subtracts the second ([I, -I]). Every logit comes out
exactly z, so the network's predictions and probabilities equal the linear model's, on
every input. A ReLU network can therefore represent anything a linear model can
(nonlinear capacity is a superset). Both halves are needed, with the right signs:
relu(z) alone clips the negative logits to 0, and adding the halves gives |z|, which
changes the decisions."""

PREDICT = Prediction(
    "Train softmax regression on the spirals, then copy it into a 2-6-3 ReLU net using "
    "relu(z) - relu(-z). On how many points do their predictions differ?",
    ("none", "about half", "a few near the boundary", "all"),
    0)

CLAIMS = (
    Claim("relu-pair-reproduces-logits", "relu(z) - relu(-z) reproduces the logistic model's "
          "logits to 1e-12 (relative); relu(z) alone does not", "pair_error", "<", 1e-12,
          "half_error"),
    Claim("same-decisions", "the ReLU net disagrees with the linear model on under 0.5% of "
          "points; adding the halves (relu(z) + relu(-z) = |z|) instead does not",
          "pair_disagreement", "<", 0.005, "abs_disagreement"),
)


def _relu_copy(linear, halves=2, sign=-1.0):
    """A Linear-ReLU-Linear net computing ``linear``'s logits.

    halves=1: relu of the logits only; sign=+1: relu(z) + relu(-z) = |z|.
    """
    weight, bias = linear.weight.data, linear.bias.data
    classes, features = weight.shape
    hidden = Linear(features, halves * classes)
    hidden.weight.data[...] = np.vstack([weight, -weight][:halves])
    hidden.bias.data[...] = np.concatenate([bias, -bias][:halves])
    out = Linear(halves * classes, classes)
    out.weight.data[...] = np.hstack([np.eye(classes), sign * np.eye(classes)][:halves])
    out.bias.data[...] = 0.0
    return Sequential(hidden, ReLU(), out)


def experiment(seed, quick):
    X, y, X_val, y_val = spiral_split(seed)
    model, loss_fn = Sequential(Linear(2, 3, rng=seed)), CrossEntropyLoss()
    fit(model, loss_fn, Adam(model.parameters(), lr=1e-2), X, y,
        steps=200 if quick else 1000, batch_size=32, rng=seed)
    grid = np.concatenate([X, X_val])
    with no_grad():
        logits = model(grid)
        pair = _relu_copy(model[0])(grid)
        half = _relu_copy(model[0], halves=1)(grid)
        absolute = _relu_copy(model[0], sign=1.0)(grid)
    scale = np.linalg.norm(logits)
    return {"grid": grid, "predictions": logits.argmax(axis=1),
            "pair_error": float(np.linalg.norm(pair - logits) / scale),
            "half_error": float(np.linalg.norm(half - logits) / scale),
            "pair_disagreement": float(np.mean(pair.argmax(1) != logits.argmax(1))),
            "abs_disagreement": float(np.mean(absolute.argmax(1) != logits.argmax(1)))}


def figure(result, ax):
    grid = result["grid"]
    ax.scatter(grid[:, 0], grid[:, 1], c=result["predictions"], cmap="viridis", s=10)
    ax.set_title("predictions: the linear model and its ReLU copy agree everywhere")
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
