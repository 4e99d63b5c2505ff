"""Rules on the progress of the loss: plateau, overfitting, underfitting.

"Low" and "high" are measured against chance: the accuracy of always
predicting the most frequent class, the loss of a prediction that learned
nothing (ln C, ln 2, the variance of regression targets). A trend must stand
out of the mini-batch noise and persist to the end of the run: an early
plateau that the network breaks through is not a finding.
"""

import math

import numpy as np

from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.rules.common import (
    as_array,
    chance_accuracy,
    finite_losses,
    is_still,
    window_size,
    windows,
)

# loss-plateau: "smoothed loss falls < 0.1% over several windows while accuracy is low".
PLATEAU_FALL = 1e-3
PLATEAU_WINDOWS = 4
PLATEAU_ACCURACY_FACTOR = 1.5  # "low": below 1.5x chance (and below halfway to 100%)
PLATEAU_REGRESSION_FRACTION = 0.5  # regression: MSE above half the target variance
# overfitting: "validation loss rising while training loss falls".
OVERFIT_MIN_EVALUATIONS = 5
# A healthy run often ends with its validation loss a third above its best (the
# network grows confident on a few points it gets wrong): not yet a warning.
OVERFIT_RISE = 0.5  # the last 3 validation losses 50% above the best ...
OVERFIT_GAP_FRACTION = 0.25  # ... having climbed back a quarter of what it fell from the start
OVERFIT_TRAIN_FALL = 0.2  # ... while the training loss fell by another 20% (noise is not a trend)
# underfitting: "both high and flat". High: above 60% of the loss of a chance
# prediction (ln C, ln 2, the target variance), flat to 2% over the last third of
# the run (and within the noise); or, no better than chance (90%) and flat to 5%
# (a model that creeps toward the chance loss from a bad start).
UNDERFIT_LEVELS = ((0.6, 0.02), (0.9, 0.05))
# ... but a loss still falling steadily at the end of the run (at least 0.5% per window, a
# window being 1/20 of the run: another run as long would take off a tenth more, with a
# trend 3 standard errors clear of the noise) says the run was too short to judge: info.
STILL_FALLING_RATE = 5e-3
STILL_FALLING_WINDOWS = 5  # the trend is fitted on at least this many last windows
STILL_FALLING_SIGMAS = 3.0
# A run "fitted" its data (dead-relu is then info): training or validation accuracy of
# 99% or more, or a training loss at or below a tenth of the loss of a chance prediction.
FITTED_ACCURACY = 0.99
FITTED_LOSS_FRACTION = 0.1


def _chance_reference(records):
    """The loss of a prediction that learned nothing: ln C, ln 2 or the target variance."""
    info = records.get("info", {})
    task = info.get("task")
    if task == "multiclass" and (info.get("num_classes") or 0) >= 2:
        return math.log(info["num_classes"])
    if task == "binary":
        return math.log(2.0)
    if task == "regression":
        baseline = as_array(records.get("loss", {}).get("baseline", []))
        baseline = baseline[np.isfinite(baseline)]
        return float(np.mean(baseline)) if baseline.size else None
    return None


def _last_finite(values, count=1):
    values = as_array(values)
    values = values[np.isfinite(values)]
    return float(np.mean(values[-count:])) if values.size else None


def fitted(records):
    """``(evidence, sentence)`` when the run fitted its data, else None (see FITTED_*)."""
    loss = records.get("loss", {})
    for key, name, count in (("val_accuracy", "validation", 1), ("accuracy", "training", 5)):
        accuracy = _last_finite(loss.get(key, []), count)
        if accuracy is not None and accuracy >= FITTED_ACCURACY:
            return ({f"{name}_accuracy": accuracy},
                    f"the model still reached {accuracy:.0%} {name} accuracy")
    _, train = finite_losses(records)
    reference = _chance_reference(records)
    if reference and train.size >= window_size(len(train)):
        end = float(np.mean(train[-window_size(len(train)):]))
        if end <= FITTED_LOSS_FRACTION * reference:
            return ({"final_loss_over_chance": end / reference},
                    f"the training loss still fell to {end / reference:.0%} of the loss of a "
                    f"chance prediction")
    return None


