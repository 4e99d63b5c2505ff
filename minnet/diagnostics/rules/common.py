"""What the monitor's rules share: "sustained" runs of checks, loss windows, trends.

A rule never fires on one reading: a sampled statistic must cross its
threshold on ``SUSTAINED_CHECKS`` consecutive sampled checks, and a loss
trend must stand out of the noise of the mini-batch losses. That is how a
healthy setup comes back clean (docs/doctor-zoo.md: the zoo's healthy setups
must give no warning or error on any seed).
"""

import math

import numpy as np

# Consecutive sampled checks a layer statistic must stay past its threshold.
# With the default sampling (steps 0, 1, 2, then every 10) that is ~30 steps.
SUSTAINED_CHECKS = 5
# The loss "does not move" when it changes by less than 5% of its level and by
# less than 3 standard errors of the window means (the mini-batch noise).
LOSS_STILL_FRACTION = 0.05
NOISE_SIGMAS = 3.0
MIN_WINDOW = 10  # loss entries per window, at least
# A loss frozen partway through a run counts as "not moving" only above a tenth of
# where it started (lower, the run has converged: small updates are expected).
FROZEN_MIN_LEVEL = 0.1
# ... and only while the learning rate is above a tenth of its peak (below, a
# schedule has annealed it: small steps and a still loss are what it is for).
ANNEALED_FRACTION = 0.1


def as_array(values):
    """A float array; None becomes NaN."""
    return np.array([math.nan if value is None else value for value in values], dtype=float)


def first_run(flags, length):
    """Index where the first run of ``length`` consecutive True flags starts, or None."""
    run = 0
    for index, flag in enumerate(flags):
        run = run + 1 if flag else 0
        if run >= length:
            return index - length + 1
    return None


def run_end(flags, start):
    """One past the last index of the run of True flags that starts at ``start``."""
    end = start
    while end < len(flags) and flags[end]:
        end += 1
    return end


def finite_losses(records):
    """(steps, losses) of the training passes up to the first non-finite loss."""
    loss = records.get("loss", {})
    steps, values = list(loss.get("step", [])), as_array(loss.get("train", []))
    bad = np.flatnonzero(~np.isfinite(values))
    end = bad[0] if bad.size else len(values)
    return np.asarray(steps[:end], dtype=float), values[:end]


def initial_value(values, count=3):
    """Where the loss started: the first value, or the median of the first ``count`` if lower.

    A diverging run's second and third losses can be huge already; one
    unlucky first batch should not set the start either.
    """
    values = np.asarray(values, dtype=float)
    values = values[np.isfinite(values)]
    if not values.size:
        return None
    return float(min(values[0], np.median(values[:count])))


def window_size(count, windows=20):
    return max(MIN_WINDOW, count // windows)


def windows(values, size):
    """Means of consecutive windows of ``size`` values (a trailing partial window is dropped)."""
    values = np.asarray(values, dtype=float)
    whole = len(values) // size
    return values[:whole * size].reshape(whole, size)


def fall_and_noise(first, last):
    """How much the mean fell from ``first`` to ``last`` (two samples), and its standard error."""
    first, last = np.asarray(first, dtype=float), np.asarray(last, dtype=float)
    fall = float(np.mean(first) - np.mean(last))
    noise = math.sqrt(np.var(first) / len(first) + np.var(last) / len(last))
    return fall, noise


def is_still(first, last, fraction=LOSS_STILL_FRACTION):
    """True when the mean did not change (either way) by more than noise and ``fraction``."""
    fall, noise = fall_and_noise(first, last)
    level = abs(float(np.mean(first)))
    return abs(fall) < max(fraction * level, NOISE_SIGMAS * noise)


def _still(losses):
    """True when the window means of ``losses`` all stay within 5% of their level and
    within the noise of a window mean (3 standard errors, for the difference of two)."""
    if len(losses) < 4 * MIN_WINDOW:
        return False
    size = window_size(len(losses))
    blocks = windows(losses, size)
    means = blocks.mean(axis=1)
    noise = float(np.median(blocks.std(axis=1))) / math.sqrt(size)
    level = float(np.median(np.abs(means)))
    spread = float(means.max() - means.min())
    return spread < max(LOSS_STILL_FRACTION * level, NOISE_SIGMAS * math.sqrt(2.0) * noise)


def loss_not_moving(records, from_step=None):
    """True when the training loss never moved over the run (enough steps only); or,
    given ``from_step``, when it has not moved from that step to the end of the run.

    The second form judges a window: a loss that fell for 30 steps and then
    froze (a learning rate that collapsed partway through) moved over the run
    but not since. Its level must still be above a tenth of where it started:
    a run whose loss fell to near zero has small updates too, but it moved.
    """
    steps, losses = finite_losses(records)
    if _still(losses):
        return True
    if from_step is None:
        return False
    tail = losses[steps >= from_step]
    start = initial_value(losses)
    return (len(tail) < len(losses) and start is not None and start > 0
            and float(np.mean(tail)) >= FROZEN_MIN_LEVEL * start and _still(tail)
            and not _annealed(records, from_step))


def _annealed(records, from_step):
    """True when a schedule had lowered the learning rate below a tenth of its peak by
    ``from_step``: the small steps at the end of a schedule are there by design."""
    loss = records.get("loss", {})
    lr = as_array(loss.get("lr", []))
    steps = np.asarray(loss.get("step", []), dtype=float)
    if not lr.size or len(steps) != len(lr) or not np.isfinite(lr).any():
        return False
    before = lr[steps <= from_step]
    before = before[np.isfinite(before)]
    return bool(before.size) and before[-1] < ANNEALED_FRACTION * before.max()


def loss_change(records):
    """Relative change of the training loss from the first to the last fifth of the run."""
    _, losses = finite_losses(records)
    if len(losses) < 2:
        return math.nan
    size = max(1, len(losses) // 5)
    start = float(np.mean(losses[:size]))
    return (float(np.mean(losses[-size:])) - start) / start if start else math.nan


def chance_accuracy(records):
    """Accuracy of always predicting the most frequent class seen, or None."""
    counts = records.get("labels", {}).get("counts", [])
    if not counts:
        return None
    total = summed_counts(counts)
    return float(total.max() / total.sum()) if total.sum() else None


def summed_counts(counts):
    """Element-wise sum of class-count arrays of different lengths."""
    size = max(len(c) for c in counts)
    total = np.zeros(size, dtype=np.int64)
    for c in counts:
        total[:len(c)] += c
    return total


def median_across(entries, key="value", start_step=0):
    """Per check step (>= start_step), the median over every entry of ``key``: (steps, medians)."""
    by_step = {}
    for entry in entries.values():
        for step, value in zip(entry["step"], entry[key]):
            if step >= start_step and value is not None and math.isfinite(value):
                by_step.setdefault(step, []).append(value)
    steps = sorted(by_step)
    return steps, np.array([float(np.median(by_step[step])) for step in steps])
