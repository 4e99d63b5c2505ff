"""Card overfit-first: before anything else, make the model memorize a tiny set."""

import numpy as np

from minnet.data import spiral
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.zoo.base import mlp

ID = "overfit-first"
SOURCES = ("003:41", "000:P1", "001:C2", "002:I1")
TOPIC = "debugging"
RELATED = ("grow-gradually", "initial-loss")

QUESTION = """You start training a new model. Should your first goal be a model that
overfits or one that underfits? And when the full run misbehaves, what is the first
experiment to try?"""

ANSWER = """Overfit first, on purpose, on a handful of examples (one batch, or a dozen
points). A model with enough capacity and a correct pipeline drives the training loss on
so few points to almost zero and classifies every one of them. If it cannot, the bug is
not about generalization: the labels may be misaligned, the loss or a backward pass may
be wrong, the learning rate may be off, or the model may simply be too weak (a linear
model cannot memorize points that are not linearly separable). Only once the model can
memorize do regularization, more data and early stopping become the next questions:
closing the gap between training and validation is the second stage, not the first.
The run: sixteen spiral points, a small ReLU MLP memorizes them; logistic regression,
which has no hidden layer, cannot."""

PREDICT = Prediction(
    "Sixteen points from two interleaved spirals, 300 Adam steps. Which model reaches 100% "
    "training accuracy?",
    ("both", "only the 2-32-32-2 ReLU MLP", "only logistic regression", "neither"),
    1)

CLAIMS = (
    Claim("mlp-memorizes", "the MLP classifies every training point", "mlp_accuracy", ">=",
          0.999, "logistic_accuracy"),
    Claim("mlp-loss-near-zero", "the MLP's training loss ends below 1e-2", "mlp_loss", "<",
          1e-2, "logistic_loss"),
    Claim("logistic-underfits", "logistic regression stays below 90% accuracy",
          "logistic_accuracy", "<", 0.9, "mlp_accuracy"),
)


def _tiny_spiral(seed):
    """16 points, 8 per arm, from the 2-arm spiral (X: (16, 2), y: (16,)).

    Both arms start at the centre (0, 0): that point, the same input with two
    labels, is dropped, as the zoo's ``spiral_split`` does.
    """
    X, y = spiral(n_per_class=9, n_classes=2, noise=0.1, rng=seed)
    keep = np.abs(X).sum(axis=1) > 0
    return X[keep], y[keep]


def _train(model, X, y, steps):
    loss_fn = CrossEntropyLoss()
    curve = fit(model, loss_fn, Adam(model.parameters(), lr=2e-2), X, y, steps=steps)
    loss, accuracy = evaluate(model, loss_fn, X, y)
    return np.append(curve, loss), loss, accuracy


def experiment(seed, quick):
    X, y = _tiny_spiral(seed)
    steps = 300 if quick else 1000
    mlp_curve, mlp_loss, mlp_accuracy = _train(mlp((2, 32, 32, 2), rng=seed), X, y, steps)
    log_curve, log_loss, log_accuracy = _train(mlp((2, 2), rng=seed), X, y, steps)
    return {"mlp_curve": mlp_curve, "logistic_curve": log_curve,
            "mlp_loss": mlp_loss, "mlp_accuracy": mlp_accuracy,
            "logistic_loss": log_loss, "logistic_accuracy": log_accuracy}


def figure(result, ax):
    ax.semilogy(result["mlp_curve"], label=f"MLP ({100 * result['mlp_accuracy']:.0f}%)")
    ax.semilogy(result["logistic_curve"],
                label=f"logistic ({100 * result['logistic_accuracy']:.0f}%)")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss (16 points)")
    ax.legend()
