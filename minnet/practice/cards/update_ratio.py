"""Card update-ratio: the size of each update relative to the weights, and the rate it implies."""

import numpy as np

from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng
from minnet.zoo.base import mlp, spiral_split

ID = "update-ratio"
SOURCES = ("001:C6", "002:O3")
TOPIC = "optimization"
RELATED = ("four-plots", "lr-curves", "updates-applied")

QUESTION = """What is the update-to-weight ratio, and how do you use it to judge the
learning rate?"""

ANSWER = """For each layer, divide the norm of the change one step makes to the weights
by the norm of the weights: |lr * update| / |W|. It measures how fast each layer is
actually moving, independent of the loss's scale. A rule of thumb is about 1e-3: much
smaller (1e-5 and below) and the layer hardly learns, much larger (1e-1 and above) and
each step rewrites a good part of the weights, which is unstable. While training is
stable the ratio grows in proportion to the learning rate, so a sweep over rates on a
log scale shows where the healthy band lies; the rate with the best loss usually sits
in it. Track it per layer: one layer far outside the band points at an initialization
or scaling problem there."""

PREDICT = Prediction(
    "SGD with momentum on the spiral MLP, rates from 1e-5 to 10. The rate with the best loss "
    "(0.1) has a median update/weight ratio of about...",
    ("1e-6", "1e-2 or a little below", "1", "10"),
    1)

CLAIMS = (
    Claim("ratio-follows-lr", "from lr 1e-5 to 1e-4 the ratio grows 10x to within a factor "
          "10^0.15; from lr 1 to 10, where training breaks down, it does not",
          "proportionality_error", "<", 0.15, "broken_proportionality_error"),
    Claim("best-rate-above-the-floor", "the best rate's median ratio is above 1e-4; the ratio "
          "at lr 1e-5 is not", "best_ratio", ">", 1e-4, "tiny_lr_ratio"),
)

NOTES = """The spec puts the best rate's ratio in [1e-4, 1e-2]. It measured 6.5e-3 to
8.5e-3 on seeds 0-4, but no setup was found whose ratio reliably exceeds 1e-2 for a
must-fail twin (at lr 1 it ranged from 2.4e-3 to 2.1e-2), so only the lower bound is a
claim."""

RATES = (1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1.0, 10.0)


def _sweep_point(seed, lr, X, y, steps):
    """(median second-layer update ratio, mean of the last 20 losses; inf if diverged)."""
    model, loss_fn = mlp((2, 32, 32, 3), seed), CrossEntropyLoss()
    optimizer, rng = SGD(model.parameters(), lr=lr, momentum=0.9), make_rng(seed)
    weight, ratios, losses = model.parameters()[2], [], []
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            batch = rng.integers(0, len(X), 32)
            before = weight.data.copy()
            optimizer.zero_grad()
            losses.append(float(loss_fn(model(X[batch]), y[batch])))
            model.backward(loss_fn.backward())
            optimizer.step()
            ratios.append(np.linalg.norm(weight.data - before) / np.linalg.norm(before))
    final = float(np.mean(losses[-20:])) if np.all(np.isfinite(losses)) else np.inf
    return float(np.median(ratios)), final


def experiment(seed, quick):
    X, y, _, _ = spiral_split(seed)
    steps = 150 if quick else 600
    sweep = {lr: _sweep_point(seed, lr, X, y, steps) for lr in RATES}
    best = min(sweep, key=lambda lr: sweep[lr][1])
    ratio = {lr: r for lr, (r, _) in sweep.items()}
    return {"ratios": ratio, "best_lr": best,
            "proportionality_error": abs(np.log10(ratio[1e-4] / ratio[1e-5]) - 1.0),
            "broken_proportionality_error": abs(np.log10(ratio[10.0] / ratio[1.0]) - 1.0),
            "best_ratio": ratio[best], "tiny_lr_ratio": ratio[1e-5]}


def figure(result, ax):
    rates = list(result["ratios"])
    ax.loglog(rates, list(result["ratios"].values()), marker="o")
    ax.axhspan(1e-4, 1e-2, alpha=0.2, label="healthy band")
    ax.axvline(result["best_lr"], color="k", linestyle=":", label="best rate")
    ax.set_xlabel("learning rate (SGD, momentum 0.9)")
    ax.set_ylabel("median update / weight")
    ax.legend()
