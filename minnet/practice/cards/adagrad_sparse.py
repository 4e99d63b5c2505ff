"""Card adagrad-sparse: Adagrad gives rare features larger steps than SGD does."""

import numpy as np

from minnet.layers.linear import Linear
from minnet.losses import MSELoss
from minnet.optim import SGD, Adagrad
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import fit
from minnet.random import make_rng

ID = "adagrad-sparse"
SOURCES = ("003:59",)
TOPIC = "optimization"
RELATED = ("adam-vs-sgd", "adam-state-scale")

QUESTION = """Why is Adagrad said to suit sparse features, such as rare words in a
bag-of-words model?"""

ANSWER = """Adagrad divides each parameter's step by the square root of the sum of all
its past squared gradients. A weight attached to a common feature receives a gradient
almost every step, its sum grows fast and its effective rate falls; a weight attached
to a rare feature receives gradients seldom, its sum stays small and its few updates
stay large. Each parameter thus gets a rate matched to how often it is informed, so
rare but predictive features are learned from the few examples that contain them,
where plain SGD, with one global rate tuned for the frequent features, barely moves
them. The flip side: the sum only grows, so every rate decays towards zero and long
runs stall; RMSprop and Adam replace the sum with a moving average."""

PREDICT = Prediction(
    "Two features with the same true weight 1, one present in every row, one in 2% of rows. "
    "After 100 steps, which optimizer has learned more of the rare weight relative to the "
    "common one?",
    ("SGD", "Adagrad", "the same", "neither learns the common one"),
    1)

CLAIMS = (
    Claim("adagrad-favours-rare", "Adagrad's rare/common weight ratio is at least 3x SGD's "
          "when the feature is in 2% of rows; when it is in every row it is not",
          "advantage", ">=", 3.0, "dense_advantage"),
)


def _data(seed, present, n=1000):
    """X: (n, 2), feature 0 in every row, feature 1 in a fraction ``present`` of rows."""
    rng = make_rng(seed)
    X = np.zeros((n, 2))
    X[:, 0] = rng.standard_normal(n)
    rows = rng.random(n) < present
    X[rows, 1] = rng.standard_normal(rows.sum())
    return X, (X.sum(axis=1) + 0.1 * rng.standard_normal(n))[:, None]


def _ratios(seed, present, steps):
    """Rare/common learned weight for SGD and for Adagrad, from zero weights."""
    X, y = _data(seed, present)
    found, paths = {}, {}
    for name, make in (("SGD", lambda p: SGD(p, lr=0.01)),
                       ("Adagrad", lambda p: Adagrad(p, lr=0.1))):
        layer = Linear(2, 1, bias=False, rng=seed)
        layer.weight.data[...] = 0.0
        fit(layer, MSELoss(), make(layer.parameters()), X, y, steps=steps, batch_size=32,
            rng=seed)
        weight = layer.weight.data[0]
        found[name], paths[name] = weight[1] / weight[0], weight.copy()
    return found["Adagrad"] / found["SGD"], paths


def experiment(seed, quick):
    steps = 100 if quick else 400
    advantage, weights = _ratios(seed, 0.02, steps)
    dense_advantage, _ = _ratios(seed, 1.0, steps)
    return {"weights": weights, "advantage": advantage, "dense_advantage": dense_advantage}


def figure(result, ax):
    names = list(result["weights"])
    positions = np.arange(len(names))
    ax.bar(positions - 0.2, [result["weights"][n][0] for n in names], 0.4, label="common")
    ax.bar(positions + 0.2, [result["weights"][n][1] for n in names], 0.4,
           label="rare (2% of rows)")
    ax.set_xticks(positions, names)
    ax.set_ylabel("learned weight (true value 1)")
    ax.legend()
