"""Card adam-state-scale: Adam ignores the loss's scale and keeps two numbers per parameter."""

import numpy as np

from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD, Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.zoo.base import mlp, spiral_split

ID = "adam-state-scale"
SOURCES = ("003:60b",)
TOPIC = "optimization"
RELATED = ("adam-vs-sgd", "adagrad-sparse", "weight-decay")

QUESTION = """Beyond speed, how else do Adam and SGD differ in practice?"""

ANSWER = """Scale: Adam's step is a ratio of two gradient averages, so multiplying the
loss (or the gradients) by a constant leaves its path almost unchanged, while SGD's step
grows with the gradient: a loss summed instead of averaged, or a loss weight of 1000,
silently changes SGD's effective learning rate but not Adam's. Memory: Adam keeps two
running averages per parameter (first and second moments), SGD with momentum one
buffer and plain SGD none, which matters for very large models. Tuning: Adam's default
rate works across many problems; SGD's rate must be re-tuned to the loss scale and
architecture. Adam's weight decay must be decoupled (AdamW) to behave like decay.
Adam's epsilon and bias correction matter in the first steps and when gradients are
tiny."""

PREDICT = Prediction(
    "Multiply the loss by 1000 and train again from the same start. Whose weight path "
    "stays (almost) the same?",
    ("SGD's", "Adam's", "both", "neither"),
    1)

CLAIMS = (
    Claim("adam-blind-to-loss-scale", "after 50 steps with the loss x1000, Adam's weights are "
          "within 1% (relative) of the unscaled run's; SGD's are not", "adam_gap", "<", 0.01,
          "sgd_gap"),
    Claim("adam-keeps-two-buffers", "Adam stores more than 1.5 numbers per parameter (two); "
          "SGD with momentum does not (one)", "adam_state_per_param", ">", 1.5,
          "sgd_state_per_param"),
)

STEPS = 50


def _train(make_optimizer, seed, X, y, scale, steps):
    """Final flat weights and the optimizer, after ``steps`` full-batch steps on scale x loss."""
    model, loss_fn = mlp((2, 16, 3), seed), CrossEntropyLoss()
    optimizer = make_optimizer(model.parameters())
    for _ in range(steps):
        optimizer.zero_grad()
        loss_fn(model(X), y)
        model.backward(scale * loss_fn.backward())
        optimizer.step()
    weights = np.concatenate([p.data.ravel() for p in model.parameters()])
    return weights, optimizer, model


def _state_per_param(optimizer, model):
    """Numbers held in the optimizer's state per model parameter (arrays only)."""
    stored = sum(value.size for state in optimizer.state for value in state.values()
                 if isinstance(value, np.ndarray))
    return stored / sum(p.data.size for p in model.parameters())


def experiment(seed, quick):
    X, y, _, _ = spiral_split(seed)
    steps = STEPS if quick else 4 * STEPS
    found = {}
    for name, make in (("Adam", lambda p: Adam(p, lr=1e-2)),
                       ("SGD", lambda p: SGD(p, lr=0.1, momentum=0.9))):
        with np.errstate(over="ignore", invalid="ignore"):
            plain, optimizer, model = _train(make, seed, X, y, 1.0, steps)
            scaled, _, _ = _train(make, seed, X, y, 1000.0, steps)
        gap = np.linalg.norm(scaled - plain) / np.linalg.norm(plain)
        found[name] = (float(gap) if np.isfinite(gap) else np.inf,
                       _state_per_param(optimizer, model))
    return {"gaps": {name: gap for name, (gap, _) in found.items()},
            "adam_gap": found["Adam"][0], "sgd_gap": found["SGD"][0],
            "adam_state_per_param": found["Adam"][1], "sgd_state_per_param": found["SGD"][1]}


def figure(result, ax):
    names = list(result["gaps"])
    ax.bar(names, [min(v, 1e6) for v in result["gaps"].values()])
    ax.set_yscale("log")
    ax.set_ylabel("relative weight change\nwhen the loss is x1000")
