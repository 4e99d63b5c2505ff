"""Rules on how training is driven: learning rate too high or too low, regularization, schedule.

Scale-free by design (ratios, not absolute magnitudes, which misfire on
ordinary data): the loss is compared with its own start and its best, the
update with the weight it changes, the penalty with the data loss; a trend
must stand out of the mini-batch noise.
"""

import math

import numpy as np

from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.rules.common import (
    SUSTAINED_CHECKS,
    as_array,
    fall_and_noise,
    finite_losses,
    first_run,
    initial_value,
    is_still,
    loss_change,
    loss_not_moving,
    median_across,
    run_end,
)
from minnet.diagnostics.rules.layers import (
    DEAD_FRACTION,
    UPDATE_RATIO_HIGH,
    UPDATE_RATIO_LOW,
    UPDATE_WARMUP_STEPS,
    dead_relu,
)
from minnet.diagnostics.rules.schedule import lr_schedule_collapse
from minnet.diagnostics.rules.updates import not_updating

# lr-too-high: "smoothed loss above 4x its best" -- and above 1.5x where it
# started, so that a loss near zero wobbling from 0.01 to 0.05 is not divergence.
DIVERGENCE_FACTOR = 4.0
DIVERGENCE_OVER_START = 1.5
DIVERGENCE_SMOOTHING = 5  # training losses averaged
DIVERGENCE_STEPS = 5  # consecutive diverged losses
DIVERGENCE_WARMUP = 3  # the first losses are not judged
# ... or, for a run that diverges late (after the loss had fallen far), above 4x its
# best and back above half-way from its best to its start: it gave back half of the
# progress it made (a loss wobbling near zero, 0.01 to 0.05 from 1.1, gives back 4%).
DIVERGENCE_GIVE_BACK = 0.5
# lr-too-high from the damage of a large step: ReLU layers that die during the run
# (alive at the first check) while the rate is 10x or more the range test's
# suggestion (records["lr_range"], when the doctor ran it). 10x alone is too close to
# healthy rates (up to 9x on the zoo) for a warning; with dead units it names their cause.
LARGE_STEP_FACTOR = 10.0

# lr-too-high in the first steps, before the warm-up of the update-ratio rules ends:
# the median update/weight ratio across weights above 0.5 (500x the healthy 1e-3) on
# each of the first 3 sampled checks. Only for optimizers whose step is lr x gradient
# (SGD): Adam's first steps move every weight by about lr whatever its gradient, a
# large ratio for small but healthy weights. Healthy SGD runs of the zoo stay below 0.1.
EARLY_UPDATE_RATIO = 0.5
EARLY_CHECKS = 3
ADAPTIVE_OPTIMIZERS = ("Adam", "AdamW", "RMSprop", "Adagrad")

# regularization-dominates: "regularization loss (or its gradient) larger than the
# data loss (or its gradient) for several checks; the checklist's rule of thumb is 10x".
# 3x, while the data loss is still above half its start: a healthy run whose data
# loss has fallen near zero may well end with a larger penalty; never at the start.
REGULARIZATION_RATIO = 3.0
# The penalty itself (a RegularizedLoss) against the data loss: 1.2x, nearer the
# literature's "larger than". L2 0.1 on the MNIST-1D residual MLP starts at 1.5x
# and costs 13 points of validation accuracy (zoo l2-x1000-residual-mnist1d); the
# zoo's healthy L2 runs stay below 0.8x.
REGULARIZATION_LOSS_RATIO = 1.2
REGULARIZATION_DATA_FRACTION = 0.5
REGULARIZATION_CHECKS = 3
# AdamW's decoupled decay against its Adam step: 1x, the decay moving the weights as
# much as the data do (healthy weight_decay=0.01 sits at 0.003-0.06 on the zoo's
# AdamW runs; weight_decay=10 climbs to 2.9 and then settles near 1, where the decay
# cancels whatever the data teach).
DECOUPLED_RATIO = 1.0
# no-lr-schedule (info): a constant learning rate over at least this many steps
# while the loss has stopped improving.
NO_SCHEDULE_MIN_STEPS = 200
NO_SCHEDULE_MIN_LEVEL = 0.1  # ... and is still above a tenth of its start (else nothing to gain)
NO_SCHEDULE_STILL = 0.02  # "stopped improving": the last third changes by < 2% (and the noise)
def _trailing_mean(values, size):
    cumulative = np.concatenate([[0.0], np.cumsum(values)])
    counts = np.minimum(np.arange(1, len(values) + 1), size)
    ends = np.arange(1, len(values) + 1)
    return (cumulative[ends] - cumulative[ends - counts]) / counts


