"""The learning-rate range test (Smith, 2017): sweep the rate up until the loss explodes.

Training starts at a tiny learning rate that grows exponentially at every
step, each step on a new mini-batch. The smoothed loss first stays flat (the
rate is too small to matter), then falls (a useful rate), then explodes (too
large). A good rate lies about ten times below the rate of the lowest loss;
a rate at or beyond the one where the loss exploded cannot train. The
sweep runs on private copies of the model, optimizer and loss (regularization
included: this is the objective the user trains).
"""

import math

import numpy as np

from minnet.diagnostics._shared import private_copies
from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.sanity.common import finite_rows, sanity_rng
from minnet.optim import Adam
from minnet.optim.optimizer import current_lr

SMOOTHING = 0.7  # exponential moving average of the loss, bias-corrected (lag ~2 steps)
DIVERGENCE_FACTOR = 4.0  # diverged: smoothed loss above 4x its best and above its start
LEARNING_FRACTION = 0.9  # the sweep must lower the loss by 10% before it suggests a rate
RISE_FACTOR = 1.3  # or rose by 30% after its minimum
TOO_LOW_FACTOR = 1000.0  # lr-too-low: below the suggestion / 1000
# lr-too-high before any divergence: the rate is 10x the suggestion or more AND a
# quarter of the divergence rate or more. The suggestion alone is not enough: with
# SGD and momentum 0.9 the sweep's loss falls at tiny rates, and usual rates (0.1)
# sit up to 80x above it; but they stay below 7% of the divergence rate (the zoo's
# healthy setups and tests/doctor/test_lr_range.py's grid), while a rate ten times a
# good one (SGD lr=1 with momentum, zoo lr-x10-above-range) is at 30-40% of it.
TOO_HIGH_OVER_SUGGESTION = 10.0
TOO_HIGH_OF_DIVERGENCE = 0.25
# A hint (info lr-too-high) when the rate is this far above the suggestion without reaching
# the divergence rate: 30x a tenth of the fastest-descent rate lies past the loss's minimum.
ABOVE_SUGGESTION_FACTOR = 30.0


def _sweep(model, optimizer, loss_fn, X, y, rates, batch_size, rng):
    """Train at each rate in turn; return (raw losses, smoothed losses, divergence lr)."""
    usable = finite_rows(X, y)
    order = rng.permutation(usable)
    batch_size = min(batch_size, len(order))
    raw, smoothed, average, diverged, position = [], [], 0.0, None, 0
    # Overflow is expected once the rate is too large: it is what the sweep looks for.
    with np.errstate(all="ignore"):
        for step, lr in enumerate(rates):
            if position + batch_size > len(order):  # a new epoch, reshuffled
                order, position = rng.permutation(usable), 0
            chosen = order[position:position + batch_size]
            position += batch_size
            optimizer.lr = lr
            model.zero_grad()
            optimizer.zero_grad()
            loss = float(loss_fn(model(X[chosen]), y[chosen]))
            if not math.isfinite(loss):
                diverged = lr
                break
            average = SMOOTHING * average + (1 - SMOOTHING) * loss
            raw.append(loss)
            smoothed.append(average / (1 - SMOOTHING ** (step + 1)))
            if smoothed[-1] > max(DIVERGENCE_FACTOR * min(smoothed), smoothed[0]):
                diverged = lr
                break
            model.backward(loss_fn.backward())
            optimizer.step()
    return raw, smoothed, diverged


