"""Rules on whether ``optimizer.step()`` uses the gradients backward produced.

Two codes read the monitor's gradient check (``monitor/fresh.py``) and the
update/weight ratios:

- ``optimizer-not-updating``: every weight's update is exactly 0 while the
  gradients are not (an optimizer built on another copy of the model,
  ``zero_grad()`` between ``backward()`` and ``step()``, ``step()`` before
  ``backward()``). "Raise the learning rate" would be the wrong advice, so
  ``lr-too-low`` and ``update-ratio-low`` stay quiet when it holds;
- ``grads-not-zeroed``, its second signal: the gradient the optimizer uses
  differs from the one this step's backward passes computed, because it
  still holds earlier steps' values.
"""

import math

import numpy as np

from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.rules.common import as_array, first_run, run_end
from minnet.diagnostics.rules.events import grads_not_zeroed

# Exact zeros are certain: three sampled checks in a row (steps 0, 1, 2 with
# the default sampling) are enough, and one check could be a first Adam step.
NOT_UPDATING_CHECKS = 3
# grads-not-zeroed, second signal: "the optimizer's gradient differs from a recomputed
# one by a relative error > 1e-2": the values .grad held before this step's backward
# (stale) are more than 1e-2 of what the backward computed. Measured before the
# optimizer's own changes (clipping rescales the sum, not the stale share); on 3
# checks in a row, as the first signal.
FRESH_RELATIVE_ERROR = 1e-2
FRESH_CHECKS = 3


def _value_at(entry, key="value"):
    """{step: value} of a record with a "step" list (the first value of a repeated step)."""
    pairs = zip(reversed(entry.get("step", [])), reversed(list(entry.get(key, []))))
    return {step: (math.nan if value is None else value) for step, value in pairs}


def _zero_update_steps(records):
    """(steps, flags): per sampled step, True when no weight moved and at least one
    weight's ratio was measured (a zero weight has no ratio: NaN)."""
    by_step = {}
    for entry in records.get("update_ratio", {}).values():
        for step, value in zip(entry["step"], entry["value"]):
            if value is not None and math.isfinite(value):
                by_step.setdefault(step, []).append(value)
    steps = sorted(by_step)
    return steps, [max(by_step[step]) == 0.0 for step in steps]


def not_updating(records):
    """``(first step, evidence)`` when the optimizer does not update the model, else None."""
    steps, zero = _zero_update_steps(records)
    if not steps:
        return None
    # the gradients of the same weights (a model whose ReLUs are all dead still has
    # bias gradients, and no weight gradient: nothing to update)
    check = records.get("gradient_check", {})
    grad_at = _value_at(check, "optimizer_norm")
    backward_at = _value_at(check, "backward_norm")
    loss = records.get("loss", {})
    lr_at = _value_at({"step": loss.get("step", []), "value": list(as_array(loss.get("lr", [])))})
    flags = []
    for step, is_zero in zip(steps, zero):
        gradient = max(np.nan_to_num(grad_at.get(step, math.nan)),
                       np.nan_to_num(backward_at.get(step, math.nan)))
        lr = lr_at.get(step, math.nan)
        flags.append(is_zero and gradient > 0 and not lr == 0)  # lr=0 is lr-too-low's
    start = first_run(flags, NOT_UPDATING_CHECKS)
    if start is None:
        return None
    end = run_end(flags, start)
    during = steps[start:end]
    evidence = {"checks_without_update": end - start,
                "grad_norm_from_backward": float(np.nanmax(
                    [backward_at.get(s, math.nan) for s in during] + [-math.inf])),
                "grad_norm_seen_by_optimizer": float(np.nanmax(
                    [grad_at.get(s, math.nan) for s in during] + [-math.inf])),
                "threshold_checks": NOT_UPDATING_CHECKS}
    if not math.isfinite(evidence["grad_norm_from_backward"]):
        del evidence["grad_norm_from_backward"]
    info = records.get("info", {})
    if info.get("model_weights"):
        evidence["model_weights_in_optimizer"] = (f"{info.get('model_weights_in_optimizer')} of "
                                                  f"{info['model_weights']}")
    if records.get("events", {}).get("step_before_backward", {}).get("step"):
        evidence["step_before_first_backward"] = "yes"
    lr = as_array(loss.get("lr", []))
    if lr.size and np.isfinite(lr).any():
        evidence["lr"] = float(lr[np.isfinite(lr)][0])
    return int(steps[start]), evidence


def _cause(records, evidence):
    """The likeliest of the three usual causes, from the evidence."""
    if records.get("info", {}).get("model_weights") and not records["info"].get(
            "model_weights_in_optimizer"):
        return ("The optimizer holds none of the model's weights: it was built on the "
                "parameters of another copy of the model, so step() updates weights the "
                "loop never uses.")
    if evidence.get("grad_norm_seen_by_optimizer") == 0 and evidence.get(
            "grad_norm_from_backward", 0) > 0:
        if evidence.get("step_before_first_backward"):
            return ("step() ran before the first backward(), and every step() finds the "
                    "gradients zeroed: step() is called before backward() in the loop.")
        return ("backward() produces gradients, but they are zero when step() runs: "
                "zero_grad() is called between backward() and step() (or step() before "
                "backward()).")
    return ("The gradients are not zero, yet step() leaves every weight unchanged: is the "
            "optimizer built on this model, and is step() called after backward()?")


def optimizer_not_updating(records):
    found = not_updating(records)
    if found is None:
        return []
    step, evidence = found
    summary = "Every weight's update is exactly 0 while the gradients are not. " + _cause(
        records, evidence)
    return [make_finding("optimizer-not-updating", "optimizer", evidence, summary=summary,
                         step=step)]


def stale_optimizer_gradients(records):
    """grads-not-zeroed's second signal (only when the first, ``events.grads_not_zeroed``,
    and ``optimizer-not-updating`` are silent: the same mistake is reported once)."""
    check = records.get("gradient_check", {})
    stale, fresh = (as_array(check.get(key, [])) for key in ("stale_norm", "backward_norm"))
    if not stale.size:
        return []
    with np.errstate(invalid="ignore"):
        relative = stale / fresh
        flags = (stale > FRESH_RELATIVE_ERROR * fresh) & (fresh > 0)
    start = first_run(flags, FRESH_CHECKS)
    if start is None or not_updating(records) is not None or grads_not_zeroed(records):
        return []
    end = run_end(flags, start)
    step = int(check["step"][start])
    value = float(np.median(relative[start:end]))
    return [make_finding(
        "grads-not-zeroed", "training",
        {"checks": end - start, "stale_over_fresh_gradient": value,
         "threshold": FRESH_RELATIVE_ERROR},
        summary=f"At step() the gradients still hold earlier steps' values: their norm is "
                f"{value:.3g} times that of the gradient this step's backward computed.",
        step=step)]
