"""Rules on per-layer statistics: dead and saturated units, gradient flow, update size.

Each rule reads the monitor's records (``minnet.diagnostics.monitor.records``)
and returns a list of findings. Thresholds start from the values of the
sources the catalog cites for each code (docs/doctor-catalog.md: CS231n's
"babysitting the learning process" notes, Glorot & Bengio 2010, Pascanu et
al. 2013), tuned on the zoo; every one must hold on ``SUSTAINED_CHECKS``
consecutive sampled checks.
"""

import math

import numpy as np

from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.rules.common import (
    SUSTAINED_CHECKS,
    as_array,
    first_run,
    loss_change,
    loss_not_moving,
    run_end,
)
from minnet.diagnostics.rules.progress import fitted
from minnet.diagnostics.rules.schedule import lr_schedule_collapse
from minnet.diagnostics.rules.updates import not_updating

# Each code's starting threshold in short (docs/doctor-catalog.md: in full, with its source).
# dead-relu: "a unit that is <= 0 on the whole probe batch; a layer > 50% dead".
# Healthy ReLU nets have a few dead units; half a layer is a problem.
DEAD_FRACTION = 0.5
# saturated-activation: "tanh/sigmoid units whose local derivative < 0.01 on > 50% of a layer".
SATURATED_FRACTION = 0.5
# vanishing-gradients: "RMS gradient of the first layer / last layer < 1e-3".
VANISHING_RATIO = 1e-3
# vanishing-gradients through time (recurrent layers, monitor/time_steps.py): the norm of
# dL/dh_t at the first step over that at the last, below 1e-6 (a millionth of the error
# reaches the start) AND a per-step factor ratio ** (1 / (T - 1)) below 0.5. The zoo's
# healthy LSTM/GRU/RNN lose 0.6-0.8 per step (10-20 steps); the second condition keeps a
# long sequence that fades slowly (0.93 per step over 200 steps) silent.
TIME_VANISHING_RATIO = 1e-6
TIME_VANISHING_PER_STEP = 0.5
# exploding-gradients: "that ratio > 70, or global grad norm doubling check after check".
EXPLODING_RATIO = 70.0
DOUBLING_CHECKS = 5  # doublings in a row ...
DOUBLING_GROWTH = 100.0  # ... that add up to this much growth
EXPLODING_GROWTH = 1e3  # or a global norm this many times its value at the start
# update-ratio-high / -low: ||dW|| / ||W|| "> 1e-1" and "< 1e-5 per layer, loss not
# moving" (target about 1e-3; [1e-4, 1e-2] is healthy).
UPDATE_RATIO_HIGH = 1e-1
UPDATE_RATIO_LOW = 1e-5
# Adam's first steps move every weight by about lr whatever its gradient: the
# ratio settles after a few steps, so checks before this step are not judged.
UPDATE_WARMUP_STEPS = 10


def _run(flags):
    """(first index, end index) of the first sustained run of ``flags``, or None."""
    start = first_run(flags, SUSTAINED_CHECKS)
    return None if start is None else (start, run_end(flags, start))


def _layers_above(records, kinds, key, threshold):
    """Yield (where, entry, start, end, median) for each layer of ``kinds`` whose
    ``entry[key]`` stays above ``threshold`` for SUSTAINED_CHECKS sampled checks."""
    for where, entry in records.get("activations", {}).items():
        if entry.get("kind") not in kinds:
            continue
        values = as_array(entry[key])
        found = _run(values > threshold)
        if found is not None:
            start, end = found
            yield where, entry, start, end, float(np.median(values[start:end]))


def dead_relu(records):
    """Layers with more than half their ReLUs dead; only info when the run fitted its data
    (``progress.fitted``: ~100% accuracy or a loss near 0): dead units then cost capacity,
    not learning."""
    findings = []
    fit = fitted(records)
    for where, entry, start, end, fraction in _layers_above(
            records, ("relu",), "dead_fraction", DEAD_FRACTION):
        evidence = {"dead_fraction": fraction, "threshold": DEAD_FRACTION, "checks": end - start,
                    "dead_fraction_last_check": float(entry["dead_fraction"][-1])}
        summary = (f"{where}: {fraction:.0%} of the units are <= 0 on every sample of the "
                   f"batch, on {end - start} sampled checks in a row.")
        if fit is not None:
            evidence.update(fit[0])
            summary += (f" But {fit[1]}: the dead units waste capacity without stopping "
                        f"learning (a hint, not a fault).")
        findings.append(make_finding(
            "dead-relu", where, evidence, summary=summary,
            severity="info" if fit is not None else None, step=int(entry["step"][start])))
    return findings


