"""Every monitor rule fires on synthetic records that show its problem, and not on healthy ones."""

import math

import numpy as np
import pytest

from minnet.diagnostics.monitor.records import new_records
from minnet.diagnostics.rules import events as rules_events
from minnet.diagnostics.rules import layers as rules_layers
from minnet.diagnostics.rules import progress as rules_progress
from minnet.diagnostics.rules import run_rules
from minnet.diagnostics.rules import training as rules_training


def make_records(losses, *, task="multiclass", num_classes=3, accuracy=None, lr=0.1,
                 labels=True, rng=None):
    """Records of a run whose training losses are ``losses`` (one per step)."""
    records = new_records(task=task)
    records["info"]["num_classes"] = num_classes
    loss = records["loss"]
    rng = np.random.default_rng(0) if rng is None else rng
    for step, value in enumerate(losses):
        loss["step"].append(step)
        loss["train"].append(float(value))
        loss["data"].append(math.nan)
        loss["reg"].append(math.nan)
        loss["accuracy"].append(math.nan if accuracy is None else float(np.ravel(accuracy)[
            min(step, np.size(accuracy) - 1)]))
        loss["lr"].append(float(np.ravel(lr)[min(step, np.size(lr) - 1)]))
        loss["baseline"].append(math.nan)
        if labels:
            records["labels"]["step"].append(step)
            records["labels"]["counts"].append(
                np.bincount(rng.integers(0, num_classes, 32), minlength=num_classes))
    return records


def healthy_losses(steps=300, seed=0):
    rng = np.random.default_rng(seed)
    curve = 0.1 + 1.0 * np.exp(-np.arange(steps) / 60.0)
    return curve * (1 + 0.1 * rng.standard_normal(steps))


def check_steps(count, every=10, first=3):
    return [step for step in range(count * every) if step < first or step % every == 0][:count]


def codes(findings):
    return [finding.code for finding in findings]


def test_empty_records_give_no_findings():
    assert run_rules(new_records()) == []
    assert run_rules({}) == []


def test_a_healthy_run_gives_no_warning():
    records = make_records(healthy_losses(), accuracy=np.linspace(0.4, 0.95, 300))
    steps = check_steps(30)
    rng = np.random.default_rng(1)
    for name in ("0.weight", "2.weight"):
        records["update_ratio"][name] = {"step": steps, "value": list(10 ** rng.uniform(-3.5, -2.5,
                                                                                          30))}
    for where in ("0 (Linear)", "2 (Linear)"):
        records["grad_norm"][where] = {"step": steps, "value": list(rng.uniform(0.5, 1, 30)),
                                       "rms": list(rng.uniform(0.01, 0.02, 30)),
                                       "embedding": False}
    records["global_grad_norm"] = {"step": steps, "value": list(rng.uniform(0.5, 1.5, 30))}
    records["activations"]["1 (ReLU)"] = {"kind": "relu", "step": steps,
                                          "dead_fraction": [0.05] * 30,
                                          "saturated_fraction": [math.nan] * 30, "histogram": []}
    assert [f for f in run_rules(records) if f.severity != "info"] == []


# --- layers ------------------------------------------------------------------------

def activation_records(kind, key, values):
    records = new_records()
    other = "saturated_fraction" if key == "dead_fraction" else "dead_fraction"
    records["activations"]["1 (Layer)"] = {"kind": kind, "step": check_steps(len(values)),
                                           key: list(values), other: [math.nan] * len(values),
                                           "histogram": []}
    return records


def test_dead_relu_fires_when_sustained_only():
    found = rules_layers.dead_relu(activation_records("relu", "dead_fraction",
                                                      [0.1, 0.2, 0.9, 0.9, 0.9, 0.95, 0.9, 0.9]))
    assert codes(found) == ["dead-relu"]
    assert found[0].step == 2 and found[0].where == "1 (Layer)"
    assert found[0].evidence["dead_fraction"] > 0.5
    assert rules_layers.dead_relu(activation_records("relu", "dead_fraction",
                                                     [0.9, 0.9, 0.9, 0.9, 0.1, 0.9])) == []


def test_dead_relu_ignores_leaky_units():
    assert rules_layers.dead_relu(activation_records("relu-like", "dead_fraction",
                                                     [0.9] * 10)) == []


@pytest.mark.parametrize("kind", ["tanh", "sigmoid", "recurrent"])
def test_saturated_activation_fires(kind):
    found = rules_layers.saturated_activation(activation_records(kind, "saturated_fraction",
                                                                 [0.8] * 6))
    assert codes(found) == ["saturated-activation"]
    assert rules_layers.saturated_activation(activation_records(kind, "saturated_fraction",
                                                                [0.3] * 20)) == []


