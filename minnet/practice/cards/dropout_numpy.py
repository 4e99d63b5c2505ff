"""Card dropout-numpy: inverted dropout keeps the expected activation; eval is the identity."""

import numpy as np

from minnet.functional import dropout_forward
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "dropout-numpy"
SOURCES = ("003:43b",)
TOPIC = "regularization"
RELATED = ("val-below-train", "dropout-bn-order", "eval-mode")

QUESTION = """Implement dropout with NumPy for training and for inference. Why do
implementations scale the kept activations during training?"""

ANSWER = """During training draw a mask that keeps each unit with probability 1 - p
(p is the DROP probability), zero the dropped units and divide the kept ones by 1 - p:
out = x * mask / (1 - p). The backward multiplies the upstream gradient by the same
scaled mask. At inference return x unchanged. The division is why inference needs no
change: the expected training output equals x, so the next layer sees activations of
the same size in both modes. Without it (plain dropout) the training activations are
(1 - p) times smaller and inference must multiply by 1 - p instead; forgetting that
shifts every activation at test time. Two classic slips: treating p as the keep
probability, and leaving dropout on at evaluation."""

PREDICT = Prediction(
    "Inverted dropout with p = 0.3 on 100,000 copies of x = 2. What is the mean output?",
    ("about 1.4", "about 2", "about 2.86", "about 0.6"),
    1)

CLAIMS = (
    Claim("mean-preserved", "inverted dropout's mean output is within 1% of x; plain "
          "(unscaled) dropout's is not", "mean_error", "<", 0.01, "plain_mean_error"),
    Claim("drop-rate-is-p", "the fraction of zeros is within 0.01 of p; with p read as the "
          "keep probability it is not", "drop_rate_error", "<", 0.01, "swapped_rate_error"),
    Claim("eval-is-identity", "in eval mode the output differs from x by less than 1e-12 "
          "(relative); in train mode it does not", "eval_change", "<", 1e-12, "train_change"),
)

P = 0.3


def experiment(seed, quick):
    rng = make_rng(seed)
    draws = 100_000 if quick else 1_000_000
    x = np.full(draws, 2.0)
    out, _ = dropout_forward(x, P, training=True, rng=rng)
    kept = out != 0
    plain = x * kept  # the same mask, without the 1 / (1 - p)
    swapped, _ = dropout_forward(x, 1 - P, training=True, rng=rng)  # p taken as keep
    evaluated, _ = dropout_forward(x, P, training=False, rng=rng)
    return {"out_sample": out[:2000],
            "mean_error": float(abs(out.mean() / 2.0 - 1)),
            "plain_mean_error": float(abs(plain.mean() / 2.0 - 1)),
            "drop_rate_error": float(abs((1 - kept.mean()) - P)),
            "swapped_rate_error": float(abs(np.mean(swapped == 0) - P)),
            "eval_change": float(np.max(np.abs(evaluated - x)) / 2.0),
            "train_change": float(np.max(np.abs(out - x)) / 2.0)}


def figure(result, ax):
    values, counts = np.unique(result["out_sample"], return_counts=True)
    ax.bar([f"{v:.3g}" for v in values], counts)
    ax.set_xlabel(f"output for x = 2 (p = {P})")
    ax.set_ylabel("count (first 2,000 draws)")
