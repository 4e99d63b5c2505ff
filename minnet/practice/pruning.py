"""Magnitude pruning on MNIST-1D: train, prune half the weights, optionally fine-tune.

Shared by the two pruning cards. Only the weight matrices are pruned (biases
are few and cheap), each matrix by its own magnitude quantile.
"""

import numpy as np

from minnet.losses import CrossEntropyLoss
from minnet.optim import Adam
from minnet.practice.train import evaluate, fit
from minnet.random import make_rng
from minnet.zoo.base import mlp, mnist1d_split


def masks_for(model, fraction, how, rng):
    """One keep-mask per weight matrix: drop the smallest |w| ("magnitude") or at random."""
    masks = []
    for param in model.parameters()[::2]:  # weights; the biases sit in between
        if how == "magnitude":
            keep = np.abs(param.data) >= np.quantile(np.abs(param.data), fraction)
        else:
            keep = rng.random(param.data.shape) >= fraction
        masks.append(keep)
    return masks


def apply(model, masks):
    for param, keep in zip(model.parameters()[::2], masks):
        param.data *= keep


def fine_tune(model, masks, X, y, steps, seed):
    """Adam on the surviving weights; pruned ones are zeroed again after every step."""
    loss_fn, optimizer, rng = CrossEntropyLoss(), Adam(model.parameters(), lr=1e-3), make_rng(seed)
    for _ in range(steps):
        batch = rng.integers(0, len(X), 64)
        optimizer.zero_grad()
        loss_fn(model(X[batch]), y[batch])
        model.backward(loss_fn.backward())
        optimizer.step()
        apply(model, masks)


def study(seed, quick, fraction=0.5):
    """Validation accuracy: dense, pruned by magnitude / at random, and magnitude + fine-tune."""
    X, y, X_val, y_val = mnist1d_split(seed)
    model, loss_fn = mlp((40, 128, 128, 10), seed), CrossEntropyLoss()
    fit(model, loss_fn, Adam(model.parameters(), lr=3e-3), X, y,
        steps=800 if quick else 4000, batch_size=64, rng=seed)
    dense_weights = [p.data.copy() for p in model.parameters()]

    def accuracy_after(how, frac, tune_steps=0):
        for param, saved in zip(model.parameters(), dense_weights):
            param.data[...] = saved
        masks = masks_for(model, frac, how, make_rng(seed))
        apply(model, masks)
        if tune_steps:
            fine_tune(model, masks, X, y, tune_steps, seed)
        return evaluate(model, loss_fn, X_val, y_val)[1]

    return {"dense": accuracy_after("magnitude", 0.0),
            "magnitude": accuracy_after("magnitude", fraction),
            "random": accuracy_after("random", fraction),
            "magnitude, fine-tuned": accuracy_after("magnitude", fraction,
                                                    200 if quick else 1000),
            "magnitude at 0%": accuracy_after("magnitude", 0.0),
            "random at 0%": accuracy_after("random", 0.0)}


def draw(result, ax):
    names = [n for n in result["accuracy"] if "0%" not in n]
    ax.bar(names, [result["accuracy"][n] for n in names])
    ax.set_ylabel("validation accuracy (50% of weights pruned)")
    ax.tick_params(axis="x", labelsize=8)