def saturated_activation(records):
    findings = []
    for where, entry, start, end, fraction in _layers_above(
            records, ("tanh", "sigmoid", "recurrent"), "saturated_fraction",
            SATURATED_FRACTION):
        findings.append(make_finding(
            "saturated-activation", where,
            {"saturated_fraction": fraction, "threshold": SATURATED_FRACTION,
             "checks": end - start},
            summary=f"{where}: {fraction:.0%} of the activations sit where the local "
                    f"derivative is below 0.01, on {end - start} sampled checks in a row.",
            step=int(entry["step"][start])))
    return findings


def _first_and_last_layers(records):
    """(first, last) gradient records by model order; an embedding is never 'first'."""
    layers = [(where, entry) for where, entry in records.get("grad_norm", {}).items()
              if entry.get("step")]
    candidates = [item for item in layers if not item[1].get("embedding")]
    if len(layers) < 2 or not candidates or candidates[0] is layers[-1]:
        return None
    return candidates[0], layers[-1]


def _gradient_ratio(records):
    """(steps, first-layer RMS / last-layer RMS, first where, last where), or None."""
    pair = _first_and_last_layers(records)
    if pair is None:
        return None
    (first_where, first), (last_where, last) = pair
    count = min(len(first["rms"]), len(last["rms"]))
    numerator, denominator = as_array(first["rms"][:count]), as_array(last["rms"][:count])
    with np.errstate(all="ignore"):
        ratio = np.where(denominator > 0, numerator / denominator, math.nan)
    return first["step"][:count], ratio, first_where, last_where


def _sustained_ratio(code, records, flags_of, threshold):
    """A finding of ``code`` when the first/last RMS gradient ratio satisfies
    ``flags_of(ratio)`` for SUSTAINED_CHECKS checks in a row, else None."""
    found = _gradient_ratio(records)
    if found is None:
        return None
    steps, ratio, first_where, last_where = found
    run = _run(flags_of(ratio))
    if run is None:
        return None
    start, end = run
    value = float(np.median(ratio[start:end]))
    return make_finding(
        code, first_where,
        {"rms_ratio_first_to_last": value, "threshold": threshold,
         "last_layer": last_where, "checks": end - start},
        summary=f"The RMS gradient of {first_where} is {value:.3g} times that of "
                f"{last_where}.",
        step=int(steps[start]))


def vanishing_gradients(records):
    found = _sustained_ratio("vanishing-gradients", records,
                             lambda ratio: ratio < VANISHING_RATIO, VANISHING_RATIO)
    return ([] if found is None else [found]) + _vanishing_through_time(records)


def _vanishing_through_time(records):
    """Per recurrent layer: ||dL/dh_0|| / ||dL/dh_{T-1}|| (the last step's error followed
    back through time) past both thresholds on SUSTAINED_CHECKS checks in a row."""
    findings = []
    for where, entry in records.get("time_steps", {}).items():
        ratio = as_array(entry["ratio"])
        steps = np.array([len(norms) for norms in entry["norms"]], dtype=float)
        with np.errstate(all="ignore"):
            per_step = ratio ** (1.0 / np.maximum(steps - 1, 1))
        run = _run((ratio < TIME_VANISHING_RATIO) & (per_step < TIME_VANISHING_PER_STEP))
        if run is None:
            continue
        start, end = run
        value, factor = float(np.median(ratio[start:end])), float(np.median(per_step[start:end]))
        length = int(steps[start])
        findings.append(make_finding(
            "vanishing-gradients", where,
            {"ratio_first_to_last_step": value, "time_steps": length,
             "factor_per_step": factor, "threshold": TIME_VANISHING_RATIO,
             "per_step_threshold": TIME_VANISHING_PER_STEP, "checks": end - start},
            summary=f"{where}: the gradient of the last step's error reaching the first of "
                    f"{length} time steps is {value:.3g} times its size at the last step "
                    f"(x{factor:.2g} per step back in time).",
            step=int(entry["step"][start])))
    return findings


