"""Card more-regularization: more L2 helps a model that overfits and hurts one that underfits."""

from minnet.losses import CrossEntropyLoss, RegularizedLoss
from minnet.optim import Adam
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.zoo import mlp as zoo_mlp
from minnet.zoo.base import mlp, spiral_split

ID = "more-regularization"
SOURCES = ("000:P10",)
TOPIC = "regularization"
RELATED = ("early-stopping", "l2-squared", "weight-decay", "overfit-first")

QUESTION = """A colleague proposes adding more regularization to fix a model's poor
validation score. When will that help, and when will it make things worse?"""

ANSWER = """Regularization trades training fit for generalization, so it helps only
when the gap between training and validation is the problem. If the model overfits
(training loss near zero, validation loss much higher and rising), a larger weight
penalty, dropout or more data narrows the gap and the validation loss falls. If the
model underfits (training and validation losses both high and close), it already
cannot fit the data; more regularization constrains it further, the training loss
rises and the validation loss with it. So look at the two curves first: with a gap,
regularize; without one, add capacity, train longer or fix the optimization, and only
then regularize. Tune the strength on a log scale against the validation set."""

PREDICT = Prediction(
    "Add an L2 penalty (0.03) to two models: a 2-256-256-3 net on 24 spiral points, and "
    "logistic regression on 240. Whose validation loss improves?",
    ("both", "only the big net's", "only logistic regression's", "neither"),
    1)

CLAIMS = (
    Claim("helps-the-overfitting-model", "with L2 0.03 the big net's validation loss falls "
          "below 0.5x its unregularized value; logistic regression's does not",
          "overfit_val_ratio", "<", 0.5, "underfit_val_ratio"),
    Claim("hurts-the-underfitting-model", "with L2 0.03 logistic regression's validation loss "
          "does not improve (ratio above 1); the big net's does", "underfit_val_ratio", ">",
          1.0, "overfit_val_ratio"),
)

LAM = 0.03


def _val_loss(kind, seed, lam, steps):
    """Validation cross-entropy after training with an L2 penalty ``lam`` (0: none)."""
    if kind == "overfitting":
        ex = zoo_mlp.overfitting(seed)
        model, X, y, X_val, y_val = ex.model, ex.X, ex.y, ex.X_val, ex.y_val
    else:
        X, y, X_val, y_val = spiral_split(seed)
        model = mlp((2, 3), seed)
    data_loss = CrossEntropyLoss()
    loss_fn = RegularizedLoss(data_loss, model, l2=lam) if lam else data_loss
    fit(model, loss_fn, Adam(model.parameters(), lr=1e-2), X, y, steps=steps, batch_size=32,
        rng=seed)
    return evaluate(model, data_loss, X_val, y_val)[0]


def experiment(seed, quick):
    steps = 300 if quick else 1500
    val = {(kind, lam): _val_loss(kind, seed, lam, steps)
           for kind in ("overfitting", "underfitting") for lam in (0.0, LAM)}
    return {"val": {f"{kind}, L2 {lam:g}": v for (kind, lam), v in val.items()},
            "overfit_val_ratio": val["overfitting", LAM] / val["overfitting", 0.0],
            "underfit_val_ratio": val["underfitting", LAM] / val["underfitting", 0.0]}


def figure(result, ax):
    ax.barh(list(result["val"]), list(result["val"].values()))
    ax.set_xscale("log")
    ax.set_xlabel("validation cross-entropy")
