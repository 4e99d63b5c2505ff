"""Card weight-norm: w = g v / |v| makes the output blind to |v|, the gradient orthogonal to v."""

import numpy as np

from minnet.layers.linear import Linear
from minnet.layers.weight_norm import weight_norm
from minnet.losses import MSELoss
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "weight-norm"
SOURCES = ("003:47",)
TOPIC = "normalization"
RELATED = ("bn-vs-ln", "weight-decay")

QUESTION = """What is weight normalization, and what does it change about training
compared with the plain weight parametrization?"""

ANSWER = """Each weight vector is rewritten as w = g v / |v|: a scalar length g and a
direction v, both trained. The output depends on v only through its direction, so
rescaling v changes nothing in the forward pass. Two consequences follow for the
gradient: dL/dv is orthogonal to v (moving along v would only change |v|, which has no
effect), and it scales as g / |v|, so a v that has grown large takes smaller effective
steps; this self-stabilizes the step size the way batch norm does, without any batch
statistics, which makes it cheap and usable with batch size 1, RNNs and RL.
Decoupling length from direction also improves the conditioning of the problem. Unlike
batch norm it does not normalize the activations themselves, so it is usually paired
with careful (data-dependent) initialization of g and the bias."""

PREDICT = Prediction(
    "In a weight-normed layer, multiply v by 10 and run the same batch. What happens to the "
    "output and to dL/dv?",
    ("both x10", "output unchanged, dL/dv / 10", "output x10, dL/dv unchanged",
     "output unchanged, dL/dv unchanged"),
    1)

CLAIMS = (
    Claim("output-blind-to-v-scale", "scaling v by 10 changes the output by less than 1e-10 "
          "(relative); scaling a plain weight by 10 does not", "output_change", "<", 1e-10,
          "plain_output_change"),
    Claim("gradient-orthogonal-to-v", "the cosine between v and dL/dv is below 1e-8; between "
          "a plain weight and its gradient it is not", "v_grad_cosine", "<", 1e-8,
          "plain_grad_cosine"),
    Claim("gradient-shrinks-tenfold", "after v x 10, |dL/dv| is 1/10 of before to 1%; a plain "
          "weight x 10 does not get a tenfold smaller gradient", "tenfold_error", "<", 0.01,
          "plain_tenfold_error"),
)


def _grad(layer, param, X, target):
    """(output, dL/dparam) for an MSE loss against ``target``."""
    loss_fn = MSELoss()
    layer.zero_grad()
    out = layer(X)
    loss_fn(out, target)
    layer.backward(loss_fn.backward())
    return out.copy(), param.grad.copy()


def _rows_cosine(a, b):
    """Largest |cos| between matching rows of a and b, shapes (out, in)."""
    return float(np.max(np.abs(np.sum(a * b, axis=1))
                        / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))))


def _measure(layer, param, X, target):
    out, grad = _grad(layer, param, X, target)
    cosine = _rows_cosine(param.data, grad)
    param.data *= 10.0
    out10, grad10 = _grad(layer, param, X, target)
    change = float(np.linalg.norm(out10 - out) / np.linalg.norm(out))
    tenfold = abs(10.0 * np.linalg.norm(grad10) / np.linalg.norm(grad) - 1.0)
    return change, cosine, float(tenfold), (np.linalg.norm(grad), np.linalg.norm(grad10))


def experiment(seed, quick):
    rng = make_rng(seed)
    X = rng.standard_normal((32, 8))
    target = rng.standard_normal((32, 4))
    normed = weight_norm(Linear(8, 4, rng=seed))
    plain = Linear(8, 4, rng=seed)
    wn = _measure(normed, normed.weight_v, X, target)
    pl = _measure(plain, plain.weight, X, target)
    return {"grad_norms": {"weight-normed v": wn[3], "plain w": pl[3]},
            "output_change": wn[0], "plain_output_change": pl[0],
            "v_grad_cosine": wn[1], "plain_grad_cosine": pl[1],
            "tenfold_error": wn[2], "plain_tenfold_error": pl[2]}


def figure(result, ax):
    names = list(result["grad_norms"])
    before = [result["grad_norms"][n][0] for n in names]
    after = [result["grad_norms"][n][1] for n in names]
    positions = np.arange(len(names))
    ax.bar(positions - 0.2, before, 0.4, label="before x10")
    ax.bar(positions + 0.2, after, 0.4, label="after x10")
    ax.set_xticks(positions, names)
    ax.set_yscale("log")
    ax.set_ylabel("gradient norm")
    ax.legend()