def still_falling(losses):
    """The loss's relative fall per window at the end of the run when it is steady, else None.

    A straight line is fitted to the last third of the window means (at least
    STILL_FALLING_WINDOWS); its slope must be a fall of STILL_FALLING_RATE of
    the level per window and STILL_FALLING_SIGMAS standard errors clear of 0.
    """
    size = window_size(len(losses))
    if len(losses) < size * STILL_FALLING_WINDOWS:
        return None
    means = windows(losses, size).mean(axis=1)
    tail = means[-max(STILL_FALLING_WINDOWS, len(means) // 3):]
    index = np.arange(len(tail), dtype=float)
    slope, intercept = np.polyfit(index, tail, 1)
    residuals = tail - (slope * index + intercept)
    spread = np.sqrt(np.sum(residuals ** 2) / (len(tail) - 2) / np.sum((index - index.mean()) ** 2))
    rate = -slope / float(np.mean(tail))
    if rate >= STILL_FALLING_RATE and -slope > STILL_FALLING_SIGMAS * spread:
        return float(rate)
    return None


def _low_performance(records, window_slice):
    """(is it low?, evidence) for the windows in ``window_slice`` of the training run."""
    loss = records.get("loss", {})
    task = records.get("info", {}).get("task")
    if task in ("multiclass", "binary"):
        chance = chance_accuracy(records)
        accuracy = as_array(loss.get("accuracy", []))[window_slice]
        accuracy = accuracy[np.isfinite(accuracy)]
        if chance is None or not accuracy.size:
            return False, {}
        limit = min(PLATEAU_ACCURACY_FACTOR * chance, (1.0 + chance) / 2.0)
        value = float(np.mean(accuracy))
        return value < limit, {"accuracy": value, "chance_accuracy": chance}
    if task == "regression":
        reference = _chance_reference(records)
        value = float(np.mean(as_array(loss.get("train", []))[window_slice]))
        if reference is None or not reference > 0:
            return False, {}
        return (value > PLATEAU_REGRESSION_FRACTION * reference,
                {"loss_over_target_variance": value / reference})
    return False, {}


def loss_plateau(records):
    steps, losses = finite_losses(records)
    if len(losses) != len(records.get("loss", {}).get("train", [])):
        return []  # a non-finite loss is its own finding
    size = window_size(len(losses))
    means = windows(losses, size).mean(axis=1) if len(losses) >= size else np.array([])
    if len(means) < PLATEAU_WINDOWS + 2:
        return []
    improved = [False] + [means[j] < means[:j].min() * (1 - PLATEAU_FALL)
                          for j in range(1, len(means))]
    last_improvement = max(j for j in range(len(means)) if improved[j] or j == 0)
    flat_windows = len(means) - 1 - last_improvement
    if flat_windows < PLATEAU_WINDOWS:
        return []
    first = (last_improvement + 1) * size
    low, evidence = _low_performance(records, slice(first, len(means) * size))
    if not low:
        return []
    evidence.update(loss=float(means[-1]), windows_without_progress=flat_windows,
                    window_steps=size, fall_threshold=PLATEAU_FALL)
    return [make_finding(
        "loss-plateau", "training", evidence,
        summary=f"The loss has not improved by {PLATEAU_FALL:.1%} for {flat_windows} "
                f"windows of {size} steps.",
        step=int(steps[first]))]


def overfitting(records):
    loss = records.get("loss", {})
    val_steps = np.asarray(loss.get("val_step", []), dtype=float)
    val = as_array(loss.get("val", []))
    steps, train = finite_losses(records)
    if len(val) < OVERFIT_MIN_EVALUATIONS or not np.isfinite(val).all() or len(train) < 20:
        return []
    best = int(np.argmin(val))
    if len(val) - best - 1 < 3:
        return []
    tail = val[-3:]
    if not (tail > val[best] * (1 + OVERFIT_RISE)).all():
        return []
    if np.mean(tail) - val[best] < OVERFIT_GAP_FRACTION * (val[0] - val[best]):
        return []
    size = window_size(len(train))
    at_best = train[steps <= val_steps[best]][-size:]
    at_end = train[-size:]
    if not at_best.size or not np.mean(at_end) < np.mean(at_best) * (1 - OVERFIT_TRAIN_FALL):
        return []
    rising = np.flatnonzero(val[best + 1:] > val[best] * (1 + OVERFIT_RISE))
    step = int(val_steps[best + 1 + rising[0]])
    evidence = {"best_val_loss": float(val[best]), "val_loss": float(tail[-1]),
                "train_loss_at_best": float(np.mean(at_best)), "train_loss": float(np.mean(at_end)),
                "rise_threshold": OVERFIT_RISE}
    return [make_finding(
        "overfitting", "training", evidence,
        summary=f"The validation loss rose from {val[best]:.3g} to {tail[-1]:.3g} while the "
                f"training loss kept falling.", step=step)]


def _flat(train, val, third, fraction):
    """Both curves still over the last third of the run (to ``fraction`` of their level)."""
    val_then = val[(2 * len(val)) // 3]
    return (is_still(train[-third:-third // 2], train[-third // 2:], fraction)
            and abs(val_then - val[-1]) <= fraction * val_then)


def underfitting(records):
    loss = records.get("loss", {})
    val = as_array(loss.get("val", []))
    steps, train = finite_losses(records)
    reference = _chance_reference(records)
    if reference is None or len(val) < 6 or len(train) < 40 or not np.isfinite(val).all():
        return []
    third = max(10, len(train) // 3)
    end_train, end_val = float(np.mean(train[-third // 2:])), float(np.mean(val[-3:]))
    level = min(end_train, end_val) / reference
    found = None
    for fraction, still in UNDERFIT_LEVELS:
        if level > fraction and _flat(train, val, third, still):
            found = fraction
            break
    if found is None:
        return []
    evidence = {"train_loss": end_train, "val_loss": end_val, "chance_loss": reference,
                "fraction_threshold": found}
    summary = (f"Training loss {end_train:.3g} and validation loss {end_val:.3g} stay above "
               f"{found:.0%} of the loss of a chance prediction ({reference:.3g}).")
    rate, fix = still_falling(train), None
    if rate is not None:  # it needs more steps, not another model
        fix = (f"Train longer before changing the model: more epochs, or a longer doctor run "
               f"(doctor(..., steps={2 * len(train)})); judge underfitting once the loss has "
               f"levelled off.")
        evidence["fall_per_window"] = rate
        summary = (f"The run was too short to judge: the loss was still falling by {rate:.1%} "
                   f"per window of {window_size(len(train))} steps at its end (training loss "
                   f"{end_train:.3g}, chance {reference:.3g}). Train longer before calling it "
                   f"underfitting.")
    return [make_finding("underfitting", "training", evidence, summary=summary,
                         severity="info" if rate is not None else None, fix=fix,
                         step=int(steps[len(train) - third]))]
