"""Card bn-vs-ln: batch norm mixes the samples of a batch; layer norm treats each alone."""

import numpy as np

from minnet.errors import MinnetError
from minnet.layers.normalization import BatchNorm1d, LayerNorm
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "bn-vs-ln"
SOURCES = ("003:54",)
TOPIC = "normalization"
RELATED = ("bn-remember", "batch-extremes-one", "weight-norm")

QUESTION = """How do batch normalization and layer normalization differ, and when
would you choose one over the other?"""

ANSWER = """Both subtract a mean, divide by a standard deviation and apply a learned
scale and shift; they differ in the axis. Batch norm computes the statistics of each
feature over the batch (and spatial positions), so a sample's output depends on the
other samples in its batch, training and inference behave differently (running
averages at test time), and tiny batches give noisy statistics; with one sample per
batch every feature would normalize to zero and output just the shift beta, which is
why libraries refuse it. Layer norm computes the statistics of each sample over its
features: no dependence on the batch, identical in training and inference, fine at
batch size 1 and with variable-length sequences. Hence batch norm for convolutional
nets with decent batches, layer norm for Transformers, RNNs and small or streaming
batches."""

PREDICT = Prediction(
    "In a batch of 16, you change only sample 0. Does sample 1's output change under batch "
    "norm (training mode)? Under layer norm?",
    ("neither changes", "only under batch norm", "only under layer norm", "both change"),
    1)

CLAIMS = (
    Claim("bn-couples-samples", "in training mode, changing sample 0 moves sample 1's batch-norm "
          "output by over 1% (relative); its layer-norm output does not move",
          "bn_coupling", ">", 0.01, "ln_coupling"),
    Claim("bn-eval-decouples", "in eval mode (running statistics) the coupling is below 1e-12; "
          "in training mode it is not", "bn_eval_coupling", "<", 1e-12, "bn_coupling"),
    Claim("bn-refuses-one-sample", "batch norm in training mode refuses a batch of one (it "
          "would output beta); layer norm accepts it", "bn_refuses_one", ">", 0.5,
          "ln_refuses_one"),
)

N, C = 16, 8


def _coupling(layer, x):
    """Relative change of sample 1's output when only sample 0 changes."""
    before = layer(x)[1].copy()
    changed = x.copy()
    changed[0] = 5.0 * changed[0] + 3.0
    after = layer(changed)[1]
    return float(np.linalg.norm(after - before) / np.linalg.norm(before))


def _refuses_one(layer, x):
    try:
        layer(x[:1])
    except MinnetError:
        return 1.0
    return 0.0


def experiment(seed, quick):
    rng = make_rng(seed)
    x = rng.standard_normal((N, C)) * 2.0 + 1.0
    bn, ln = BatchNorm1d(C), LayerNorm(C)
    coupling = {"batch norm (train)": _coupling(bn, x), "layer norm": _coupling(ln, x)}
    bn.eval()
    coupling["batch norm (eval)"] = _coupling(bn, x)
    bn.train()
    return {"coupling": coupling, "bn_coupling": coupling["batch norm (train)"],
            "ln_coupling": coupling["layer norm"],
            "bn_eval_coupling": coupling["batch norm (eval)"],
            "bn_refuses_one": _refuses_one(bn, x), "ln_refuses_one": _refuses_one(ln, x)}


def figure(result, ax):
    names = list(result["coupling"])
    ax.bar(names, [max(v, 1e-17) for v in result["coupling"].values()])
    ax.set_yscale("log")
    ax.set_ylabel("change of sample 1's output\nwhen only sample 0 changes")
