"""Card epochs-vs-replacement: sampling with replacement leaves about 1/e of the data unseen."""

import numpy as np

from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "epochs-vs-replacement"
SOURCES = ("003:51",)
TOPIC = "optimization"
RELATED = ("gd-sgd-minibatch", "shuffle")

QUESTION = """Why do training loops go through the data in epochs (shuffled, without
replacement) instead of drawing each example at random with replacement?"""

ANSWER = """Drawing n examples with replacement from n leaves each one out with
probability (1 - 1/n)^n, about 1/e = 37%: more than a third of the data is not seen in
an "epoch's worth" of steps, while other examples are seen two or three times. A
shuffled pass without replacement uses every example exactly once per epoch, so no
example is neglected for long, progress is easy to account for ("epoch 5"), and the
gradient estimates within an epoch are less redundant; shuffling again each epoch keeps
the batches from repeating in the same order. The theory agrees: random reshuffling
converges faster than with-replacement SGD on many problems. Sampling with replacement
is still useful for weighted sampling (class balance) and for bootstrap estimates."""

PREDICT = Prediction(
    "Draw 1,000 indices with replacement from 1,000 examples. About what fraction of the "
    "examples is never drawn?",
    ("0%", "about 10%", "about 37%", "about 50%"),
    2)

CLAIMS = (
    Claim("replacement-leaves-a-third", "with replacement more than 33% of the examples are "
          "never drawn (about 1/e); without replacement none is", "unseen_with", ">", 0.33,
          "unseen_without"),
    Claim("replacement-at-most-40-percent", "with replacement fewer than 40% go unseen; when "
          "only half as many draws are made, more do", "unseen_with", "<", 0.40,
          "unseen_half_draws"),
)


def _unseen(indices, n):
    return float(1.0 - len(np.unique(indices)) / n)


def experiment(seed, quick):
    rng = make_rng(seed)
    n = 1000 if quick else 100_000
    with_replacement = rng.integers(0, n, n)
    without = rng.permutation(n)
    counts = np.bincount(with_replacement, minlength=n)
    return {"counts": counts, "unseen_with": _unseen(with_replacement, n),
            "unseen_without": _unseen(without, n),
            "unseen_half_draws": _unseen(rng.integers(0, n, n // 2), n)}


def figure(result, ax):
    values, how_often = np.unique(result["counts"], return_counts=True)
    ax.bar(values, how_often / how_often.sum())
    ax.set_xlabel("times an example was drawn (n draws with replacement)")
    ax.set_ylabel("fraction of examples")
