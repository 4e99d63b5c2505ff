"""The monitor's rules: from recorded statistics to findings.

``run_rules(records)`` applies every rule to the records a ``Monitor`` (or
``watch``, the fit callback, ``doctor``) gathered and returns the findings,
each with the step at which it was first detected. The rules live in four
files, by what they read (``common`` holds what they share):

- ``events``: non-finite values, gradients not zeroed, evaluation in
  training mode, unshuffled batches, probabilities fed to a logits loss;
- ``layers``: dead ReLUs, saturated tanh/sigmoid, vanishing and
  exploding gradients, update/weight ratios;
- ``training``: learning rate too high or too low, regularization that
  dominates, no schedule;
- ``progress``: loss plateau, overfitting, underfitting;
- ``updates``: an optimizer that does not update the model, or uses stale gradients;
- ``schedule``: a learning-rate schedule that collapsed the rate early in the run.

Thresholds are named constants in those files, each beside the rule that uses it;
the catalog (docs/doctor-catalog.md) gives each code's threshold and its source.
"""

import numpy as np

from minnet.diagnostics.rules import events, layers, progress, schedule, training, updates

RULES = (
    events.non_finite,
    events.softmax_before_loss,
    events.grads_not_zeroed,
    events.eval_in_train_mode,
    events.labels_sorted_no_shuffle,
    training.lr_too_high,
    training.lr_too_low,
    layers.update_ratio_high,
    layers.update_ratio_low,
    layers.dead_relu,
    layers.saturated_activation,
    layers.vanishing_gradients,
    layers.exploding_gradients,
    training.regularization_dominates,
    progress.loss_plateau,
    progress.overfitting,
    progress.underfitting,
    training.no_lr_schedule,
    updates.optimizer_not_updating,
    updates.stale_optimizer_gradients,
    schedule.lr_schedule_collapse,
    events.train_in_eval_mode,
)


def run_rules(records):
    """Every rule's findings on ``records`` (as ``monitor.records.new_records`` lays them out)."""
    findings = []
    with np.errstate(all="ignore"):  # records of a diverged run hold NaN and Inf
        for rule in RULES:
            findings.extend(rule(records))
    return findings
