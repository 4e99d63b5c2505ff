"""Card l2-squared: why the L2 penalty is squared: a gradient that fades near zero, smooth at 0."""

import numpy as np

from minnet.gradcheck import numerical_gradient
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "l2-squared"
SOURCES = ("003:55",)
TOPIC = "regularization"
RELATED = ("weight-decay", "more-regularization", "reg-dominates")

QUESTION = """Why do we usually penalize the squared L2 norm of the weights rather than
the L2 norm itself?"""

ANSWER = """The squared norm lam |w|^2 has gradient 2 lam w: it pulls each weight
towards zero in proportion to its size, so large weights are shrunk hard and small
ones barely, and the pull fades smoothly as w approaches zero. It is differentiable
everywhere, separable into a sum over weights, gives a closed form for ridge regression
and is equivalent to weight decay under SGD. The plain norm lam |w| has gradient
lam w / |w|: a pull of constant size lam whatever the weights' size, pointing along w,
and undefined at w = 0, where the left and right slopes differ (a kink like |x|).
Gradient descent then overshoots back and forth around zero instead of settling. The
squared form is also the log-density of a Gaussian prior on the weights (MAP view)."""

PREDICT = Prediction(
    "Shrink the weight vector from |w| = 1 to |w| = 0.001. The squared penalty's gradient "
    "shrinks by...",
    ("nothing: it is constant", "1000x", "1,000,000x", "it grows"),
    1)

CLAIMS = (
    Claim("squared-pull-fades", "the squared penalty's gradient at |w| = 0.001 is below 1% of "
          "its size at |w| = 1; the plain norm's is not", "squared_fade", "<", 0.01,
          "norm_fade"),
    Claim("norm-has-a-kink-at-zero", "at w = 0 the plain norm's one-sided slopes differ by "
          "over lam; the squared penalty's do not", "norm_kink", ">", 1.0, "squared_kink"),
)

LAM = 0.1


def _squared(w):
    return LAM * float(np.sum(w * w))


def _norm(w):
    return LAM * float(np.linalg.norm(w))


def _gradient_size(penalty, w):
    return float(np.linalg.norm(numerical_gradient(penalty, w.copy(), eps=1e-7)))


def _kink(penalty, direction, h=1e-6):
    """(right slope - left slope) at w = 0 along ``direction``, in units of LAM."""
    right = (penalty(h * direction) - penalty(0 * direction)) / h
    left = (penalty(0 * direction) - penalty(-h * direction)) / h
    return float((right - left) / LAM)


def experiment(seed, quick):
    rng = make_rng(seed)
    direction = rng.standard_normal(10)
    direction /= np.linalg.norm(direction)
    sizes = np.logspace(0, -3, 13 if quick else 61)
    squared = np.array([_gradient_size(_squared, s * direction) for s in sizes])
    norm = np.array([_gradient_size(_norm, s * direction) for s in sizes])
    return {"sizes": sizes, "squared": squared, "norm": norm,
            "squared_fade": squared[-1] / squared[0], "norm_fade": norm[-1] / norm[0],
            "norm_kink": _kink(_norm, direction), "squared_kink": _kink(_squared, direction)}


def figure(result, ax):
    ax.loglog(result["sizes"], result["squared"], marker="o", label="lam |w|^2")
    ax.loglog(result["sizes"], result["norm"], marker="s", label="lam |w|")
    ax.invert_xaxis()
    ax.set_xlabel("|w| (shrinking to the right)")
    ax.set_ylabel("gradient norm of the penalty")
    ax.legend()