def gradient_records(first_rms, last_rms, embedding_first=False, count=8):
    records = new_records()
    steps = check_steps(count)
    layers = [("0 (Embedding)", [1.0] * count, True)] if embedding_first else []
    layers += [("1 (Linear)", [first_rms] * count, False), ("3 (Linear)", [last_rms] * count,
                                                              False)]
    for where, rms, embedding in layers:
        records["grad_norm"][where] = {"step": steps, "value": rms, "rms": rms,
                                       "embedding": embedding}
    return records


def test_vanishing_gradients_fires_on_a_tiny_first_layer_ratio():
    found = rules_layers.vanishing_gradients(gradient_records(1e-7, 1e-2))
    assert codes(found) == ["vanishing-gradients"] and found[0].where == "1 (Linear)"
    assert found[0].evidence["rms_ratio_first_to_last"] == pytest.approx(1e-5)
    assert rules_layers.vanishing_gradients(gradient_records(1e-3, 1e-2)) == []


def test_vanishing_gradients_skips_an_embedding_as_first_layer():
    found = rules_layers.vanishing_gradients(gradient_records(1e-7, 1e-2, embedding_first=True))
    assert found[0].where == "1 (Linear)"


def test_exploding_gradients_fires_on_the_layer_ratio():
    found = rules_layers.exploding_gradients(gradient_records(10.0, 0.01))
    assert codes(found) == ["exploding-gradients"]
    assert rules_layers.exploding_gradients(gradient_records(0.5, 0.1)) == []


@pytest.mark.parametrize("norms", [
    [1.0, 1.2, 0.9, 2e3, 5e3, 1e4, 2e4],  # huge against the start
    [1.0, 0.9, 1.1, 2.2, 4.5, 9.0, 18.5, 40.0, 90.0, 200.0],  # doubling check after check
])
def test_exploding_gradients_fires_on_a_growing_global_norm(norms):
    records = new_records()
    records["global_grad_norm"] = {"step": check_steps(len(norms)), "value": norms}
    assert codes(rules_layers.exploding_gradients(records)) == ["exploding-gradients"]


def test_a_global_norm_that_doubles_a_few_times_only_is_not_explosion():
    records = new_records()
    norms = [0.1, 0.2, 0.4, 0.8, 1.6, 1.5, 1.4, 1.2, 1.0]
    records["global_grad_norm"] = {"step": check_steps(len(norms)), "value": norms}
    assert rules_layers.exploding_gradients(records) == []


def ratio_records(values, losses, start=0):
    records = make_records(losses)
    steps = [start + 10 * index for index in range(len(values))]
    records["update_ratio"] = {"0.weight": {"step": steps, "value": list(values)},
                               "2.weight": {"step": steps, "value": list(values)}}
    return records


def test_update_ratio_high_fires_after_warmup_only():
    losses = healthy_losses()
    found = rules_layers.update_ratio_high(ratio_records([0.5] * 8, losses, start=10))
    assert codes(found) == ["update-ratio-high"] * 2 and found[0].step == 10
    # Adam's first steps move every weight by ~lr: not judged
    early = ratio_records([0.5] * 8, losses, start=0)
    for entry in early["update_ratio"].values():
        entry["step"] = list(range(8))
    assert rules_layers.update_ratio_high(early) == []


def test_update_ratio_low_and_lr_too_low_need_a_still_loss():
    still = 1.1 + 0.01 * np.random.default_rng(0).standard_normal(300)
    records = ratio_records([1e-7] * 20, still, start=10)
    assert codes(rules_layers.update_ratio_low(records)) == ["update-ratio-low"] * 2
    assert codes(rules_training.lr_too_low(records)) == ["lr-too-low"]
    moving = ratio_records([1e-7] * 20, healthy_losses(), start=10)
    assert rules_layers.update_ratio_low(moving) == []
    assert rules_training.lr_too_low(moving) == []


# --- the loss curves ---------------------------------------------------------------

def test_lr_too_high_fires_on_divergence():
    losses = np.concatenate([[1.1, 0.9, 0.8], np.geomspace(2, 500, 20)])
    found = rules_training.lr_too_high(make_records(losses))
    assert codes(found) == ["lr-too-high"]
    assert found[0].evidence["factor_threshold"] == 4.0 and found[0].step >= 3


