"""Rules that use evidence the doctor already holds: each fires on synthetic records that
show its problem, and stays quiet on healthy ones.

optimizer-not-updating and the gradient check (rules/updates.py), lr-schedule-collapse
(rules/schedule.py), lr-too-high before divergence (early SGD updates; ReLUs killed by
a step far above the range test's suggestion) and the windowed trends of
rules/common.py.
"""

import math

import numpy as np
import pytest
from test_rules import codes, healthy_losses, make_records

from minnet.diagnostics.rules import layers as rules_layers
from minnet.diagnostics.rules import run_rules
from minnet.diagnostics.rules import schedule as rules_schedule
from minnet.diagnostics.rules import training as rules_training
from minnet.diagnostics.rules import updates as rules_updates
from minnet.diagnostics.rules.common import loss_not_moving


def still_losses(steps=300, level=1.1, seed=0):
    return level + 0.01 * np.random.default_rng(seed).standard_normal(steps)


def with_updates(records, ratios, steps, names=("0.weight", "2.weight")):
    records["update_ratio"] = {name: {"step": list(steps), "value": list(ratios)}
                               for name in names}
    return records


def with_gradient_check(records, steps, backward, optimizer, stale=0.0, cosine=math.nan):
    count = len(steps)
    records["gradient_check"] = {
        "step": list(steps), "backward_norm": [backward] * count,
        "optimizer_norm": [optimizer] * count, "stale_norm": [stale] * count,
        "cosine": [cosine] * count}
    return records


CHECKS = [0, 1, 2, 10, 20, 30, 40, 50]


# --- optimizer-not-updating -------------------------------------------------------

def test_not_updating_fires_when_zero_updates_meet_non_zero_gradients():
    records = with_updates(make_records(still_losses()), [0.0] * 8, CHECKS)
    with_gradient_check(records, CHECKS, backward=1.3, optimizer=0.0)
    (finding,) = rules_updates.optimizer_not_updating(records)
    assert finding.code == "optimizer-not-updating" and finding.severity == "error"
    assert finding.step == 0 and finding.evidence["checks_without_update"] == 8
    assert finding.evidence["grad_norm_seen_by_optimizer"] == 0
    assert "zero_grad() is called between backward() and step()" in finding.explanation
    # the advice "raise the learning rate 10-100x" is not given
    found = codes(run_rules(records))
    assert "lr-too-low" not in found and "update-ratio-low" not in found


def test_not_updating_names_step_before_backward_and_another_copy():
    records = with_updates(make_records(still_losses()), [0.0] * 8, CHECKS)
    with_gradient_check(records, CHECKS, backward=1.3, optimizer=0.0)
    records["events"]["step_before_backward"] = {"step": [0]}
    (finding,) = rules_updates.optimizer_not_updating(records)
    assert "step() is called before backward()" in finding.explanation
    records = with_updates(make_records(still_losses()), [0.0] * 8, CHECKS)
    with_gradient_check(records, CHECKS, backward=1.3, optimizer=5.0, stale=4.0, cosine=0.3)
    records["info"].update(model_weights=3, model_weights_in_optimizer=0)
    found = run_rules(records)
    assert "grads-not-zeroed" not in codes(found)  # one mistake, one finding
    (finding,) = [f for f in found if f.code == "optimizer-not-updating"]
    assert "another copy of the model" in finding.explanation
    assert finding.evidence["model_weights_in_optimizer"] == "0 of 3"


def test_not_updating_is_quiet_on_small_updates_zero_gradients_or_a_zero_rate():
    records = with_updates(make_records(still_losses()), [1e-7] * 8, CHECKS)
    with_gradient_check(records, CHECKS, backward=1.3, optimizer=1.3, cosine=1.0)
    assert rules_updates.optimizer_not_updating(records) == []
    assert codes(rules_training.lr_too_low(records)) == ["lr-too-low"]  # small, not zero
    # a dead network: no weight gradient, nothing to update (dead-relu says why)
    records = with_updates(make_records(still_losses()), [0.0] * 8, CHECKS)
    with_gradient_check(records, CHECKS, backward=0.0, optimizer=0.0)
    assert rules_updates.optimizer_not_updating(records) == []
    assert rules_training.lr_too_low(records) == []
    assert rules_layers.update_ratio_low(records) == []
    # lr = 0 is lr-too-low's
    records = with_updates(make_records(still_losses(), lr=0.0), [0.0] * 8, CHECKS)
    with_gradient_check(records, CHECKS, backward=1.3, optimizer=1.3, cosine=1.0)
    assert rules_updates.optimizer_not_updating(records) == []
    assert codes(rules_training.lr_too_low(records)) == ["lr-too-low"]
    # two zero checks are not enough (a first Adam step with a zero gradient)
    records = with_updates(make_records(healthy_losses()), [0.0, 0.0] + [1e-3] * 6, CHECKS)
    with_gradient_check(records, CHECKS, backward=1.3, optimizer=1.3, cosine=1.0)
    assert rules_updates.optimizer_not_updating(records) == []


