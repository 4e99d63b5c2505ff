"""Card early-stopping: stop when validation stops improving, and keep the best weights."""

from minnet.callbacks import EarlyStopping
from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.training import fit
from minnet.zoo import mlp as zoo_mlp
from minnet.zoo.base import mlp, spiral_split

ID = "early-stopping"
SOURCES = ("003:49",)
TOPIC = "regularization"
RELATED = ("val-below-train", "more-regularization")

QUESTION = """What is early stopping, when does it help, and how is it implemented
well?"""

ANSWER = """Train while watching a validation metric; stop once it has not improved for
a set number of epochs (the patience) and restore the weights of the best epoch. It
regularizes by limiting how far the weights travel from their initialization: an
over-parametrized model first learns the broad structure and later fits noise, and
early stopping cuts the run between the two. It helps when the validation loss turns
upward while the training loss keeps falling, the classic overfitting picture; on a
model that is still improving it simply never fires. Details that matter: keep a
copy of the best weights (stopping alone leaves you patience epochs past the best),
use a min_delta against noise, and do not tune on the test set: the validation set
you stop on is no longer an unbiased estimate."""

PREDICT = Prediction(
    "A 2-256-256-3 MLP on 24 noisy spiral points, 100 epochs, EarlyStopping(patience=10). "
    "Compared with the full run, the restored model's validation loss is...",
    ("higher", "about the same", "clearly lower", "undefined: it stopped"),
    2)

CLAIMS = (
    Claim("stops-early", "on the overfitting setup the run stops before half its epochs; on "
          "a healthy spiral MLP it does not", "fraction_run", "<", 0.5,
          "healthy_fraction_run"),
    Claim("restored-beats-unstopped", "the restored weights' validation loss is below 0.8x "
          "that of the full run; on the healthy setup it is not", "val_ratio", "<", 0.8,
          "healthy_val_ratio"),
)


def _setup(kind, seed):
    """(model, optimizer, X, y, X_val, y_val): the zoo's overfitting, or the healthy spiral MLP."""
    if kind == "overfitting":
        ex = zoo_mlp.overfitting(seed)
        return ex.model, ex.optimizer, ex.X, ex.y, ex.X_val, ex.y_val
    X, y, X_val, y_val = spiral_split(seed)
    model = mlp((2, 32, 32, 3), seed)
    return model, Adam(model.parameters(), lr=1e-2), X, y, X_val, y_val


def _run(kind, seed, epochs, stop):
    """(validation curve, final validation loss in eval mode)."""
    model, optimizer, X, y, X_val, y_val = _setup(kind, seed)
    loss_fn = CrossEntropyLoss()
    callbacks = [EarlyStopping(patience=10)] if stop else []
    history = fit(model, loss_fn, optimizer, X, y, X_val=X_val, y_val=y_val, epochs=epochs,
                  batch_size=len(X), callbacks=callbacks, progress=False, rng=seed)
    model.eval()
    return list(history.val_loss), float(loss_fn(model(X_val), y_val))


def experiment(seed, quick):
    epochs = 100 if quick else 300
    found = {}
    for kind in ("overfitting", "healthy"):
        stopped_curve, stopped = _run(kind, seed, epochs, True)
        full_curve, full = _run(kind, seed, epochs, False)
        found[kind] = (len(stopped_curve) / epochs, stopped / full, full_curve, stopped)
    return {"curve": found["overfitting"][2], "restored": found["overfitting"][3],
            "fraction_run": found["overfitting"][0], "healthy_fraction_run": found["healthy"][0],
            "val_ratio": found["overfitting"][1], "healthy_val_ratio": found["healthy"][1]}


def figure(result, ax):
    ax.plot(result["curve"], label="validation loss, full run")
    ax.axhline(result["restored"], color="k", linestyle="--", linewidth=1,
               label="restored by EarlyStopping")
    ax.set_xlabel("epoch")
    ax.set_ylabel("validation cross-entropy")
    ax.legend()
