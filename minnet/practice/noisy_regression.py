"""SGD on noisy least squares: the setting where learning-rate schedules are easiest to see.

With batch size 1 the gradient noise never vanishes, so a constant rate
leaves the weights bouncing in a cloud whose size is proportional to the
rate; lowering the rate late shrinks the cloud, lowering it too early
stalls the descent far from the optimum. Shared by the lr-decay cards.
"""

import numpy as np

from minnet.core import Parameter
from minnet.optim import SGD, MultiStepLR
from minnet.random import make_rng

N, D, LR = 200, 10, 0.05


def problem(seed):
    """X: (N, D), y: (N,) with noise 0.5, and the least-squares loss at the optimum."""
    rng = make_rng(seed)
    X = rng.standard_normal((N, D))
    y = X @ (2.0 * rng.standard_normal(D)) + 0.5 * rng.standard_normal(N)
    best = np.linalg.lstsq(X, y, rcond=None)[0]
    return X, y, float(np.mean((X @ best - y) ** 2) / 2)


def excess_curve(seed, steps, milestone=None, gamma=1.0):
    """Loss above the optimum after each batch-1 SGD step, shape (steps,).

    ``milestone``: the step at which the rate is multiplied by ``gamma`` (None: constant).
    The sample order depends on ``seed`` only, so the schedules see the same samples.
    """
    X, y, optimum = problem(seed)
    w = Parameter(np.zeros(D))
    optimizer = SGD([w], lr=LR)
    schedule = MultiStepLR(optimizer, [milestone], gamma) if milestone is not None else None
    order = make_rng(seed + 1000).integers(0, N, steps)
    curve = np.empty(steps)
    for step, j in enumerate(order):
        optimizer.zero_grad()
        w.grad[...] = X[j] * (X[j] @ w.data - y[j])  # d/dw of (x.w - y)^2 / 2
        optimizer.step()
        if schedule is not None:
            schedule.step()
        curve[step] = np.mean((X @ w.data - y) ** 2) / 2 - optimum
    return curve


def schedules(seed, quick):
    """Curves for a constant rate, x0.1 at half-way, and x0.001 after 10 steps."""
    steps = 1000 if quick else 5000
    return {"constant": excess_curve(seed, steps),
            "decayed at half-way": excess_curve(seed, steps, steps // 2, 0.1),
            "decayed after 10 steps": excess_curve(seed, steps, 10, 0.001)}


def tail(curve):
    """Mean of the last 10% of a curve: one iterate alone is a noisy draw."""
    return float(curve[-len(curve) // 10:].mean())


def draw(result, ax):
    for name, curve in result["curves"].items():
        ax.semilogy(curve, label=name)
    ax.set_xlabel("step (batch 1)")
    ax.set_ylabel("loss above the optimum")
    ax.legend()


def schedule_experiment(seed, quick):
    """The two decay cards' run: the schedules' curves and each tail's ratio to the constant rate's.

    decayed_ratio: decayed x0.1 at half-way; too_early_ratio: decayed x0.001 after 10 steps.
    """
    curves = schedules(seed, quick)
    base = tail(curves["constant"])
    return {"curves": curves,
            "decayed_ratio": tail(curves["decayed at half-way"]) / base,
            "too_early_ratio": tail(curves["decayed after 10 steps"]) / base}
