"""Card async-sgd: asynchronous workers apply gradients computed on stale weights."""

from collections import deque

import numpy as np

from minnet.layers.linear import Linear
from minnet.losses import MSELoss
from minnet.optim import SGD
from minnet.practice.claim import Claim
from minnet.practice.loading import Prediction
from minnet.random import make_rng

ID = "async-sgd"
SOURCES = ("003:61",)
TOPIC = "optimization"
RELATED = ("gd-sgd-minibatch", "lr-batch-scaling")

QUESTION = """Compare synchronous and asynchronous SGD across many workers: what does
each gain and lose?"""

ANSWER = """Synchronous SGD waits for every worker's gradient, averages them and
updates once: mathematically it is mini-batch SGD with a large batch, reproducible and
easy to reason about, but each step is as slow as the slowest worker and idle workers
waste time. Asynchronous SGD lets each worker push its gradient whenever it is done, to
a parameter server that applies it at once: no waiting, better hardware use, but the
gradient was computed on weights that other workers have since changed. Stale
gradients point where the loss went down a few steps ago; the more workers, the staler
they are, which acts like a delay in a feedback loop: it forces a smaller learning rate
and can oscillate or diverge at rates where synchronous training is fine. Today
synchronous all-reduce dominates, with tricks for stragglers."""

PREDICT = Prediction(
    "Full-batch gradient descent at a rate that converges in sync. Apply each gradient 8 "
    "steps late, as a busy parameter server would. The loss after 200 steps:",
    ("the same", "a little higher", "far higher or diverging", "lower: more exploration"),
    2)

CLAIMS = (
    Claim("stale-gradients-hurt", "gradients 8 steps stale end at over 2x the synchronous "
          "loss; gradients 0 steps stale through the same code do not", "stale_ratio", ">",
          2.0, "fresh_ratio"),
    Claim("no-delay-is-sync", "with no delay the delayed-update code follows the synchronous "
          "path to 1e-12 (relative); with 8 steps of delay it does not", "fresh_gap", "<",
          1e-12, "stale_gap"),
)

N, D = 256, 10


def _run(seed, X, y, delay, steps, lr):
    """Weights and loss of each step when each gradient is computed ``delay`` steps ago.

    delay None: the plain synchronous loop. Otherwise the gradient applied at step t
    was computed on the weights of step t - delay (the start's, while t < delay).
    """
    layer, loss_fn = Linear(D, 1, rng=seed), MSELoss()
    optimizer = SGD(layer.parameters(), lr=lr)
    params = layer.parameters()
    history = deque(maxlen=(delay or 0) + 1)
    losses, path = [], []
    for _ in range(steps):
        current = [p.data.copy() for p in params]
        history.append(current)
        optimizer.zero_grad()
        if delay is not None:
            for p, old in zip(params, history[0]):  # evaluate at the stale weights
                p.data[...] = old
        losses.append(float(loss_fn(layer(X), y)))
        layer.backward(loss_fn.backward())
        if delay is not None:
            for p, now in zip(params, current):
                p.data[...] = now
        optimizer.step()
        path.append(np.concatenate([p.data.ravel() for p in params]))
    with np.errstate(over="ignore", invalid="ignore"):
        final = float(loss_fn(layer(X), y))
    return np.array(losses), np.array(path), final


def experiment(seed, quick):
    rng = make_rng(seed)
    X = rng.standard_normal((N, D))
    y = (X @ rng.standard_normal(D) + 0.1 * rng.standard_normal(N))[:, None]
    design = np.c_[X, np.ones(N)]
    lr = 0.5 / float(np.linalg.eigvalsh(2 * design.T @ design / N).max())
    steps = 200 if quick else 1000
    with np.errstate(over="ignore", invalid="ignore"):
        sync = _run(seed, X, y, None, steps, lr)
        fresh = _run(seed, X, y, 0, steps, lr)
        stale = _run(seed, X, y, 8, steps, lr)

    def ratio(run):
        return run[2] / sync[2] if np.isfinite(run[2]) else np.inf

    def gap(run):
        difference = np.linalg.norm(run[1][-1] - sync[1][-1]) / np.linalg.norm(sync[1][-1])
        return float(difference) if np.isfinite(difference) else np.inf

    return {"curves": {"synchronous": sync[0], "8 steps stale": stale[0]},
            "stale_ratio": ratio(stale), "fresh_ratio": ratio(fresh),
            "fresh_gap": gap(fresh), "stale_gap": gap(stale)}


def figure(result, ax):
    for name, curve in result["curves"].items():
        ax.semilogy(np.minimum(curve, 1e12), label=name)
    ax.set_xlabel("step")
    ax.set_ylabel("training MSE")
    ax.legend()