# --- grads-not-zeroed: the gradient check ---------------------------------------------

def test_stale_optimizer_gradients_fire_when_step_sees_more_than_backward_made():
    records = with_updates(make_records(healthy_losses()), [1e-3] * 8, CHECKS)
    with_gradient_check(records, CHECKS, backward=1.0, optimizer=3.0, stale=2.5, cosine=0.99)
    (finding,) = rules_updates.stale_optimizer_gradients(records)
    assert finding.code == "grads-not-zeroed" and finding.severity == "error"
    assert finding.evidence["stale_over_fresh_gradient"] == 2.5
    # the first signal already fired: the mistake is reported once
    records["events"]["grads_not_zeroed"]["step"] = list(range(1, 30))
    assert rules_updates.stale_optimizer_gradients(records) == []


def test_stale_optimizer_gradients_quiet_on_clipping_and_fresh_gradients():
    records = with_updates(make_records(healthy_losses()), [1e-3] * 8, CHECKS)
    # clipping changes the gradient step() sees, but nothing was there before backward
    with_gradient_check(records, CHECKS, backward=5.0, optimizer=1.0, cosine=0.9)
    assert rules_updates.stale_optimizer_gradients(records) == []
    # round-off-sized leftovers are not stale gradients
    with_gradient_check(records, CHECKS, backward=5.0, optimizer=5.0, stale=1e-3, cosine=1.0)
    assert rules_updates.stale_optimizer_gradients(records) == []


# --- lr-schedule-collapse -------------------------------------------------------------

def frozen_after(steps=160, collapse=44, seed=0):
    """A loss that falls until ``collapse`` and then stays where it was."""
    rng = np.random.default_rng(seed)
    curve = 0.5 + 0.6 * np.exp(-np.minimum(np.arange(steps), collapse) / 15.0)
    return curve * (1 + 0.02 * rng.standard_normal(steps))


def test_lr_schedule_collapse_fires_on_a_per_batch_decay():
    lr = 1e-2 * 0.9 ** np.arange(160)  # ExponentialLR(gamma=0.9) stepped every batch
    records = make_records(frozen_after(), lr=lr)
    (finding,) = rules_schedule.lr_schedule_collapse(records)
    assert finding.code == "lr-schedule-collapse" and finding.step == 44
    assert finding.evidence["lr_peak"] == 1e-2 and finding.evidence["lr_end"] < 1e-8
    assert "from 0.01" in finding.explanation and "step 44" in finding.explanation
    # the rate it collapsed to is not "too low" from the user's choice
    assert rules_training.lr_too_low(records) == []


def test_lr_schedule_collapse_quiet_on_a_cosine_over_the_run_and_a_warmup():
    steps = 300
    cosine = 1e-2 * 0.5 * (1 + np.cos(np.pi * np.arange(steps) / steps))
    records = make_records(healthy_losses(steps), lr=cosine)
    assert rules_schedule.lr_schedule_collapse(records) == []
    # the same cosine with a frozen loss: the collapse comes at 94% of the run, too late
    assert rules_schedule.lr_schedule_collapse(make_records(still_losses(steps),
                                                            lr=cosine)) == []
    warmup = np.minimum(1e-2, 1e-5 * 1.1 ** np.arange(steps))  # rises: never a collapse
    assert rules_schedule.lr_schedule_collapse(make_records(still_losses(steps),
                                                            lr=warmup)) == []
    # an early collapse after which the loss keeps falling is not judged a problem
    lr = 1e-2 * 0.9 ** np.arange(steps)
    assert rules_schedule.lr_schedule_collapse(make_records(healthy_losses(steps),
                                                            lr=lr)) == []


# --- lr-too-high before divergence ------------------------------------------------------

def test_lr_too_high_on_huge_first_sgd_updates_only():
    records = with_updates(make_records(healthy_losses()), [0.9, 2.0, 5.0] + [1e-3] * 5,
                           CHECKS)
    records["info"]["optimizer"] = "SGD"
    (finding,) = rules_training.lr_too_high(records)
    assert finding.step == 0 and finding.evidence["median_update_ratio_first_checks"] == 2.0
    records["info"]["optimizer"] = "Adam"  # Adam's first steps are ~lr whatever the weights
    assert rules_training.lr_too_high(records) == []
    records = with_updates(make_records(healthy_losses()), [0.03, 0.07, 0.09] + [1e-3] * 5,
                           CHECKS)
    records["info"]["optimizer"] = "SGD"  # the zoo's healthy SGD runs: below 0.1
    assert rules_training.lr_too_high(records) == []


