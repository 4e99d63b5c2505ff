"""Card two-layer-numpy: a two-layer net by hand, proven by a gradient check (exercise 8)."""

from minnet.exercises.mutants import two_layer_net as mutants
from minnet.exercises.solutions import two_layer_net as reference
from minnet.gradcheck import numerical_gradient
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.measure import norm_error
from minnet.random import make_rng

ID = "two-layer-numpy"
SOURCES = ("003:43a",)
TOPIC = "backprop"
RELATED = ("gradcheck-bugs", "grow-gradually")

QUESTION = """Implement a two-layer network (linear, ReLU, linear, softmax cross-entropy,
L2 on the weights) with NumPy alone, forward and backward. How do you convince yourself
that the gradients are right?"""

ANSWER = """Forward: h = relu(x W1^T + b1), z = h W2^T + b2, loss = mean cross-entropy of
z plus reg * (|W1|^2 + |W2|^2). Backward runs the chain in reverse: dz = (softmax(z) -
onehot(y)) / N; dW2 = dz^T h, db2 = sum of dz, dh = dz W2; zero dh where the ReLU was off;
dW1 = dh^T x, db1 = sum of dh; add 2 reg W to each weight gradient. Prove it with a
gradient check: central differences of the loss, perturbing each parameter entry, must
agree with the analytic gradient to about 1e-7 in relative error, in float64, on a tiny
batch. A check against your OWN forward catches backward bugs (a missing mask, reg W
instead of 2 reg W), but not a forward that computes the wrong loss consistently:
regularizing the biases too passes its own check; only a reference exposes it."""

PREDICT = Prediction(
    "A backward that regularizes the biases too, with a forward that does the same. Does the "
    "gradient check against its own forward catch it?",
    ("yes, the relative error is large", "no: forward and backward agree; only a comparison "
     "with a reference shows it", "it depends on the seed"),
    1)

CLAIMS = (
    Claim("reference-passes-gradcheck", "the reference backward matches central differences "
          "(relative error < 1e-6); the backward without the ReLU mask does not",
          "reference_error", "<", 1e-6, "no_mask_error"),
    Claim("l2-not-doubled-caught", "reg * W instead of 2 reg * W fails the gradient check "
          "(relative error > 1e-3); the reference does not", "l2_error", ">", 1e-3,
          "reference_error"),
    Claim("self-consistent-bug-needs-reference", "regularized biases differ from the reference "
          "gradient (relative difference > 1e-3), although they pass their own check",
          "biases_vs_reference", ">", 1e-3, "biases_error"),
)

N, D, H, C, REG = 6, 5, 7, 3, 0.1


def _problem(seed):
    rng = make_rng(seed)
    x = rng.standard_normal((N, D))
    target = rng.integers(0, C, N)
    params = [rng.standard_normal((H, D)), rng.standard_normal(H) + 0.5,
              rng.standard_normal((C, H)), rng.standard_normal(C)]
    return x, target, params


def _check(forward, backward, x, target, params):
    """Largest relative error between backward and central differences of forward."""
    _, cache = forward(x, target, *params, reg=REG)
    analytic = backward(1.0, cache)
    errors = []
    for index, param in enumerate(params):
        def loss(_, index=index):
            return forward(x, target, *params, reg=REG)[0]

        errors.append(norm_error(analytic[index], numerical_gradient(loss, param, eps=1e-6)))
    return max(errors), analytic


def experiment(seed, quick):
    x, target, params = _problem(seed)
    ref_error, ref_grads = _check(reference.two_layer_net_forward,
                                  reference.two_layer_net_backward, x, target, params)
    found = {"reference": ref_error}
    for mutant_id, pair in mutants.MUTANTS.items():
        error, grads = _check(pair["two_layer_net_forward"], pair["two_layer_net_backward"],
                              x, target, params)
        found[mutant_id] = error
        found[mutant_id + " vs reference"] = max(norm_error(a, b)
                                                 for a, b in zip(grads, ref_grads))
    return {"errors": found, "reference_error": ref_error,
            "no_mask_error": found["no-relu-mask"], "l2_error": found["l2-gradient-not-doubled"],
            "biases_error": found["biases-regularized"],
            "biases_vs_reference": found["biases-regularized vs reference"]}


def figure(result, ax):
    names = list(result["errors"])
    ax.barh(names, [max(v, 1e-16) for v in result["errors"].values()])
    ax.set_xscale("log")
    ax.axvline(1e-6, color="k", linestyle="--", linewidth=1)
    ax.set_xlabel("relative error (dashed: 1e-6)")