def exploding_gradients(records):
    found = _sustained_ratio("exploding-gradients", records,
                             lambda ratio: ratio > EXPLODING_RATIO, EXPLODING_RATIO)
    return [found] if found is not None else _growing_norm(records)


def _growing_norm(records):
    norms = records.get("global_grad_norm", {})
    steps, values = norms.get("step", []), as_array(norms.get("value", []))
    if len(values) < SUSTAINED_CHECKS:
        return []
    start_value = float(np.nanmedian(values[:3])) if np.isfinite(values[:3]).any() else math.nan
    if not start_value > 0:
        return []
    with np.errstate(all="ignore"):
        huge = values > EXPLODING_GROWTH * start_value
        doubled = np.concatenate([[False], values[1:] >= 2.0 * values[:-1]])
    start = first_run(huge, 3)
    evidence = None
    if start is not None:
        evidence = {"grad_norm": float(values[start]), "grad_norm_at_start": start_value,
                    "growth_threshold": EXPLODING_GROWTH}
    else:
        streak = first_run(doubled, DOUBLING_CHECKS)
        if streak is not None:
            end = run_end(doubled, streak)
            growth = float(values[end - 1] / values[streak - 1])
            if growth >= DOUBLING_GROWTH:
                start = streak
                evidence = {"grad_norm": float(values[end - 1]), "doublings_in_a_row": end - streak,
                            "growth": growth}
    if evidence is None:
        return []
    return [make_finding(
        "exploding-gradients", "training", evidence,
        summary=f"The global gradient norm grew from {start_value:.3g} to "
                f"{evidence['grad_norm']:.3g}.",
        step=int(steps[start]))]


def _ratios(entry):
    steps = np.asarray(entry["step"], dtype=float)
    keep = steps >= UPDATE_WARMUP_STEPS
    return steps[keep], as_array(entry["value"])[keep]


def _sustained_ratios(records, past_threshold):
    """``(name, first step, median ratio, checks)`` for each weight whose update/weight
    ratio is ``past_threshold`` (a function of the ratios) on SUSTAINED_CHECKS checks in
    a row; the median is taken over that first run."""
    for name, entry in records.get("update_ratio", {}).items():
        steps, values = _ratios(entry)
        flags = past_threshold(values)
        start = first_run(flags, SUSTAINED_CHECKS)
        if start is not None:
            end = run_end(flags, start)
            yield name, int(steps[start]), float(np.median(values[start:end])), end - start


def update_ratio_high(records):
    findings = []
    for name, step, value, checks in _sustained_ratios(
            records, lambda ratios: ratios > UPDATE_RATIO_HIGH):
        findings.append(make_finding(
            "update-ratio-high", name,
            {"update_ratio": value, "threshold": UPDATE_RATIO_HIGH, "checks": checks},
            summary=f"Each step changes {name} by {value:.2g} of its norm (about 1e-3 is "
                    f"healthy).",
            step=step))
    return findings


def update_ratio_low(records):
    # optimizer-not-updating: a larger learning rate would not help; lr-schedule-collapse:
    # the schedule made the updates small, it is what to fix
    if not_updating(records) is not None or lr_schedule_collapse(records):
        return []
    findings = []
    for name, step, value, checks in _sustained_ratios(
            records, lambda ratios: ratios < UPDATE_RATIO_LOW):
        if not loss_not_moving(records, from_step=step):  # since the small updates began
            continue
        if value == 0:  # no update at all (a dead layer, no gradient): not a small step
            continue
        findings.append(make_finding(
            "update-ratio-low", name,
            {"update_ratio": value, "threshold": UPDATE_RATIO_LOW, "checks": checks,
             "loss_change": loss_change(records)},
            summary=f"Each step changes {name} by only {value:.2g} of its norm and the "
                    f"loss does not move.",
            step=step))
    return findings
