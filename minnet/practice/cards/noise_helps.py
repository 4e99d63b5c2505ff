"""Card noise-helps: gradient noise leaves a saddle point; dropout's noise regularizes."""

import numpy as np

from minnet.core import Sequential
from minnet.layers.activations import ReLU
from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.random import make_rng
from minnet.zoo import mlp as zoo_mlp

ID = "noise-helps"
SOURCES = ("003:66b",)
TOPIC = "optimization"
RELATED = ("randomness", "dropout-numpy", "gd-sgd-minibatch")

QUESTION = """Randomness in training is not only a nuisance. When does noise help?"""

ANSWER = """Noise helps optimization and generalization. At a saddle point the gradient
is zero, so exact gradient descent started there (or very near it) stays put, while a
noisy gradient soon pushes the weights onto a descending direction; in high dimensions
saddles far outnumber bad minima, so this matters. Mini-batch noise also keeps SGD
from settling into narrow, sharp regions. For generalization, deliberate noise is a
regularizer: dropout trains an ensemble of thinned networks, data augmentation and
input noise teach invariances, label smoothing softens overconfident targets; a model
that must work under perturbation cannot memorize every detail of the training set.
Random initialization is itself needed to break symmetry. The price is variance
between runs, which is why results are reported over several seeds."""

PREDICT = Prediction(
    "Start exactly at the saddle of f(x, y) = x^2 - y^2 + y^4 / 4 and run 200 steps of gradient "
    "descent, with and without small gradient noise. Which leaves the saddle?",
    ("both", "only the noisy one", "only the exact one", "neither"),
    1)

CLAIMS = (
    Claim("noise-escapes-the-saddle", "noisy gradient descent ends over 0.5 away from the "
          "saddle; exact gradient descent does not", "noisy_escape", ">", 0.5, "exact_escape"),
    Claim("dropout-lowers-val-loss", "on the zoo's overfitting setup, Dropout(0.5) ends with "
          "a validation loss below 0.95x the plain net's; with p = 0 the same net does not",
          "dropout_ratio", "<", 0.95, "no_dropout_ratio"),
)


def _saddle_descent(rng, noise, steps, lr=0.1):
    """Gradient descent on f = x^2 - y^2 + y^4/4 from (0, 0); returns the path, (steps+1, 2)."""
    point, path = np.zeros(2), [np.zeros(2)]
    for _ in range(steps):
        gradient = np.array([2 * point[0], -2 * point[1] + point[1] ** 3])
        point = point - lr * (gradient + noise * rng.standard_normal(2))
        path.append(point.copy())
    return np.array(path)


def _overfit_val_loss(seed, p, steps):
    ex = zoo_mlp.overfitting(seed)
    rng = make_rng(seed)
    model = Sequential(Linear(2, 256, rng=rng), ReLU(), Dropout(p, rng=rng),
                       Linear(256, 256, rng=rng), ReLU(), Dropout(p, rng=rng),
                       Linear(256, 3, rng=rng))
    fit(model, ex.loss_fn, Adam(model.parameters(), lr=1e-2), ex.X, ex.y, steps=steps, rng=seed)
    return evaluate(model, ex.loss_fn, ex.X_val, ex.y_val)[0]


def experiment(seed, quick):
    rng = make_rng(seed)
    steps = 200 if quick else 1000
    noisy = _saddle_descent(rng, 0.01, steps)
    exact = _saddle_descent(rng, 0.0, steps)
    plain = _overfit_val_loss(seed, 0.0, steps)
    return {"noisy": noisy, "exact": exact,
            "noisy_escape": float(np.linalg.norm(noisy[-1])),
            "exact_escape": float(np.linalg.norm(exact[-1])),
            "dropout_ratio": _overfit_val_loss(seed, 0.5, steps) / plain,
            "no_dropout_ratio": _overfit_val_loss(seed, 0.0, steps) / plain}


def figure(result, ax):
    ax.plot(result["noisy"][:, 0], result["noisy"][:, 1], label="noisy gradient descent")
    ax.plot(result["exact"][:, 0], result["exact"][:, 1], "o", label="exact (stays at 0, 0)")
    ax.set_xlabel("x")
    ax.set_ylabel("y (the descending direction)")
    ax.legend()
