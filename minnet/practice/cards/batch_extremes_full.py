"""Card batch-extremes-full: full-batch training takes one step per epoch."""

from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.train import evaluate, fit
from minnet.zoo.base import mlp, mnist1d_split

ID = "batch-extremes-full"
SOURCES = ("003:58b",)
TOPIC = "optimization"
RELATED = ("batch-extremes-one", "gd-sgd-minibatch", "lr-batch-scaling")

QUESTION = """What happens when you train with the whole dataset as one batch?"""

ANSWER = """Each step uses the exact gradient of the training loss, so the curve is
smooth and each step is as good as a step can be; but there is only one step per pass
over the data. Measured in epochs (the cost that matters), full-batch training is far
behind mini-batches: a batch of 32 makes N/32 steps from the same computation, and
nearby mini-batch gradients are similar enough that those many cheap steps beat one
exact one. Full batch also needs the whole dataset's activations in memory, does not
fit large datasets at all, and loses the gradient noise that helps escape saddles and
sharp minima. It is fine for small convex problems and for second-order methods
(L-BFGS). Compared step for step, by contrast, full batch is at least as good."""

PREDICT = Prediction(
    "SGD with momentum on MNIST-1D (800 training samples) for 10 epochs: batch 32 vs the "
    "full batch. Which ends with the lower training loss?",
    ("the full batch: exact gradients", "batch 32", "about the same",
     "the full batch diverges"),
    1)

CLAIMS = (
    Claim("full-batch-behind-per-epoch", "after the same number of epochs the full-batch "
          "training loss is over 1.5x batch 32's; after the same number of steps it is not",
          "per_epoch_ratio", ">", 1.5, "per_step_ratio"),
)


def _final_loss(seed, X, y, batch_size, steps):
    model, loss_fn = mlp((40, 64, 10), seed), CrossEntropyLoss()
    curve = fit(model, loss_fn, SGD(model.parameters(), lr=0.1, momentum=0.9), X, y,
                steps=steps, batch_size=batch_size, rng=seed)
    return evaluate(model, loss_fn, X, y)[0], curve


def experiment(seed, quick):
    X, y, _, _ = mnist1d_split(seed)
    epochs = 10 if quick else 40
    mini_steps = epochs * len(X) // 32
    mini, mini_curve = _final_loss(seed, X, y, 32, mini_steps)
    per_epoch, epoch_curve = _final_loss(seed, X, y, None, epochs)
    per_step, step_curve = _final_loss(seed, X, y, None, mini_steps)
    return {"curves": {"batch 32": mini_curve, "full batch": step_curve}, "epochs": epochs,
            "per_epoch_ratio": per_epoch / mini, "per_step_ratio": per_step / mini}


def figure(result, ax):
    for name, curve in result["curves"].items():
        ax.semilogy(curve, label=name)
    ax.axvline(result["epochs"], color="k", linestyle=":",
               label=f"full batch after {result['epochs']} epochs")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.legend()
