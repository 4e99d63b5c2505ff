"""Card relu-kink: ReLU is not differentiable at 0; libraries pick a subgradient."""

import numpy as np

from minnet.layers.activations import ReLU
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.practice.measure import slope

ID = "relu-kink"
SOURCES = ("003:44c",)
TOPIC = "activations"
RELATED = ("activations-plot", "gradcheck-bugs")

QUESTION = """ReLU has a corner at zero. Is it differentiable there, and if not, how
can gradient-based training use it?"""

ANSWER = """No: the slope is 0 just left of zero and 1 just right of it, so no single
derivative exists at 0. Any value in [0, 1] is a valid subgradient, and frameworks
simply pick one, almost always 0 (minnet does too). In practice it hardly matters: a
float pre-activation lands exactly on 0 rarely, and the loss is still minimized well
with subgradients. Where it does matter is gradient checking: a central difference
that straddles the corner measures (f(e) - f(-e)) / 2e = 0.5, which matches neither
side, so a check can fail at a kink although the backward is right. Keep test inputs
away from 0 (or skip entries within eps of a kink) when checking ReLU, max pooling or
absolute values."""

PREDICT = Prediction(
    "A central difference with eps = 1e-6 measures ReLU's slope exactly at x = 0. What does "
    "it report?",
    ("0", "0.5", "1", "it is undefined (NaN)"),
    1)

CLAIMS = (
    Claim("numeric-straddles-the-kink", "at x = 0 the central difference and the backward "
          "differ by more than 0.4; at x = 0.5 they do not", "gap_at_kink", ">", 0.4,
          "gap_away"),
    Claim("convention-is-zero", "minnet's backward at exactly 0 gives a slope below 0.01 (the "
          "subgradient 0); just right of 0 it does not", "analytic_at_zero", "<", 0.01,
          "analytic_right"),
)

EPS = 1e-6


def _central(x):
    relu = ReLU()
    plus = relu(np.array([[x + EPS]]))[0, 0]
    minus = relu(np.array([[x - EPS]]))[0, 0]
    return float((plus - minus) / (2 * EPS))


def experiment(seed, quick):
    # seed unused: the measurement is deterministic (kept for the common signature).
    x = np.linspace(-1e-5, 1e-5, 41 if quick else 401)
    numeric = np.array([_central(v) for v in x])
    analytic = slope(ReLU(), x)
    at = {v: float(slope(ReLU(), np.array([v]))[0]) for v in (0.0, 0.5, 1e-9)}
    return {"x": x, "numeric": numeric, "analytic": analytic,
            "gap_at_kink": abs(_central(0.0) - at[0.0]),
            "gap_away": abs(_central(0.5) - at[0.5]),
            "analytic_at_zero": at[0.0], "analytic_right": at[1e-9]}


def figure(result, ax):
    ax.plot(result["x"], result["numeric"], marker="o", label="central difference, eps 1e-6")
    ax.step(result["x"], result["analytic"], where="mid", label="backward (subgradient 0 at 0)")
    ax.set_xlabel("x")
    ax.set_ylabel("slope of ReLU")
    ax.legend()
