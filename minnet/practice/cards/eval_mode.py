"""Card eval-mode: scoring in training mode is random and changes the model."""

import numpy as np

from minnet.grad_mode import no_grad
from minnet.losses import CrossEntropyLoss
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.zoo import story

ID = "eval-mode"
SOURCES = ("000:P6",)
TOPIC = "debugging"
RELATED = ("dropout-numpy", "bn-remember", "val-below-train")

QUESTION = """Training accuracy is fine but the validation numbers are poor and jump
from one evaluation to the next, although the validation data never changes. What do
you check?"""

ANSWER = """That the model is switched to evaluation mode while it is scored, and back
to training mode afterwards. In training mode dropout still drops random units, so two
scorings of the same data give different numbers, and batch norm normalizes with the
current batch's statistics and also updates its running averages with the validation
data: evaluation then depends on the batch composition and quietly changes the model.
In eval mode dropout is the identity and batch norm uses the running statistics, so
scoring is deterministic and leaves the model untouched; run it without gradient
tracking too. minnet's watch() reports eval-in-train-mode when validation runs while
the model is still in training mode."""

PREDICT = Prediction(
    "Score the RNN story's model on the same validation set twice in training mode, then "
    "twice in eval mode. Which pairs agree?",
    ("both pairs", "only the eval-mode pair", "only the training-mode pair", "neither"),
    1)

CLAIMS = (
    Claim("train-mode-scores-vary", "two training-mode scorings differ by over 0.01% "
          "(relative); two eval-mode scorings do not", "train_mode_spread", ">", 1e-4,
          "eval_mode_spread"),
    Claim("eval-mode-leaves-model-alone", "eval-mode scoring moves batch norm's running mean "
          "by less than 1e-12 (relative); training-mode scoring does not", "eval_stat_change",
          "<", 1e-12, "train_stat_change"),
)


def _score_twice(model, loss_fn, X, y, training):
    """(relative spread of two scorings, relative change of the BN running mean)."""
    model.train(training)
    norm = model[3]  # Embedding, RNN, Linear, BatchNorm1d, ReLU, Dropout, Linear
    before = norm.running_mean.copy()
    with no_grad():
        first = float(loss_fn(model(X), y))
        second = float(loss_fn(model(X), y))
    change = np.linalg.norm(norm.running_mean - before) / max(np.linalg.norm(before), 1e-300)
    model.train()
    return abs(first - second) / first, float(change)


def experiment(seed, quick):
    X, y, X_val, y_val = story.story_data(seed)
    model, loss_fn = story.story_model(seed), CrossEntropyLoss()
    with no_grad():  # one training-mode pass, so the running mean is not all zeros
        model(X[:64])
    train_spread, train_change = _score_twice(model, loss_fn, X_val, y_val, True)
    eval_spread, eval_change = _score_twice(model, loss_fn, X_val, y_val, False)
    return {"spreads": {"training mode": train_spread, "eval mode": eval_spread},
            "train_mode_spread": train_spread, "eval_mode_spread": eval_spread,
            "train_stat_change": train_change, "eval_stat_change": eval_change}


def figure(result, ax):
    names = list(result["spreads"])
    ax.bar(names, [max(v, 1e-17) for v in result["spreads"].values()])
    ax.set_yscale("log")
    ax.set_ylabel("relative difference of two scorings\nof the same validation set")
