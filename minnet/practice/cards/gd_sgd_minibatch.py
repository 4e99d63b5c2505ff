"""Card gd-sgd-minibatch: batch size sets the noise of a step; full batch descends monotonically."""

import numpy as np

from minnet.grad_mode import no_grad
from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng
from minnet.zoo.base import mlp, spiral_split

ID = "gd-sgd-minibatch"
SOURCES = ("003:50",)
TOPIC = "optimization"
RELATED = ("batch-extremes-one", "lr-batch-scaling", "sgd-update")

QUESTION = """Compare gradient descent, stochastic gradient descent and mini-batch
gradient descent: what does each compute per step, and what are the trade-offs?"""

ANSWER = """All three step against a gradient; they differ in how many examples it is
averaged over. Full-batch gradient descent uses the whole training set: the exact
gradient, a smooth and (for a small enough learning rate) monotone loss curve, but one
pass over the data per step and no noise to help leave poor regions. SGD in the
strict sense uses one example: cheap steps and lots of updates per epoch, but a gradient
whose variance is large, so the loss jitters and the rate must be small or decayed.
Mini-batch (tens to hundreds of examples) sits between: the variance of the gradient
falls roughly as 1/B for B independent examples, and a batch keeps vector hardware
busy. In practice "SGD" means mini-batch SGD."""

PREDICT = Prediction(
    "At the same weights, how does the squared error of a batch-1 gradient compare with a "
    "batch-32 gradient's (both against the full-batch gradient)?",
    ("about equal", "about 32x larger", "about 32x smaller", "about sqrt(32)x larger"),
    1)

CLAIMS = (
    Claim("noise-falls-with-batch", "the batch-1 gradient's squared error is over 10x the "
          "batch-32 one's; against 32 copies of one example it is not (averaging helps only "
          "over different examples)", "noise_ratio", ">", 10.0, "copies_noise_ratio"),
    Claim("full-batch-monotone", "under full-batch GD fewer than 2% of the steps raise the "
          "training loss; under batch-1 SGD many more do", "rising_full", "<", 0.02,
          "rising_one"),
)

LR = 0.1


def _gradient(model, loss_fn, X, y):
    """All parameter gradients as one vector, for the loss on (X, y)."""
    model.zero_grad()
    loss_fn(model(X), y)
    model.backward(loss_fn.backward())
    return np.concatenate([p.grad.ravel() for p in model.parameters()])


def _noise(model, loss_fn, X, y, batches, full):
    """Mean |g_batch - g_full|^2 / |g_full|^2 over the given index batches."""
    errors = [np.sum((_gradient(model, loss_fn, X[b], y[b]) - full) ** 2) for b in batches]
    return float(np.mean(errors) / np.sum(full ** 2))


def _descend(seed, X, y, batch_size, steps, rng):
    """The full training loss after each SGD step, batches drawn with replacement."""
    model, loss_fn = mlp((2, 16, 3), seed), CrossEntropyLoss()
    optimizer, losses = SGD(model.parameters(), lr=LR), []
    for _ in range(steps):
        batch = np.arange(len(X)) if batch_size is None else rng.integers(0, len(X), batch_size)
        optimizer.zero_grad()
        loss_fn(model(X[batch]), y[batch])
        model.backward(loss_fn.backward())
        optimizer.step()
        with no_grad():
            losses.append(float(loss_fn(model(X), y)))
    return np.array(losses)


def experiment(seed, quick):
    X, y, _, _ = spiral_split(seed)
    rng = make_rng(seed)
    model, loss_fn = mlp((2, 16, 3), seed), CrossEntropyLoss()
    full = _gradient(model, loss_fn, X, y)
    draws = 64 if quick else 512
    n1 = _noise(model, loss_fn, X, y, [rng.integers(0, len(X), 1) for _ in range(draws)], full)
    n32 = _noise(model, loss_fn, X, y,
                 [rng.choice(len(X), 32, replace=False) for _ in range(draws)], full)
    copies = _noise(model, loss_fn, X, y,
                    [np.repeat(rng.integers(0, len(X)), 32) for _ in range(draws)], full)
    steps = 100 if quick else 500
    curves = {name: _descend(seed, X, y, size, steps, rng)
              for name, size in (("full batch", None), ("batch 32", 32), ("batch 1", 1))}
    rising = {name: float(np.mean(np.diff(curve) > 0)) for name, curve in curves.items()}
    return {"curves": curves, "noise_ratio": n1 / n32, "copies_noise_ratio": n1 / copies,
            "rising_full": rising["full batch"], "rising_one": rising["batch 1"]}


def figure(result, ax):
    for name, curve in result["curves"].items():
        ax.plot(curve, label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("full training loss")
    ax.legend()