def dead_records(dead_fractions, over_suggested):
    records = make_records(healthy_losses())
    steps = [5 * index for index in range(len(dead_fractions))]
    records["activations"] = {"1 (ReLU)": {
        "kind": "relu", "step": steps, "dead_fraction": list(dead_fractions),
        "saturated_fraction": [0.0] * len(steps), "histogram": []}}
    records["lr_range"] = {"user_lr": 1.0, "suggested_lr": 1.0 / over_suggested,
                           "lr_over_suggested": over_suggested}
    return records


def test_lr_too_high_blames_the_step_for_relus_that_died_during_the_run():
    died = [0.0, 0.1, 0.3] + [0.8] * 10
    (finding,) = rules_training.lr_too_high(dead_records(died, 13.5))
    assert finding.evidence["factor"] == 13.5 and finding.evidence["layers_died"] == "1 (ReLU)"
    assert finding.step == 15  # when dead-relu's sustained run began
    # a usual rate: dead units are dead-relu's alone
    assert rules_training.lr_too_high(dead_records(died, 3.0)) == []
    # dead from the first check (a bad init, not a step): not the step's fault
    assert rules_training.lr_too_high(dead_records([0.8] * 13, 13.5)) == []


# --- windows ------------------------------------------------------------------------------

def test_a_loss_that_freezes_partway_is_not_moving_since_then():
    losses = frozen_after(300, collapse=40)
    records = make_records(losses)
    assert not loss_not_moving(records)  # over the whole run it moved
    assert loss_not_moving(records, from_step=60)
    assert not loss_not_moving(records, from_step=0)
    assert not loss_not_moving(make_records(healthy_losses()), from_step=150)
    # converged near zero: small steps are expected, it moved
    converged = np.concatenate([np.geomspace(1.1, 0.01, 60), np.full(240, 0.01)])
    assert not loss_not_moving(make_records(converged), from_step=100)


def test_lr_too_low_and_update_ratio_low_see_a_freeze_partway_through():
    losses = frozen_after(300, collapse=40)
    steps = [10 * index for index in range(30)]
    ratios = [1e-3] * 6 + [1e-7] * 24  # the updates became tiny at step 60
    records = with_updates(make_records(losses), ratios, steps)
    (finding,) = rules_training.lr_too_low(records)
    assert finding.step == 60
    assert codes(rules_layers.update_ratio_low(records)) == ["update-ratio-low"] * 2
    # the end of a schedule that annealed the rate: small steps by design
    lr = np.where(np.arange(300) < 60, 0.1, 1e-4)
    records = with_updates(make_records(losses, lr=lr), ratios, steps)
    assert rules_training.lr_too_low(records) == []
    assert rules_layers.update_ratio_low(records) == []


def test_lr_too_high_sees_a_late_divergence():
    rng = np.random.default_rng(0)
    fall = np.geomspace(1.1, 0.1, 200) * (1 + 0.05 * rng.standard_normal(200))
    late = np.linspace(0.1, 1.2, 100)  # back to its start in the last third, not 1.5x it
    (finding,) = rules_training.lr_too_high(make_records(np.concatenate([fall, late])))
    assert finding.step > 200
    # a loss near zero that wobbles up gives back little of its progress
    wobble = np.concatenate([fall, 0.1 + 0.3 * np.abs(np.sin(np.arange(100) / 5))])
    assert rules_training.lr_too_high(make_records(wobble)) == []


def test_a_penalty_above_1_2x_the_data_loss_dominates_and_below_it_does_not():
    """L2 0.1 on the residual MNIST-1D MLP starts at 1.5x its data loss (zoo
    l2-x1000-residual-mnist1d); the healthy L2 runs stay below 0.8x."""
    from minnet.diagnostics.rules.training import regularization_dominates

    def with_penalty(ratio, steps=60):
        records = make_records(still_losses(steps, level=2.3))
        data = records["loss"]["train"]
        records["loss"]["data"] = list(data)
        records["loss"]["reg"] = [ratio * value for value in data]
        return records

    (finding,) = regularization_dominates(with_penalty(1.5))
    assert finding.evidence["reg_over_data_loss"] == pytest.approx(1.5)
    assert regularization_dominates(with_penalty(0.8)) == []
