"""Rule on the learning rate's course over the run: a schedule that collapsed it early.

The monitor records the rate at every step (``records["loss"]["lr"]``); a
scheduler meant to be stepped once per epoch but stepped after every batch
divides the rate by its decay factor many times an epoch.
"""

import numpy as np

from minnet.diagnostics.report.finding import make_finding
from minnet.diagnostics.rules.common import as_array, fall_and_noise, finite_losses, is_still

# lr-schedule-collapse: the learning rate fell 100x below its peak (two orders of
# magnitude: a step decay of 0.1 twice, or gamma=0.9 for 44 steps) within the first
# half of the run -- a cosine schedule over the run reaches lr/100 only at 94% of it,
# a StepLR(step_size=30 epochs) over 90 epochs at 67% -- and the loss did not improve
# after it (a schedule stepped per batch instead of per epoch).
COLLAPSE_FACTOR = 100.0
COLLAPSE_BY = 0.5  # fraction of the run's steps
COLLAPSE_MIN_AFTER = 20  # losses after the collapse, at least, to judge "did not improve"


def lr_schedule_collapse(records):
    loss = records.get("loss", {})
    lr = as_array(loss.get("lr", []))
    _, losses = finite_losses(records)
    if len(lr) < 2 * COLLAPSE_MIN_AFTER or not np.isfinite(lr).all() or lr.max() <= 0:
        return []
    peak = np.maximum.accumulate(lr)
    below = np.flatnonzero(lr * COLLAPSE_FACTOR <= peak)
    if not below.size:
        return []
    index = int(below[0])
    if (index > COLLAPSE_BY * len(lr) or lr[index:].max() * COLLAPSE_FACTOR > peak[index]
            or len(losses) - index < COLLAPSE_MIN_AFTER):
        return []
    after = losses[index:]
    half = len(after) // 2
    if not is_still(after[:half], after[half:]):
        return []
    steps = loss.get("step", [])
    step = int(steps[index]) if index < len(steps) else index
    fall, _ = fall_and_noise(after[:half], after[half:])
    evidence = {"lr_peak": float(peak[index]), "lr_end": float(lr[-1]),
                "step_below_peak_over_100": step, "fraction_of_run": index / len(lr),
                "steps": len(lr), "loss_fall_after": fall, "threshold": COLLAPSE_FACTOR}
    return [make_finding(
        "lr-schedule-collapse", "optimizer", evidence,
        summary=f"The learning rate fell from {peak[index]:.3g} to {lr[-1]:.3g}: below a "
                f"hundredth of its peak by step {step}, {index / len(lr):.0%} of the way into "
                f"the run, and the loss has not improved since. A schedule meant to be "
                f"stepped once per epoch is probably stepped after every batch.",
        step=step)]
