"""Card sgd-update: the vanilla update rule, and the learning-rate limit 2/L on a quadratic."""

import numpy as np

from minnet.core import Parameter
from minnet.optim import SGD
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "sgd-update"
SOURCES = ("003:42",)
TOPIC = "optimization"
RELATED = ("lr-curves", "gd-sgd-minibatch")

QUESTION = """Write down the vanilla gradient-descent update of a parameter. On a
quadratic loss, how large may the learning rate be before the iterates stop
converging?"""

ANSWER = """The update moves each parameter against its gradient: p <- p - lr * dL/dp,
with the gradient taken at the current p. On a quadratic L(p) = (k/2) p^2 the gradient
is k p, so one step multiplies p by (1 - lr k). The iterates shrink towards the minimum
when |1 - lr k| < 1, that is 0 < lr < 2/k, and fastest near lr = 1/k. Past 2/k each step
overshoots by more than it corrects and |p| grows geometrically. With many parameters
the largest curvature (the Hessian's top eigenvalue L) sets the limit, lr < 2/L, while
the smallest curvature sets how slow the flat directions are: that gap, the condition
number, is what momentum and adaptive methods try to close."""

PREDICT = Prediction(
    "A quadratic with curvatures 1 and L = 10, plain SGD for 100 steps. Which learning rates "
    "converge?",
    ("only lr = 0.05", "lr = 0.05 and lr = 0.19", "all three, including lr = 0.21",
     "none: SGD needs momentum here"),
    1)

CLAIMS = (
    Claim("step-is-p-minus-lr-g", "minnet's SGD step equals p - lr * g (relative error "
          "below 1e-12); SGD with momentum 0.9 on its second step does not", "rule_error", "<",
          1e-12, "momentum_rule_error"),
    Claim("converges-below-2-over-L", "at lr = 1.9 / L the distance to the minimum shrinks "
          "below 1% of the start; at lr = 2.1 / L it does not", "shrink_below", "<", 0.01,
          "shrink_above"),
)


def _quadratic_grad(p, curvatures):
    """dL/dp of L = sum(k_i p_i^2) / 2: k * p. p, curvatures: (D,)."""
    return curvatures * p


def _descend(p0, curvatures, lr, steps, momentum=0.0):
    """SGD on the quadratic through minnet's optimizer; returns the path, shape (steps+1, D)."""
    p = Parameter(p0.copy())
    optimizer = SGD([p], lr=lr, momentum=momentum)
    path = [p.data.copy()]
    for _ in range(steps):
        optimizer.zero_grad()
        p.grad[...] = _quadratic_grad(p.data, curvatures)
        optimizer.step()
        path.append(p.data.copy())
    return np.array(path)


def _rule_error(p0, curvatures, lr, momentum):
    """Relative error of p - lr * g against minnet's second step (momentum changes step 2)."""
    path = _descend(p0, curvatures, lr, 2, momentum)
    expected = path[1] - lr * _quadratic_grad(path[1], curvatures)
    return float(np.max(np.abs(path[2] - expected)) / np.max(np.abs(path[2])))


def experiment(seed, quick):
    rng = make_rng(seed)
    curvatures = np.array([1.0, 10.0])  # L = 10
    p0 = rng.standard_normal(2) + np.sign(rng.standard_normal(2))
    steps = 100 if quick else 300
    paths = {name: _descend(p0, curvatures, factor / 10.0, steps)
             for name, factor in (("slow", 0.5), ("below", 1.9), ("above", 2.1))}
    start = np.linalg.norm(p0)
    return {"paths": paths,
            "rule_error": _rule_error(p0, curvatures, 0.05, 0.0),
            "momentum_rule_error": _rule_error(p0, curvatures, 0.05, 0.9),
            "shrink_below": float(np.linalg.norm(paths["below"][-1]) / start),
            "shrink_above": float(np.linalg.norm(paths["above"][-1]) / start)}


def figure(result, ax):
    for name, path in result["paths"].items():
        ax.semilogy(np.linalg.norm(path, axis=1), label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("|p - p*|")
    ax.legend(title="lr vs 2/L")
