"""Card lr-batch-scaling: multiply the batch by k, multiply the SGD rate by k."""

from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.zoo.base import mlp, mnist1d_split

ID = "lr-batch-scaling"
SOURCES = ("003:58c",)
TOPIC = "optimization"
RELATED = ("batch-extremes-full", "gd-sgd-minibatch", "warmup")

QUESTION = """If you increase the batch size, how should you change the learning rate,
and why?"""

ANSWER = """With plain SGD, scale it linearly: k times the batch, k times the rate.
One step on a batch of kB averages k times as many examples, and for small steps it
moves about as far as the k steps of size B it replaces would have together only if
its rate is k times larger; then training curves measured in epochs nearly coincide
(Goyal et al. trained ImageNet at batch 8k this way). Keep the rate unchanged and the
larger batch takes k times fewer steps of the same size per epoch, so it falls behind.
The rule breaks down when the scaled rate gets too large for the curvature (early
training needs warmup, and very large batches stop gaining), and for Adam the
square-root rule is the usual starting point. Always re-check the rate after changing
the batch size."""

PREDICT = Prediction(
    "MNIST-1D, plain SGD, 10 epochs: batch 32 at lr 0.01, batch 256 at lr 0.01, batch 256 at "
    "lr 0.08. Which two end with about the same training loss?",
    ("batch 32 and batch 256 at lr 0.01", "batch 32 and batch 256 at lr 0.08",
     "the two batch-256 runs", "none"),
    1)

CLAIMS = (
    Claim("scaled-rate-matches", "batch 256 at 8x the rate ends within 2% of batch 32's loss; "
          "at the same rate it does not", "scaled_gap", "<", 0.02, "unscaled_gap"),
    Claim("unscaled-rate-lags", "batch 256 at the same rate ends at 1.25x batch 32's loss or "
          "more; at 8x the rate it does not", "unscaled_ratio", ">=", 1.25, "scaled_ratio"),
)

LR = 0.01


def _final(seed, X, y, batch_size, lr, epochs):
    model, loss_fn = mlp((40, 64, 10), seed), CrossEntropyLoss()
    curve = fit(model, loss_fn, SGD(model.parameters(), lr=lr), X, y,
                steps=epochs * len(X) // batch_size, batch_size=batch_size, rng=seed)
    return evaluate(model, loss_fn, X, y)[0], curve


def experiment(seed, quick):
    X, y, _, _ = mnist1d_split(seed)
    epochs = 10 if quick else 40
    base, base_curve = _final(seed, X, y, 32, LR, epochs)
    same, same_curve = _final(seed, X, y, 256, LR, epochs)
    scaled, scaled_curve = _final(seed, X, y, 256, 8 * LR, epochs)
    return {"curves": {"batch 32, lr 0.01": base_curve, "batch 256, lr 0.01": same_curve,
                       "batch 256, lr 0.08": scaled_curve},
            "scaled_gap": abs(scaled / base - 1), "unscaled_gap": abs(same / base - 1),
            "scaled_ratio": scaled / base, "unscaled_ratio": same / base}


def figure(result, ax):
    for name, curve in result["curves"].items():
        epochs = [i * len(result["curves"]["batch 32, lr 0.01"]) / len(curve)
                  for i in range(len(curve))]
        ax.plot(epochs, curve, label=name)
    ax.set_xlabel("batch-32 steps (the same epochs for all)")
    ax.set_ylabel("training loss")
    ax.legend()
