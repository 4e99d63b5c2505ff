"""Card weight-decay: under SGD an L2 penalty IS weight decay; under Adam it is not (AdamW)."""

import numpy as np

from minnet.layers.linear import Linear
from minnet.losses import MSELoss, RegularizedLoss
from minnet.optim import SGD, Adam, AdamW
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "weight-decay"
SOURCES = ("003:56",)
TOPIC = "regularization"
RELATED = ("l2-squared", "adam-vs-sgd", "more-regularization")

QUESTION = """What is weight decay, and is it the same thing as adding an L2 penalty to
the loss?"""

ANSWER = """Weight decay shrinks every weight by a small factor at each step,
w <- (1 - lr lam) w, besides the gradient step. With plain SGD that is exactly an L2
penalty (lam/2)|w|^2 in the loss: its gradient lam w, times lr, is the same shrink, so
the two are one method. With adaptive optimizers they split. Adam divides the whole
gradient, penalty included, by the running RMS of the gradient, so weights with large
gradients are barely regularized and those with small gradients strongly: an L2 penalty
under Adam is not weight decay. AdamW (Loshchilov and Hutter) decouples the two: Adam
on the data gradient, then the plain shrink. That usually generalizes better and makes
lam independent of the learning-rate schedule's interplay with the RMS. Biases and
normalization scales are usually not decayed."""

PREDICT = Prediction(
    "Fifty steps from the same start: SGD with an L2 penalty vs SGD with decoupled decay; "
    "Adam with an L2 penalty vs AdamW. Which pairs end at the same weights?",
    ("both pairs", "only the SGD pair", "only the Adam pair", "neither"),
    1)

CLAIMS = (
    Claim("sgd-l2-is-decay", "SGD with an L2 penalty and SGD with decoupled decay end within "
          "1e-12 (relative) of each other; Adam with L2 and AdamW do not", "sgd_gap", "<",
          1e-12, "adam_gap"),
    Claim("adam-l2-is-not-decay", "Adam with L2 and AdamW end over 1e-3 (relative) apart; the "
          "SGD pair does not", "adam_gap", ">", 1e-3, "sgd_gap"),
)

LAM, STEPS = 0.1, 50


def _run(seed, X, y, optimizer_class, lr, penalty, decoupled):
    """Final weight of a bias-free Linear after STEPS steps.

    penalty: the L2 term lives in the loss (RegularizedLoss); decoupled: the
    optimizer shrinks the weights itself (AdamW, or SGD's step then w -= lr lam w_old).
    """
    layer = Linear(X.shape[1], y.shape[1], bias=False, rng=seed)
    data_loss = MSELoss()
    loss_fn = RegularizedLoss(data_loss, layer, l2=LAM) if penalty else data_loss
    if optimizer_class is AdamW:
        optimizer = AdamW(layer.parameters(), lr=lr, weight_decay=LAM if decoupled else 0.0)
    else:
        optimizer = optimizer_class(layer.parameters(), lr=lr)
    weight, path = layer.weight, []
    for _ in range(STEPS):
        old = weight.data.copy()
        optimizer.zero_grad()
        loss_fn(layer(X), y)
        layer.backward(loss_fn.backward())
        optimizer.step()
        if decoupled and optimizer_class is SGD:
            weight.data -= lr * LAM * old
        path.append(weight.data.copy())
    return np.array(path)


def _gap(a, b):
    return float(np.linalg.norm(a[-1] - b[-1]) / np.linalg.norm(a[-1]))


def experiment(seed, quick):
    rng = make_rng(seed)
    X = rng.standard_normal((64, 6))
    y = X @ rng.standard_normal((6, 2)) + 0.1 * rng.standard_normal((64, 2))
    paths = {"SGD + L2": _run(seed, X, y, SGD, 0.05, True, False),
             "SGD + decay": _run(seed, X, y, SGD, 0.05, False, True),
             "Adam + L2": _run(seed, X, y, Adam, 1e-2, True, False),
             "AdamW": _run(seed, X, y, AdamW, 1e-2, False, True)}
    return {"norms": {k: np.linalg.norm(v.reshape(STEPS, -1), axis=1) for k, v in paths.items()},
            "sgd_gap": _gap(paths["SGD + L2"], paths["SGD + decay"]),
            "adam_gap": _gap(paths["Adam + L2"], paths["AdamW"])}


def figure(result, ax):
    for name, norms in result["norms"].items():
        ax.plot(norms, label=name, linestyle="--" if "decay" in name or "W" in name else "-")
    ax.set_xlabel("step")
    ax.set_ylabel("|W|")
    ax.legend()