def test_lr_too_high_ignores_small_wobbles_near_zero():
    losses = np.concatenate([healthy_losses(200) * 0 + np.geomspace(1.1, 0.005, 200),
                             np.full(30, 0.05)])  # 10x its best, far below the start
    assert rules_training.lr_too_high(make_records(losses)) == []


def test_lr_too_high_fires_when_the_loss_blows_up_to_nan():
    records = make_records([1.1, 1.0, 3.0, 40.0, math.nan])
    records["events"]["non_finite"] = {"step": [4], "kind": ["loss"], "where": ["2 (Linear)"],
                                       "value": [math.nan]}
    assert codes(rules_training.lr_too_high(records)) == ["lr-too-high"]


def test_lr_too_high_fires_on_large_update_ratios():
    records = ratio_records([0.4] * 10, healthy_losses(), start=10)
    found = rules_training.lr_too_high(records)
    assert codes(found) == ["lr-too-high"] and found[0].evidence["median_update_ratio"] == 0.4


def test_loss_plateau_fires_while_accuracy_is_low():
    rng = np.random.default_rng(0)
    flat = 1.1 + 0.02 * rng.standard_normal(300)
    found = rules_progress.loss_plateau(make_records(flat, accuracy=0.34))
    assert codes(found) == ["loss-plateau"]
    assert found[0].evidence["chance_accuracy"] < 0.5
    assert rules_progress.loss_plateau(make_records(flat, accuracy=0.95)) == []
    assert rules_progress.loss_plateau(make_records(healthy_losses(), accuracy=0.34)) == []


def test_loss_plateau_in_regression_compares_with_the_target_variance():
    flat = 2.0 + 0.02 * np.random.default_rng(0).standard_normal(300)
    records = make_records(flat, task="regression", labels=False)
    records["loss"]["baseline"] = [2.1] * 300
    assert codes(rules_progress.loss_plateau(records)) == ["loss-plateau"]
    records["loss"]["baseline"] = [20.0] * 300
    assert rules_progress.loss_plateau(records) == []


def with_validation(records, val):
    steps = np.linspace(0, len(records["loss"]["train"]) - 1, len(val)).astype(int)
    records["loss"]["val_step"] = list(steps)
    records["loss"]["val"] = list(val)
    records["loss"]["val_accuracy"] = [math.nan] * len(val)
    return records


def test_overfitting_fires_when_validation_rises_as_training_falls():
    losses = np.geomspace(1.1, 0.01, 300)
    val = np.concatenate([np.geomspace(1.1, 0.4, 8), np.linspace(0.45, 0.9, 8)])
    found = rules_progress.overfitting(with_validation(make_records(losses), val))
    assert codes(found) == ["overfitting"]
    assert found[0].evidence["best_val_loss"] == pytest.approx(0.4)
    falling = np.geomspace(1.1, 0.3, 16)
    assert rules_progress.overfitting(with_validation(make_records(losses), falling)) == []


def test_underfitting_fires_when_both_losses_stay_near_chance():
    rng = np.random.default_rng(0)
    train = np.concatenate([np.linspace(1.1, 0.95, 50), 0.95 + 0.01 * rng.standard_normal(250)])
    val = [1.1, 1.0, 0.98] + [0.97] * 12
    found = rules_progress.underfitting(with_validation(make_records(train), val))
    assert codes(found) == ["underfitting"]
    assert found[0].evidence["chance_loss"] == pytest.approx(math.log(3))
    good = with_validation(make_records(healthy_losses()), np.geomspace(1.1, 0.2, 15))
    assert rules_progress.underfitting(good) == []


def test_regularization_dominates_on_the_loss_parts():
    records = make_records([51.1] * 50)
    records["loss"]["data"] = [1.1] * 50
    records["loss"]["reg"] = [50.0] * 50
    found = rules_training.regularization_dominates(records)
    assert codes(found) == ["regularization-dominates"] and found[0].where == "loss"
    healthy = make_records([1.15] * 50)
    healthy["loss"]["data"] = list(np.geomspace(1.1, 0.01, 50))
    healthy["loss"]["reg"] = [0.05] * 50  # ends 5x the data loss, but the data loss fell
    assert rules_training.regularization_dominates(healthy) == []


def test_regularization_dominates_on_the_gradients_of_weight_decay():
    records = make_records([1.1] * 50)
    steps = check_steps(6)
    records["regularization"] = {"step": steps, "reg_grad_norm": [10.0] * 6,
                                 "data_grad_norm": [0.5] * 6}
    found = rules_training.regularization_dominates(records)
    assert codes(found) == ["regularization-dominates"] and found[0].where == "optimizer"
    records["regularization"]["reg_grad_norm"] = [0.1] * 6
    assert rules_training.regularization_dominates(records) == []


