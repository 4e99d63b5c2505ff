"""Card initial-loss: at initialization a C-class softmax should score about ln C."""

import math

import numpy as np

from minnet.grad_mode import no_grad
from minnet.losses import CrossEntropyLoss
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.zoo import mlp as zoo_mlp
from minnet.zoo.base import mlp, mnist1d_split, spiral_split

ID = "initial-loss"
SOURCES = ("001:C3", "002:L2")
TOPIC = "debugging"
RELATED = ("hockey-stick", "overfit-first", "class-imbalance")

QUESTION = """Before training, what loss should a softmax classifier report, and what
does it mean when the first loss is far from that?"""

ANSWER = """With small output weights the logits are nearly equal, the softmax is
close to uniform, and the cross-entropy is -log(1/C) = ln C: 1.10 for 3 classes, 2.30
for 10. Checking the very first loss against that number is a free test of the
pipeline. A much higher value means the network starts confidently wrong: output
weights or biases that are too large, a wrong label encoding, or a loss applied to
already-softmaxed outputs; such a start wastes the first part of training undoing it
(the hockey-stick curve). A value far below ln C before training suggests leaked
labels. Initialize the last layer small and its bias at zero, or at the log of the
class frequencies when the classes are imbalanced."""

PREDICT = Prediction(
    "A 10-class MNIST-1D MLP with its last layer initialized small. The first cross-entropy, "
    "before any training, is about...",
    ("0", "1", "2.3", "10"),
    2)

CLAIMS = (
    Claim("starts-at-ln-C", "with a small last layer the first loss is within 5% of ln C, for "
          "3 and for 10 classes; with the output biases set to the class counts it is not",
          "worst_gap", "<", 0.05, "broken_gap"),
    Claim("broken-start-far-off", "with the output biases set to the class counts (the zoo's "
          "output-bias-counts) the first loss is at least 2x ln 3; a small last layer is not",
          "broken_ratio", ">=", 2.0, "good_ratio"),
)


def _first_loss_ratio(model, X, y, classes):
    with no_grad():
        return float(CrossEntropyLoss()(model(X), y)) / math.log(classes)


def _small_last(sizes, seed):
    model = mlp(sizes, seed)
    model[-1].weight.data *= 0.01  # the advice: a small last layer, bias 0
    return model


def experiment(seed, quick):
    X, y, _, _ = spiral_split(seed)
    X10, y10, _, _ = mnist1d_split(seed)
    ratios = {"3 classes": _first_loss_ratio(_small_last((2, 32, 32, 3), seed), X, y, 3),
              "10 classes": _first_loss_ratio(_small_last((40, 64, 10), seed), X10, y10, 10)}
    ex = zoo_mlp.output_bias_counts(seed)
    ratios["biases = class counts"] = _first_loss_ratio(ex.model, ex.X, ex.y, 3)
    good = [ratios["3 classes"], ratios["10 classes"]]
    broken = ratios["biases = class counts"]
    return {"ratios": ratios, "worst_gap": float(max(abs(r - 1) for r in good)),
            "broken_gap": abs(broken - 1), "broken_ratio": broken,
            "good_ratio": float(np.max(good))}


def figure(result, ax):
    ax.bar(list(result["ratios"]), list(result["ratios"].values()))
    ax.axhline(1.0, color="k", linestyle="--", linewidth=1)
    ax.set_ylabel("first loss / ln C")
