"""Card data-from-weights: one SGD step on one example leaks it through the first layer."""

import numpy as np

from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.zoo.base import mlp, mnist1d_split

ID = "data-from-weights"
SOURCES = ("003:69",)
TOPIC = "privacy"
RELATED = ("distillation", "pruning-why")

QUESTION = """Given two checkpoints of a model, can someone recover information about
the data it was trained on between them?"""

ANSWER = """Often, yes. The weight change is the learning rate times the gradient, and
the gradient of a first linear layer is an outer product: dL/dW = g x^T and dL/db = g
for a single example x, where g is the gradient at the layer's output. So for any unit
j with a nonzero change, dW[j] / db[j] = x exactly: one step on one example reveals the
input itself, pixel for pixel. With a batch the change is a sum over examples and the
ratio becomes a gradient-weighted mixture, but optimization-based attacks (deep
leakage from gradients) still reconstruct inputs from small batches, and membership
inference can tell whether an example was used. This is why federated learning adds
secure aggregation and why differentially private SGD clips per-example gradients and
adds noise."""

PREDICT = Prediction(
    "Take the first-layer weights and biases before and after one SGD step on a single "
    "MNIST-1D example. Divide a weight row's change by its bias's change. You get...",
    ("noise", "the input example itself", "the gradient of the loss", "the learning rate"),
    1)

CLAIMS = (
    Claim("one-example-is-recovered", "after a step on one example, dW[j] / db[j] equals the "
          "input to 1e-10 (relative); after a step on a batch of 32 it matches none of them",
          "single_error", "<", 1e-10, "batch_error"),
)


def _step_change(seed, X, y):
    """First-layer (dW, db) of one SGD step on (X, y). dW: (H, 40), db: (H,)."""
    model, loss_fn = mlp((40, 64, 10), seed), CrossEntropyLoss()
    first = model[0]
    before_w, before_b = first.weight.data.copy(), first.bias.data.copy()
    optimizer = SGD(model.parameters(), lr=0.1)
    optimizer.zero_grad()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    optimizer.step()
    return first.weight.data - before_w, first.bias.data - before_b


def _reconstruct(dW, db):
    """x = dW[j] / db[j] for the unit whose bias moved most (the best-conditioned ratio)."""
    j = int(np.argmax(np.abs(db)))
    return dW[j] / db[j]


def _best_match_error(guess, X):
    """Relative distance from the guess to the nearest of the rows of X."""
    return float(min(np.linalg.norm(guess - x) / np.linalg.norm(x) for x in X))


def experiment(seed, quick):
    X, y, _, _ = mnist1d_split(seed)
    single = X[seed:seed + 1]
    guess = _reconstruct(*_step_change(seed, single, y[seed:seed + 1]))
    batch = X[32 * seed:32 * seed + 32]
    batch_guess = _reconstruct(*_step_change(seed, batch, y[32 * seed:32 * seed + 32]))
    return {"x": single[0], "guess": guess, "batch_guess": batch_guess,
            "single_error": _best_match_error(guess, single),
            "batch_error": _best_match_error(batch_guess, batch)}


def figure(result, ax):
    ax.plot(result["x"], linewidth=3, alpha=0.5, label="the training example")
    ax.plot(result["guess"], "--", label="dW[j] / db[j], batch of 1")
    ax.plot(result["batch_guess"], ":", label="the same, batch of 32")
    ax.set_xlabel("feature")
    ax.legend(fontsize=8)
