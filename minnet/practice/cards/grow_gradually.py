"""Card grow-gradually: add one part at a time and check it; a bug shows up where it enters."""

import numpy as np

from minnet.core import Sequential
from minnet.grad_mode import no_grad
from minnet.gradcheck import numerical_gradient
from minnet.layers.activations import ReLU, SiLU
from minnet.layers.linear import Linear
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.measure import norm_error
from minnet.random import make_rng
from minnet.zoo.custom import Swish as BrokenSwish  # the zoo's Swish: its backward drops a term

ID = "grow-gradually"
SOURCES = ("000:P4", "001:C1", "002:A1")
TOPIC = "debugging"
RELATED = ("overfit-first", "gradcheck-bugs", "two-layer-numpy")

QUESTION = """Your first full model does not train and you cannot tell why. What is a
better way to build it up?"""

ANSWER = """Start from the simplest thing that can work, and add one piece at a time,
checking after each: a linear model first, then one hidden layer, then the custom
activation, then the recurrent part, normalization, regularization, augmentation, each
verified before the next (a gradient check for a new layer, a small overfitting run,
the loss at initialization). When something breaks, the last piece added is the
suspect, so each bug is found in minutes instead of being hunted through a model where
every part could be wrong and the errors mask each other. Keep the simple versions as
baselines: if the complex model does not beat the simple one, the extra parts are not
yet doing their job."""

PREDICT = Prediction(
    "Grow a net part by part: Linear, ReLU, Linear, a hand-written Swish whose backward forgets "
    "a term, Linear. Gradient-check the input gradient after each addition. Where does the "
    "error first jump?",
    ("at the first Linear", "when the Swish is added", "only at the last Linear",
     "nowhere: the final loss is fine"),
    1)

CLAIMS = (
    Claim("bug-caught-where-it-enters", "the gradient-check error jumps over 1e4x at the step "
          "that adds the broken Swish; with minnet's SiLU there it does not", "jump_broken",
          ">", 1e4, "jump_correct"),
    Claim("earlier-steps-pass", "every step before the Swish passes (error below 1e-6); the "
          "step with the broken Swish does not", "worst_before", "<", 1e-6, "error_at_swish"),
)


def _input_error(model, x, rng):
    """Relative error of the input gradient against central differences (random upstream)."""
    with no_grad():
        grad_out = rng.standard_normal(model(x).shape)
    model(x)
    analytic = model.backward(grad_out)
    with no_grad():
        numeric = numerical_gradient(lambda v: model(v), x.copy(), grad_out=grad_out)
    return norm_error(analytic, numeric)


def _grow(seed, swish):
    """The check's error after each of the five additions."""
    rng = make_rng(seed)
    parts = [Linear(6, 8, rng=rng), ReLU(), Linear(8, 8, rng=rng), swish, Linear(8, 3, rng=rng)]
    x = rng.standard_normal((4, 6))
    return [_input_error(Sequential(*parts[:k]), x, rng) for k in range(1, len(parts) + 1)]


def experiment(seed, quick):
    broken = _grow(seed, BrokenSwish())
    correct = _grow(seed, SiLU())
    at = 3  # the Swish is the fourth part
    return {"broken": broken, "correct": correct,
            "jump_broken": broken[at] / max(broken[at - 1], 1e-300),
            "jump_correct": correct[at] / max(correct[at - 1], 1e-300),
            "worst_before": max(broken[:at]), "error_at_swish": broken[at]}


def figure(result, ax):
    names = ["Linear", "+ReLU", "+Linear", "+Swish", "+Linear"]
    ax.semilogy(names, np.maximum(result["broken"], 1e-16), marker="o", label="broken Swish")
    ax.semilogy(names, np.maximum(result["correct"], 1e-16), marker="s", label="minnet's SiLU")
    ax.set_ylabel("input-gradient check error")
    ax.legend()