def test_no_lr_schedule_is_an_info_on_a_stalled_constant_rate():
    rng = np.random.default_rng(0)
    losses = np.concatenate([np.linspace(1.1, 0.5, 100), 0.5 + 0.01 * rng.standard_normal(200)])
    found = rules_training.no_lr_schedule(make_records(losses, lr=0.1))
    assert codes(found) == ["no-lr-schedule"] and found[0].severity == "info"
    decaying = make_records(losses, lr=np.geomspace(0.1, 0.001, 300))
    assert rules_training.no_lr_schedule(decaying) == []


# --- events --------------------------------------------------------------------------

def test_non_finite_names_the_first_event():
    records = new_records()
    records["events"]["non_finite"] = {"step": [7, 5], "kind": ["gradient", "loss"],
                                       "where": ["0 (Linear)", "3 (Log)"],
                                       "value": [math.inf, math.nan]}
    found = rules_events.non_finite(records)
    assert codes(found) == ["non-finite"]
    assert found[0].severity == "error" and found[0].where == "3 (Log)" and found[0].step == 5


def test_grads_not_zeroed_needs_consecutive_steps():
    records = new_records()
    records["events"]["grads_not_zeroed"] = {"step": [1, 2, 3, 4, 5]}
    records["global_grad_norm"] = {"step": [0, 1, 2, 10], "value": [1.0, 2.0, 3.0, 30.0]}
    found = rules_events.grads_not_zeroed(records)
    assert codes(found) == ["grads-not-zeroed"] and found[0].severity == "error"
    assert found[0].step == 1 and found[0].evidence["stale_grad_norm_growth"] == 1.5
    # accumulation over micro-batches: stale on every other step only
    records["events"]["grads_not_zeroed"] = {"step": [1, 3, 5, 7]}
    assert rules_events.grads_not_zeroed(records) == []


def test_eval_in_train_mode_fires_on_one_evaluation_pass():
    records = new_records()
    records["events"]["eval_in_train_mode"] = {"step": [40], "modules": ["2 (Dropout)"],
                                               "running_stats_changed": [False]}
    found = rules_events.eval_in_train_mode(records)
    assert codes(found) == ["eval-in-train-mode"] and found[0].where == "2 (Dropout)"


def label_records(batches):
    records = new_records()
    for step, labels in enumerate(batches):
        records["labels"]["step"].append(step)
        records["labels"]["counts"].append(np.bincount(labels, minlength=3))
    return records


def test_labels_sorted_no_shuffle_fires_on_one_class_batches():
    y = np.repeat(np.arange(3), 100)
    sorted_batches = [y[i:i + 32] for i in range(0, 300, 32)] * 2
    found = rules_events.labels_sorted_no_shuffle(label_records(sorted_batches))
    assert codes(found) == ["labels-sorted-no-shuffle"]
    assert found[0].evidence["ratio"] < 0.5
    shuffled = np.random.default_rng(0).permutation(y)
    mixed = [shuffled[i:i + 32] for i in range(0, 300, 32)] * 2
    assert rules_events.labels_sorted_no_shuffle(label_records(mixed)) == []


def test_labels_of_single_sample_batches_cannot_be_judged():
    y = np.repeat(np.arange(3), 10)
    assert rules_events.labels_sorted_no_shuffle(label_records([y[i:i + 1]
                                                                for i in range(30)])) == []


def test_softmax_before_loss_fires_when_the_loss_gets_probabilities():
    records = new_records()
    records["events"]["probability_checks"] = {"step": [0, 1, 2, 10], "row_sum_error": [1e-16] * 4}
    found = rules_events.softmax_before_loss(records)
    assert codes(found) == ["softmax-before-loss"] and found[0].severity == "error"
    records["events"]["probability_checks"]["row_sum_error"] = [math.nan] * 4
    assert rules_events.softmax_before_loss(records) == []


def test_lr_too_low_names_a_learning_rate_of_zero():
    still = 1.1 + 0.01 * np.random.default_rng(0).standard_normal(300)
    records = ratio_records([0.0] * 20, still, start=10)
    records["loss"]["lr"] = [0.0] * len(records["loss"]["step"])
    (finding,) = rules_training.lr_too_low(records)
    assert finding.evidence["lr"] == 0 and "learning rate is 0" in finding.explanation
