"""Card four-plots: the four curves to watch while training, on a healthy and a broken run."""

import numpy as np

from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.watched import watched_run
from minnet.zoo import healthy as zoo_healthy
from minnet.zoo import mlp as zoo_mlp

ID = "four-plots"
SOURCES = ("000:P0", "001:C9", "002:O2")
TOPIC = "debugging"
RELATED = ("update-ratio", "exploding-gradients", "no-zero-grad")

QUESTION = """Before changing anything in a model that does not train, which plots do
you look at, and what does each tell you?"""

ANSWER = """Four, all over training steps. The training (and validation) loss: whether
it falls, plateaus, spikes or diverges, and the gap between the two. The gradient norm,
globally and per layer: explosions, vanishing layers, a norm that grows when gradients
are not reset. The update-to-weight ratio per layer, |lr * update| / |w|: around 1e-3
is healthy, far above means the rate is too high, far below means nothing moves. The
activations per layer, as histograms or summary statistics: saturated tanh units,
dead ReLUs, exploding scales. Looking at all four first localizes the problem (which
layer, which step, which symptom) and usually names it; changing hyperparameters
blindly does not. minnet's watch() records all four and the doctor draws them."""

PREDICT = Prediction(
    "SGD at lr 10 on the spirals (100x a good rate) against lr 0.1. In which plot is the "
    "difference largest at a glance?",
    ("only the activations", "the update/weight ratio and the loss", "none: they look alike",
     "only the validation accuracy"),
    1)

CLAIMS = (
    Claim("update-ratio-far-too-high", "at lr 10 the first layer's median update/weight ratio "
          "is above 0.1; at lr 0.1 it is not", "broken_update_ratio", ">", 0.1,
          "healthy_update_ratio"),
    Claim("loss-spikes", "at lr 10 the training loss climbs above 2x its first value; at lr "
          "0.1 it does not", "broken_loss_peak", ">", 2.0, "healthy_loss_peak"),
)


def _summary(records):
    """(median first-layer update ratio, peak loss / first loss, the series to plot)."""
    ratios = records["update_ratio"]
    first = ratios[next(iter(ratios))]
    update = np.asarray(first["value"], dtype=float)
    loss = np.asarray(records["loss"]["train"], dtype=float)
    return float(np.nanmedian(update)), float(np.nanmax(loss) / loss[0]), (loss, update)


def experiment(seed, quick):
    epochs = 3 if quick else 10
    with np.errstate(over="ignore", invalid="ignore"):
        broken, _ = watched_run(zoo_mlp.lr_x100(seed), seed, epochs)
    healthy, _ = watched_run(zoo_healthy.tanh_glorot(seed), seed, epochs)
    broken_ratio, broken_peak, broken_series = _summary(broken)
    healthy_ratio, healthy_peak, healthy_series = _summary(healthy)
    return {"series": {"lr 10": broken_series, "lr 0.1": healthy_series},
            "broken_update_ratio": broken_ratio, "healthy_update_ratio": healthy_ratio,
            "broken_loss_peak": broken_peak, "healthy_loss_peak": healthy_peak}


def figure(result, ax):
    for name, (loss, update) in result["series"].items():
        (line,) = ax.semilogy(loss, label=f"{name}: loss")
        ax.semilogy(np.linspace(0, len(loss) - 1, len(update)), update, ":",
                    color=line.get_color(), label=f"{name}: update/weight, layer 1")
    ax.set_xlabel("step (update ratio sampled)")
    ax.legend(fontsize=8)
