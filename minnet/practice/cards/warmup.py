"""Card warmup: Adam's first steps are full-size; a linear warmup makes them small."""

import numpy as np

from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam, LinearWarmup
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng
from minnet.zoo.base import mlp, mnist1d_split

ID = "warmup"
SOURCES = ("003:53b",)
TOPIC = "optimization"
RELATED = ("lr-curves", "adam-vs-sgd", "update-ratio")

QUESTION = """What is learning-rate warmup, and why does it help, especially with
Adam and large batches?"""

ANSWER = """Warmup starts training at a small fraction of the target learning rate and
raises it (usually linearly) over the first hundreds or thousands of steps. Early in
training the weights are random, the gradients large and poorly aligned, and Adam's
second-moment estimate rests on a handful of samples, so its very first steps have
size close to lr in every coordinate, whatever the gradient's scale: a large relative
change to every weight at once. That can push the network into a bad region (dead
units, saturated attention) before the statistics settle, showing up as an early loss
spike. Warmup keeps those first updates small until the optimizer's estimates and the
activations' scales are sensible; it matters most with large rates, large batches and
deep or Transformer models. On a small MLP the benefit is only in the update sizes."""

PREDICT = Prediction(
    "Adam at lr 1e-2 on an MNIST-1D MLP, with and without a 100-step linear warmup. Over the "
    "first 10 steps, how do the relative weight updates compare?",
    ("about the same", "over 10x larger without warmup", "larger with warmup",
     "2x larger without warmup"),
    1)

CLAIMS = (
    Claim("first-steps-much-larger", "over the first 10 steps the update/weight ratio is over "
          "10x larger without warmup; over steps 150-160, after the warmup, it is not",
          "early_ratio", ">", 10.0, "late_ratio"),
)

NOTES = """The spec records that no loss spike appears at this scale (a 40-64-64-10 MLP):
the card claims only the size of the early updates, not a better final loss."""

WARMUP = 100


def _update_ratios(seed, warmup, steps, X, y):
    """|dW| / |W| of the first layer at each step, shape (steps,)."""
    model, loss_fn = mlp((40, 64, 64, 10), seed), CrossEntropyLoss()
    optimizer = Adam(model.parameters(), lr=1e-2)
    schedule = LinearWarmup(optimizer, WARMUP) if warmup else None
    weight, rng, ratios = model.parameters()[0], make_rng(seed), []
    for _ in range(steps):
        batch = rng.integers(0, len(X), 64)
        before = weight.data.copy()
        optimizer.zero_grad()
        loss_fn(model(X[batch]), y[batch])
        model.backward(loss_fn.backward())
        optimizer.step()
        if schedule is not None:
            schedule.step()
        ratios.append(np.linalg.norm(weight.data - before) / np.linalg.norm(before))
    return np.array(ratios)


def experiment(seed, quick):
    X, y, _, _ = mnist1d_split(seed)
    steps = 160 if quick else 400
    plain = _update_ratios(seed, False, steps, X, y)
    warm = _update_ratios(seed, True, steps, X, y)
    return {"plain": plain, "warm": warm,
            "early_ratio": float(plain[:10].mean() / warm[:10].mean()),
            "late_ratio": float(plain[150:160].mean() / warm[150:160].mean())}


def figure(result, ax):
    ax.semilogy(result["plain"], label="Adam lr 1e-2")
    ax.semilogy(result["warm"], label=f"with a {WARMUP}-step linear warmup")
    ax.set_xlabel("step")
    ax.set_ylabel("|dW| / |W|, first layer")
    ax.legend()