def _divergence(records):
    steps, losses = finite_losses(records)
    start = initial_value(losses)
    if start is None or len(losses) <= DIVERGENCE_WARMUP or losses.min() < 0:
        return None
    smooth = _trailing_mean(losses, DIVERGENCE_SMOOTHING)
    best = np.minimum.accumulate(smooth)
    gave_back = smooth > best + DIVERGENCE_GIVE_BACK * (start - best)
    flags = (smooth > DIVERGENCE_FACTOR * best) & (
        (smooth > DIVERGENCE_OVER_START * start) | gave_back)
    flags[:DIVERGENCE_WARMUP] = False
    index = first_run(flags, DIVERGENCE_STEPS)
    if index is None:
        return None
    return int(steps[index]), {"smoothed_loss": float(smooth[index + DIVERGENCE_STEPS - 1]),
                               "best_loss": float(best[index]), "initial_loss": start,
                               "factor_threshold": DIVERGENCE_FACTOR}


def _blew_up(records):
    """The loss became non-finite after it had been finite and growing."""
    events = records.get("events", {}).get("non_finite", {})
    if "loss" not in events.get("kind", []):
        return None
    _, losses = finite_losses(records)
    start = initial_value(losses)
    if len(losses) <= DIVERGENCE_WARMUP or start is None or losses.min() < 0:
        return None
    last = float(losses[-1])
    if last <= DIVERGENCE_OVER_START * start:
        return None
    step = events["step"][events["kind"].index("loss")]
    return int(step), {"last_finite_loss": last, "initial_loss": start}


def _large_step_damage(records):
    """(step, evidence) when ReLUs died during a run whose rate is far above the range
    test's suggestion, else None."""
    sweep = records.get("lr_range", {})
    factor = sweep.get("lr_over_suggested")
    if factor is None or not factor >= LARGE_STEP_FACTOR:
        return None
    activations = records.get("activations", {})
    died = [finding for finding in dead_relu(records)
            if as_array(activations.get(finding.where, {}).get("dead_fraction", [1.0]))[0]
            < DEAD_FRACTION]
    if not died:
        return None
    return min(finding.step for finding in died), {
        "lr": sweep["user_lr"], "suggested_lr": sweep["suggested_lr"], "factor": factor,
        "factor_threshold": LARGE_STEP_FACTOR,
        "layers_died": ", ".join(finding.where for finding in died)}


def _early_updates(records):
    """(step, evidence) when the first sampled checks' updates are huge (SGD-like only)."""
    if records.get("info", {}).get("optimizer") in ADAPTIVE_OPTIMIZERS:
        return None
    steps, medians = median_across(records.get("update_ratio", {}))
    early = [(step, value) for step, value in zip(steps, medians)
             if step < UPDATE_WARMUP_STEPS][:EARLY_CHECKS]
    if len(early) < EARLY_CHECKS or not all(value > EARLY_UPDATE_RATIO for _, value in early):
        return None
    return int(early[0][0]), {"median_update_ratio_first_checks": float(
        np.median([value for _, value in early])), "threshold": EARLY_UPDATE_RATIO,
        "checks": EARLY_CHECKS}


def lr_too_high(records):
    found = _divergence(records) or _blew_up(records)
    summary = "The loss climbed far above its best and its start."
    if found is None:
        found = _early_updates(records)
        summary = ("From the first steps, each step changes the weights by more than half "
                   "their norm.")
    if found is None:
        found = _large_step_damage(records)
        summary = ("ReLU units died during training while the learning rate is far above "
                   "what a learning-rate sweep suggests: the large steps killed them.")
    if found is None:
        steps, medians = median_across(records.get("update_ratio", {}),
                                       start_step=UPDATE_WARMUP_STEPS)
        flags = medians > UPDATE_RATIO_HIGH
        start = first_run(flags, SUSTAINED_CHECKS)
        if start is None:
            return []
        end = run_end(flags, start)
        found = int(steps[start]), {"median_update_ratio": float(np.median(medians[start:end])),
                                    "threshold": UPDATE_RATIO_HIGH, "checks": end - start}
        summary = "Each step changes the weights by more than a tenth of their norm."
    step, evidence = found
    lr = as_array(records.get("loss", {}).get("lr", []))
    if lr.size and np.isfinite(lr).any() and "lr" not in evidence:
        evidence["lr"] = float(lr[np.isfinite(lr)][0])
    return [make_finding("lr-too-high", "optimizer", evidence, summary=summary, step=step)]


