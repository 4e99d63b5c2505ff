"""Card reg-dominates: a large penalty hides a wrong data gradient from the gradient check."""

import numpy as np

from minnet.exercises.solutions import two_layer_net as reference
from minnet.gradcheck import numerical_gradient
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.measure import norm_error
from minnet.random import make_rng

ID = "reg-dominates"
SOURCES = ("001:C4", "001:C15", "002:L3")
TOPIC = "debugging"
RELATED = ("gradcheck-bugs", "two-layer-numpy", "l2-squared")

QUESTION = """You gradient-check your model with its weight penalty switched on and
everything passes, yet training misbehaves. What could the check have missed, and how
should losses be checked?"""

ANSWER = """The penalty can drown the data term. With a large coefficient the
regularization gradient (2 lam W) is much bigger than the data gradient, so a data
gradient that is wrong by 10% changes the total by a tiny fraction and the relative
error of the check stays small: the check passes while the part that matters is
broken. Check the data loss alone first (regularization off), then add the penalty and
check again. Watch the scales while training too: log the data loss and the penalty
separately, and if the penalty dominates the total or its gradient, the optimizer is
mostly shrinking weights rather than fitting the data; the same split shows whether
each term decreases."""

PREDICT = Prediction(
    "A backward whose data gradient is 10% too small (x0.9). Gradient-check it with L2 at "
    "1000 and with L2 off. Which check shows the larger error?",
    ("with L2 at 1000", "with L2 off", "both the same", "neither: x0.9 is too small"),
    1)

CLAIMS = (
    Claim("penalty-hides-the-bug", "with L2 at 1000 the check's error is over 100x smaller "
          "than with the penalty off; with a small L2 (0.001) it is not",
          "hiding_ratio", "<", 0.01, "small_penalty_ratio"),
)

N, D, H, C = 6, 5, 7, 3


def _check_error(x, target, params, reg):
    """Error of the planted-bug backward (data part x0.9) against central differences.

    One number over all parameters together, as a whole-model check reports it.
    """
    _, cache = reference.two_layer_net_forward(x, target, *params, reg=0.0)
    data_grads = reference.two_layer_net_backward(1.0, cache)
    weights = {0: params[0], 2: params[2]}  # w1, w2 are penalized; b1, b2 are not
    analytics, numerics = [], []
    for index, param in enumerate(params):
        analytic = 0.9 * data_grads[index]  # MISTAKE planted in the data gradient
        if index in weights:
            analytic = analytic + 2 * reg * weights[index]

        def loss(_, reg=reg):
            return reference.two_layer_net_forward(x, target, *params, reg=reg)[0]

        analytics.append(analytic.ravel())
        numerics.append(numerical_gradient(loss, param, eps=1e-6).ravel())
    return norm_error(np.concatenate(analytics), np.concatenate(numerics))


def experiment(seed, quick):
    rng = make_rng(seed)
    x, target = rng.standard_normal((N, D)), rng.integers(0, C, N)
    params = [rng.standard_normal((H, D)), rng.standard_normal(H), rng.standard_normal((C, H)),
              rng.standard_normal(C)]
    errors = {reg: _check_error(x, target, params, reg) for reg in (0.0, 1e-3, 1e3)}
    return {"errors": errors, "hiding_ratio": errors[1e3] / errors[0.0],
            "small_penalty_ratio": errors[1e-3] / errors[0.0]}


def figure(result, ax):
    ax.bar([f"L2 = {reg:g}" for reg in result["errors"]], list(result["errors"].values()))
    ax.set_yscale("log")
    ax.set_ylabel("gradient-check error of the x0.9 bug")