def lr_range_test(model, loss_fn, X, y, optimizer=None, *, start=1e-7, end=10.0, steps=100,
                  batch_size=64, rng=None):
    """Sweep the learning rate from ``start`` to ``end`` and compare the user's rate.

    A copy of the user's optimizer (Adam when there is none) trains a copy of
    the model for up to ``steps`` steps on random mini-batches of
    ``batch_size``, its ``lr`` multiplied by the same factor at every step
    (the sweep goes on to 3x the user's rate when that lies beyond ``end``).
    It stops when the loss becomes non-finite, or when the smoothed loss
    rises above both 4x its best value and its starting value: the
    divergence rate. When the smoothed loss fell by at least 10% and then
    rose again, the suggested rate is a tenth of the first rate that brought
    it within 5% of its lowest value (Smith's "a tenth of the minimum", made
    robust to the long flat floor of an easy problem).

    Findings (only with a user optimizer): ``lr-too-high`` when the user's
    rate is at or beyond the divergence rate, or both 10x the suggestion and a
    quarter of the divergence rate; ``lr-too-low`` when it is below the
    suggestion / 1000. The margins are wide on purpose: the usual rates (Adam
    1e-3 to 1e-2, SGD 0.01 to 0.1) are never warned about. A rate more than
    30x above the suggestion that is not warned about is an info
    ``lr-too-high`` that says how many times above the suggestion it is.
    ``records["lr_range"]`` also keeps ``user_lr`` and ``lr_over_suggested``
    for the monitor's rules.

    Shapes: X (N, ...), y (N,) class indices or the targets' shape.
    Returns ``(findings, records)`` with ``records["lr_range"] = {"lr": [...],
    "loss": [...] (smoothed), "raw_loss": [...]}`` plus ``"suggested_lr"`` and
    ``"divergence_lr"`` when they exist.
    """
    X, y = np.asarray(X), np.asarray(y)
    if optimizer is not None:
        end = max(end, 3.0 * current_lr(optimizer))
    rates = start * (end / start) ** (np.arange(steps) / max(1, steps - 1))
    model_copy, optimizer_copy, loss_copy = private_copies(model, optimizer, loss_fn)
    if optimizer_copy is None:
        optimizer_copy = Adam(model_copy.parameters(), lr=start)
    model_copy.train()
    raw, smoothed, diverged = _sweep(model_copy, optimizer_copy, loss_copy, X, y, rates,
                                     batch_size, sanity_rng(rng))
    record = {"lr": [float(lr) for lr in rates[:len(smoothed)]], "loss": smoothed,
              "raw_loss": raw}
    if diverged is not None:
        record["divergence_lr"] = float(diverged)
    records = {"lr_range": record}
    # A rate is suggested only from a sweep that lowered the loss and then saw it
    # turn up again: a minimum at the end of the sweep may lie anywhere beyond it.
    lowest = int(np.argmin(smoothed)) if smoothed else 0
    learned = bool(smoothed) and smoothed[lowest] <= LEARNING_FRACTION * smoothed[0] and (
        diverged is not None or smoothed[-1] >= RISE_FACTOR * smoothed[lowest])
    if learned:
        # The first rate that brings the loss within 5% of its full drop: on an easy
        # problem the loss sits near 0 over decades of rates, and its exact argmin is noise.
        floor = smoothed[lowest] + 0.05 * (smoothed[0] - smoothed[lowest])
        reached = next(i for i, loss in enumerate(smoothed) if loss <= floor)
        record["suggested_lr"] = record["lr"][reached] / 10
    if optimizer is None:
        return [], records
    lr = current_lr(optimizer)
    if learned:  # read by the monitor's rules too (a large step that kills ReLUs)
        record["user_lr"] = lr
        record["lr_over_suggested"] = lr / record["suggested_lr"]
    evidence = {"lr": lr, **{key: record[key] for key in ("suggested_lr", "divergence_lr")
                             if key in record}}
    if diverged is not None and lr >= diverged:
        summary = (f"The learning rate {lr:g} is at or beyond {diverged:.3g}, where the loss "
                   f"exploded in a learning-rate sweep"
                   + (f"; it is {lr / record['suggested_lr']:.0f}x above the suggested "
                      f"{record['suggested_lr']:.2g}." if learned else "."))
        return [make_finding("lr-too-high", "optimizer", evidence, summary)], records
    if (learned and diverged is not None and lr >= TOO_HIGH_OF_DIVERGENCE * diverged
            and lr >= TOO_HIGH_OVER_SUGGESTION * record["suggested_lr"]):
        evidence.update(over_suggested=record["lr_over_suggested"],
                        of_divergence=lr / diverged,
                        thresholds=f">= {TOO_HIGH_OVER_SUGGESTION:g} x suggested and >= "
                                   f"{TOO_HIGH_OF_DIVERGENCE:g} x divergence")
        summary = (f"The learning rate {lr:g} is {record['lr_over_suggested']:.0f} times "
                   f"{record['suggested_lr']:.2g}, the rate a learning-rate sweep suggests, "
                   f"and {lr / diverged:.0%} of {diverged:.3g}, where the sweep's loss "
                   f"exploded: it has not diverged yet, but each step overshoots.")
        return [make_finding("lr-too-high", "optimizer", evidence, summary)], records
    if learned and lr > ABOVE_SUGGESTION_FACTOR * record["suggested_lr"]:
        factor = lr / record["suggested_lr"]
        evidence["times_suggested"] = factor
        summary = (f"The learning rate {lr:g} is {factor:.0f}x above {record['suggested_lr']:.2g}, "
                   f"the rate this sweep suggests: the loss did not explode at it, so it "
                   f"may train, but it lies past the rate of the sweep's lowest loss; expect "
                   f"a noisy loss that settles late.")
        return [make_finding("lr-too-high", "optimizer", evidence, summary, severity="info",
                             fix=f"Try a rate near the suggestion, e.g. lr="
                                 f"{record['suggested_lr']:.2g} (or up to "
                                 f"{10 * record['suggested_lr']:.2g}), and compare the loss "
                                 f"curves.")], records
    if learned and lr < record["suggested_lr"] / TOO_LOW_FACTOR:
        summary = (f"The learning rate {lr:g} is more than {TOO_LOW_FACTOR:g} times below "
                   f"{record['suggested_lr']:.2g}, a tenth of the rate of the lowest loss in "
                   f"a learning-rate sweep.")
        return [make_finding("lr-too-low", "optimizer", evidence, summary)], records
    return [], records