def lr_too_low(records):
    # optimizer-not-updating: a larger lr would not help; lr-schedule-collapse: the
    # schedule, not the rate the user chose, is what to fix
    if not_updating(records) is not None or lr_schedule_collapse(records):
        return []
    steps, medians = median_across(records.get("update_ratio", {}),
                                   start_step=UPDATE_WARMUP_STEPS)
    flags = medians < UPDATE_RATIO_LOW
    start = first_run(flags, SUSTAINED_CHECKS)
    # the loss judged since the small updates began (a change partway through counts)
    if start is None or not loss_not_moving(records, from_step=steps[start]):
        return []
    end = run_end(flags, start)
    evidence = {"median_update_ratio": float(np.median(medians[start:end])),
                "threshold": UPDATE_RATIO_LOW, "loss_change": loss_change(records)}
    loss = records.get("loss", {})
    lr = as_array(loss.get("lr", []))
    if evidence["median_update_ratio"] == 0 and not (lr == 0).any():
        return []  # no update at all, not small ones: a larger rate would change nothing
    summary = "The weights barely change and the loss does not move."
    if lr.size and np.isfinite(lr).any():
        evidence["lr"] = float(lr[np.isfinite(lr)][0])
        at = [index for index, step in enumerate(loss.get("step", [])) if step >= steps[start]]
        if at and np.isfinite(lr[at[0]]) and lr[at[0]] != evidence["lr"]:
            evidence["lr_when_updates_became_small"] = float(lr[at[0]])
            summary = (f"The weights barely change and the loss does not move since step "
                       f"{steps[start]}, where the learning rate was {lr[at[0]]:.3g} (it "
                       f"started at {evidence['lr']:.3g}).")
        if evidence["lr"] == 0:  # often an optimizer whose schedule annealed to eta_min=0
            summary = ("The learning rate is 0 (did a schedule such as CosineAnnealingLR "
                       "with eta_min=0 end there?), so the weights do not change.")
    return [make_finding("lr-too-low", "optimizer", evidence, summary=summary,
                         step=int(steps[start]))]


def regularization_dominates(records):
    loss = records.get("loss", {})
    steps = list(loss.get("step", []))
    train, data, reg = (as_array(loss.get(key, [])) for key in ("train", "data", "reg"))
    data_or_train = np.where(np.isfinite(data), data, train) if data.size else train
    start = initial_value(data_or_train)
    if start is None:
        return []
    still_high = data_or_train >= REGULARIZATION_DATA_FRACTION * start
    found = None
    if reg.size and np.isfinite(reg).any():  # a RegularizedLoss: compare the losses
        with np.errstate(all="ignore"):
            flags = (reg > REGULARIZATION_LOSS_RATIO * data) & still_high
        index = first_run(flags, REGULARIZATION_CHECKS)
        if index is not None:
            found = (steps[index], "loss", {"reg_over_data_loss": float(reg[index] / data[index]),
                                            "threshold": REGULARIZATION_LOSS_RATIO})
    if found is None:  # the penalty's gradient against the data loss's gradient
        regular = records.get("regularization", {})
        loss_at = dict(zip(reversed(steps), reversed(list(data_or_train))))
        reg_steps = regular.get("step", [])
        with np.errstate(all="ignore"):
            ratio = (as_array(regular.get("reg_grad_norm", []))
                     / as_array(regular.get("data_grad_norm", [])))
        decoupled = records.get("info", {}).get("optimizer") == "AdamW"
        threshold = DECOUPLED_RATIO if decoupled else REGULARIZATION_RATIO
        flags = [r > threshold
                 and loss_at.get(s, math.nan) >= REGULARIZATION_DATA_FRACTION * start
                 for s, r in zip(reg_steps, ratio)]
        index = first_run(flags, REGULARIZATION_CHECKS)
        if index is not None:
            where = "loss" if reg.size and np.isfinite(reg).any() else "optimizer"
            name = "decay_over_adam_step" if decoupled else "reg_over_data_gradient"
            found = (reg_steps[index], where, {name: float(ratio[index]), "threshold": threshold})
    if found is None:
        return []
    step, where, evidence = found
    evidence.setdefault("threshold", REGULARIZATION_RATIO)
    evidence["initial_data_loss"] = start
    return [make_finding(
        "regularization-dominates", where, evidence,
        summary="The regularization term outweighs the data loss while the data loss is "
                "still near its start.", step=int(step))]


def no_lr_schedule(records):
    loss = records.get("loss", {})
    lr = as_array(loss.get("lr", []))
    _, losses = finite_losses(records)
    if (len(lr) < NO_SCHEDULE_MIN_STEPS or not np.isfinite(lr).all() or lr.min() != lr.max()
            or len(losses) < NO_SCHEDULE_MIN_STEPS):
        return []
    third = len(losses) // 3
    if np.mean(losses[-third // 2:]) < NO_SCHEDULE_MIN_LEVEL * initial_value(losses):
        return []
    fall, noise = fall_and_noise(losses[-third:-third // 2], losses[-third // 2:])
    if not is_still(losses[-third:-third // 2], losses[-third // 2:], NO_SCHEDULE_STILL):
        return []
    return [make_finding(
        "no-lr-schedule", "optimizer",
        {"lr": float(lr[0]), "steps": len(lr), "recent_loss_fall": fall, "noise": noise},
        summary=f"The learning rate stayed at {lr[0]:.3g} for {len(lr)} steps while the loss "
                f"stopped improving.")]

