"""Card bn-remember: batch norm's two modes, and why tiny batches make its statistics noisy."""

import numpy as np

from minnet.grad_mode import no_grad
from minnet.layers.normalization import BatchNorm1d
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "bn-remember"
SOURCES = ("000:P13", "001:C13")
TOPIC = "normalization"
RELATED = ("bn-vs-ln", "eval-mode", "dropout-bn-order", "batch-extremes-one")

QUESTION = """What should you keep in mind when you add batch normalization to a
model?"""

ANSWER = """It behaves differently in training and evaluation: training normalizes
with the current batch's mean and variance and updates running averages; evaluation
uses the running averages. So call eval() before validation and inference, or the
outputs depend on the batch and the statistics drift. The batch statistics are
estimates: with very small batches (2 to 8) they are noisy, training becomes noisy and
the running averages disagree with the data, so prefer batches of 32 or more, or use
group or layer norm. Samples in a batch influence each other, which breaks per-sample
assumptions (and leaks information across a batch). Place it before the activation
and before dropout, the preceding linear layer needs no bias, and be careful when
fine-tuning with frozen statistics."""

PREDICT = Prediction(
    "Batch means of one feature estimated from batches of 2 vs batches of 64. How much "
    "noisier are the batch-2 estimates (standard deviation)?",
    ("about the same", "about 2x", "about 5-6x", "32x"),
    2)

CLAIMS = (
    Claim("eval-is-batch-independent", "in eval mode a sample's output is the same alone or in "
          "a batch (difference below 1e-12); in training mode it is not", "eval_dependence",
          "<", 1e-12, "train_dependence"),
    Claim("small-batches-are-noisy", "batch means from batches of 2 spread at least 3x more "
          "than from batches of 64; two sets of 64-batches do not", "noise_ratio", ">=", 3.0,
          "same_size_ratio"),
)

C = 8


def _dependence(layer, x):
    """Relative change of sample 0's output between its own batch of 16 and a batch of 2."""
    with no_grad():
        together = layer(x)[0]
        apart = layer(x[[0, 1]] * np.array([[1.0], [3.0]]))[0]  # another partner
    return float(np.linalg.norm(together - apart) / np.linalg.norm(together))


def _spread(data, size, rng, draws):
    """Standard deviation, over random batches, of feature 0's batch mean."""
    means = [data[rng.choice(len(data), size, replace=False), 0].mean() for _ in range(draws)]
    return float(np.std(means))


def experiment(seed, quick):
    rng = make_rng(seed)
    data = 2.0 * rng.standard_normal((4096, C)) + 1.0
    layer = BatchNorm1d(C)
    with no_grad():
        for _ in range(20):  # let the running statistics settle
            layer(data[rng.choice(len(data), 64, replace=False)])
    x = data[:16]
    train_dependence = _dependence(layer, x)
    layer.eval()
    eval_dependence = _dependence(layer, x)
    draws = 300 if quick else 3000
    small, large = _spread(data, 2, rng, draws), _spread(data, 64, rng, draws)
    return {"spreads": {"batch 2": small, "batch 64": large},
            "eval_dependence": eval_dependence, "train_dependence": train_dependence,
            "noise_ratio": small / large, "same_size_ratio": _spread(data, 64, rng, draws) / large}


def figure(result, ax):
    ax.bar(list(result["spreads"]), list(result["spreads"].values()))
    ax.set_ylabel("spread of the batch mean (one feature)")
