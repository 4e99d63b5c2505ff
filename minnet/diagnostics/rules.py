"""The monitor's rules: from recorded statistics to findings.

``run_rules(records)`` applies every rule to the records a ``Monitor`` (or
``watch``, the fit callback, ``doctor``) gathered and returns the findings,
each with the step at which it was first detected. The rules live in four
files, by what they read:

- ``rules_events``: non-finite values, gradients not zeroed, evaluation in
  training mode, unshuffled batches, probabilities fed to a logits loss;
- ``rules_layers``: dead ReLUs, saturated tanh/sigmoid, vanishing and
  exploding gradients, update/weight ratios;
- ``rules_training``: learning rate too high or too low, regularization that
  dominates, no schedule;
- ``rules_progress``: loss plateau, overfitting, underfitting.

Thresholds are named constants in those files, each citing DIAGNOSTICS.md.
"""

import numpy as np

from minnet.diagnostics import rules_events, rules_layers, rules_progress, rules_training

RULES = (
    rules_events.non_finite,
    rules_events.softmax_before_loss,
    rules_events.grads_not_zeroed,
    rules_events.eval_in_train_mode,
    rules_events.labels_sorted_no_shuffle,
    rules_training.lr_too_high,
    rules_training.lr_too_low,
    rules_layers.update_ratio_high,
    rules_layers.update_ratio_low,
    rules_layers.dead_relu,
    rules_layers.saturated_activation,
    rules_layers.vanishing_gradients,
    rules_layers.exploding_gradients,
    rules_training.regularization_dominates,
    rules_progress.loss_plateau,
    rules_progress.overfitting,
    rules_progress.underfitting,
    rules_training.no_lr_schedule,
)


def run_rules(records):
    """Every rule's findings on ``records`` (a dict as built by ``monitor_records.new_records``)."""
    findings = []
    with np.errstate(all="ignore"):  # records of a diverged run hold NaN and Inf
        for rule in RULES:
            findings.extend(rule(records))
    return findings
