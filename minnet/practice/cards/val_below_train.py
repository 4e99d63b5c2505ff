"""Card val-below-train: with dropout, the logged training loss can exceed the validation loss."""

import numpy as np

from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.random import make_rng
from minnet.zoo.base import spiral_split

ID = "val-below-train"
SOURCES = ("003:48",)
TOPIC = "regularization"
RELATED = ("dropout-numpy", "eval-mode", "early-stopping")

QUESTION = """Your validation loss is lower than your training loss. How can that
happen, and is it a bug?"""

ANSWER = """Usually it is not a bug. The commonest cause is regularization that acts
only in training: dropout removes units while the training loss is computed, while the
validation pass runs the full network in eval mode, so the two numbers measure
different models. Other causes: the training loss is an average over an epoch during
which the weights improved, while validation is scored at the end; data augmentation
makes training examples harder; the validation set is easier or small and lucky; or
it overlaps with the training set (that one IS a bug). To tell them apart, re-score
the training set in eval mode with the final weights: if the gap closes, the
regularizer explains it. If validation is still clearly better, check for leakage and
the split."""

PREDICT = Prediction(
    "A 2-64-64-3 MLP with Dropout(0.5) on the spirals. Scored in train mode the training "
    "loss is above the validation loss. Re-scored in eval mode, the training loss is...",
    ("still above validation", "about equal to or below validation", "NaN", "unchanged"),
    1)

CLAIMS = (
    Claim("dropout-puts-train-above-val", "scored in train mode, the training loss is over "
          "1.1x the validation loss with Dropout(0.5); without dropout it is not",
          "train_mode_ratio", ">", 1.1, "no_dropout_ratio"),
    Claim("eval-rescore-closes-gap", "re-scored in eval mode, the training loss is below 1.1x "
          "the validation loss; in train mode it is not", "eval_ratio", "<", 1.1,
          "train_mode_ratio"),
)


def _mlp(p, seed):
    rng = make_rng(seed)
    return Sequential(Linear(2, 64, rng=rng), ReLU(), Dropout(p, rng=rng),
                      Linear(64, 64, rng=rng), ReLU(), Dropout(p, rng=rng),
                      Linear(64, 3, rng=rng))


def _train(p, seed, data, steps):
    """(curve, train loss in train mode, train loss in eval mode, val loss in eval mode)."""
    X, y, X_val, y_val = data
    model, loss_fn = _mlp(p, seed), CrossEntropyLoss()
    curve = fit(model, loss_fn, Adam(model.parameters(), lr=1e-2), X, y, steps=steps,
                batch_size=32, rng=seed)
    train_mode = float(loss_fn(model(X), y))  # dropout on, as a training log would see it
    train_eval, _ = evaluate(model, loss_fn, X, y)
    val, _ = evaluate(model, loss_fn, X_val, y_val)
    return curve, train_mode, train_eval, val


def experiment(seed, quick):
    data = spiral_split(seed)
    steps = 200 if quick else 1000
    curve, train_mode, train_eval, val = _train(0.5, seed, data, steps)
    _, plain_train, _, plain_val = _train(0.0, seed, data, steps)
    return {"curve": curve, "scores": {"train (train mode)": train_mode,
                                       "train (eval mode)": train_eval, "validation": val},
            "train_mode_ratio": train_mode / val, "no_dropout_ratio": plain_train / plain_val,
            "eval_ratio": train_eval / val}


def figure(result, ax):
    ax.plot(result["curve"], alpha=0.5, label="logged training loss (dropout on)")
    for (name, value), style in zip(result["scores"].items(), ("-", "--", ":")):
        ax.axhline(value, color="k", linestyle=style, linewidth=1, label=name)
    ax.set_ylim(0, float(np.percentile(result["curve"], 95)))
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy")
    ax.legend(fontsize=8)
