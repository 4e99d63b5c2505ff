"""The small training loops the cards share (the zoo's ``train_loop`` logs nothing).

Each returns the loss of every step, so a card can compare curves.
"""

import numpy as np

from minnet.random import make_rng


def step(model, loss_fn, optimizer, X, y):
    """One optimizer step on ``(X, y)``; returns the loss before the step."""
    optimizer.zero_grad()
    loss = float(loss_fn(model(X), y))
    model.backward(loss_fn.backward())
    optimizer.step()
    return loss


def fit(model, loss_fn, optimizer, X, y, *, steps, batch_size=None, rng=None):
    """``steps`` optimizer steps on mini-batches drawn without replacement, epoch by epoch.

    batch_size None means full batch. Returns the per-step losses, shape (steps,).
    """
    rng = make_rng(rng)
    n = len(X)
    batch_size = n if batch_size is None else batch_size
    losses, order, start = [], rng.permutation(n), 0
    model.train()
    for _ in range(steps):
        if start + batch_size > n:
            order, start = rng.permutation(n), 0
        batch = order[start:start + batch_size]
        start += batch_size
        losses.append(step(model, loss_fn, optimizer, X[batch], y[batch]))
    return np.array(losses)


def evaluate(model, loss_fn, X, y):
    """``(loss, accuracy)`` in eval mode; the model is back in train mode after."""
    model.eval()
    scores = model(X)
    loss = float(loss_fn(scores, y))
    model.train()
    return loss, float(np.mean(scores.argmax(axis=1) == y))
