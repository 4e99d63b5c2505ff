"""Card batch-extremes-one: batch size 1: the noisiest gradient; batch norm has nothing to use."""

import numpy as np

from minnet.errors import MinnetError
from minnet.functional import batchnorm_forward
from minnet.layers.normalization import BatchNorm1d
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "batch-extremes-one"
SOURCES = ("003:58a",)
TOPIC = "optimization"
RELATED = ("batch-extremes-full", "gd-sgd-minibatch", "bn-vs-ln")

QUESTION = """What happens when you train with a batch size of 1?"""

ANSWER = """Every step follows the gradient of a single example: cheap and frequent,
but the noisiest possible estimate, so the loss curve jitters and the learning rate
must be small (or decayed) to make progress; vectorized hardware also sits mostly idle,
so an epoch takes far longer in wall-clock time. The noise is not all bad: it acts as
a regularizer and helps escape saddle points. The sharpest failure is batch
normalization: normalizing one sample with its own statistics subtracts the sample
from itself, so every feature becomes zero and the layer outputs its shift beta,
whatever the input; the network can learn nothing through it, and libraries refuse it
in training mode. With batch 1 use layer or group normalization, or none."""

PREDICT = Prediction(
    "Normalize a batch of one sample with its own mean and variance, then scale by gamma "
    "and shift by beta. The output is...",
    ("the input unchanged", "beta, whatever the input", "gamma", "NaN"),
    1)

CLAIMS = (
    Claim("own-statistics-give-beta", "a batch of one normalized by its own statistics "
          "outputs beta to within 1e-6 of gamma; a batch of two does not",
          "one_sample_distance", "<", 1e-6, "two_sample_distance"),
    Claim("layer-refuses-in-training", "BatchNorm1d refuses a batch of one in training mode; "
          "in eval mode (running statistics) it does not", "train_refuses", ">", 0.5,
          "eval_refuses"),
)

C = 6


def _distance_to_beta(x, gamma, beta):
    """max |out - beta| / max |gamma| when x is normalized by its own batch statistics."""
    out, _ = batchnorm_forward(x, gamma, beta, mean=x.mean(axis=0), var=x.var(axis=0))
    return float(np.max(np.abs(out - beta)) / np.max(np.abs(gamma))), out


def _refuses(layer, x):
    try:
        layer(x)
    except MinnetError:
        return 1.0
    return 0.0


def experiment(seed, quick):
    rng = make_rng(seed)
    x = 3.0 * rng.standard_normal((2, C)) + 1.0
    gamma, beta = rng.uniform(0.5, 2.0, C), rng.standard_normal(C)
    one, out_one = _distance_to_beta(x[:1], gamma, beta)
    two, _ = _distance_to_beta(x, gamma, beta)
    layer = BatchNorm1d(C)
    train_refuses = _refuses(layer, x[:1])
    layer.eval()
    return {"x": x[0], "out": out_one[0], "beta": beta,
            "one_sample_distance": one, "two_sample_distance": two,
            "train_refuses": train_refuses, "eval_refuses": _refuses(layer, x[:1])}


def figure(result, ax):
    features = np.arange(C)
    ax.plot(features, result["x"], marker="o", label="input (one sample)")
    ax.plot(features, result["out"], marker="s", label="batch-norm output")
    ax.plot(features, result["beta"], linestyle=":", color="k", label="beta")
    ax.set_xlabel("feature")
    ax.legend()
