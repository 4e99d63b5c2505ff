"""Fixes and severities that fit the setup: no generic advice that contradicts it.

Each test would fail on the doctor's old text: "use He init" told to a ReLU
network built with He init, "2.30 for 10 classes" on a 4-class problem, a
rate 70x above the range test's suggestion passed over in silence, and
warnings for a run that was only too short or a model that fits its data.
"""

import math

import numpy as np
import pytest
from doctor_helpers import mlp

from minnet.core import Sequential
from minnet.data.generators import spiral
from minnet.diagnostics.catalog import CATALOG
from minnet.diagnostics.lint import lint
from minnet.diagnostics.monitor.records import new_records
from minnet.diagnostics.rules import layers as rules_layers
from minnet.diagnostics.rules import progress as rules_progress
from minnet.diagnostics.sanity import initial_loss_check
from minnet.diagnostics.sanity.initial_loss import LOW_LOSS_FIX
from minnet.diagnostics.sanity.lr_range import ABOVE_SUGGESTION_FACTOR, lr_range_test
from minnet.layers.activations import Tanh
from minnet.layers.linear import Linear
from minnet.layers.recurrent import RNN
from minnet.losses import CrossEntropyLoss
from minnet.optim import SGD

# --- weight-scale-skew: a redraw at the scale the activation needs ----------------------


def skews(model):
    return [f for f in lint(model) if f.code == "weight-scale-skew"]


@pytest.mark.parametrize("scale, factor", [(10.0, "* 10"), (0.01, "* 0.01")])
def test_a_relu_he_network_scaled_by_hand_is_told_to_redraw_not_to_use_he(scale, factor):
    model = mlp([20, 64, 64, 3], init="he", scale=scale)
    found = skews(model)
    assert found, "the scaled weights must be flagged"
    hidden = next(f for f in found if f.where == "0.weight")
    assert hidden.fix != CATALOG["weight-scale-skew"].fix
    assert "Use the initializer that matches the activation" not in hidden.fix
    assert "model[0].weight.data[...] = minnet.init.kaiming_normal(model[0].weight.shape)" \
        in hidden.fix
    assert f"std {np.sqrt(2 / 20):.2g}" in hidden.fix and f"`{factor}`" in hidden.fix


def test_a_tanh_layer_is_told_glorot_and_the_code_runs():
    model = mlp([20, 64, 3], activation=Tanh, init="xavier", scale=10.0)
    hidden = next(f for f in skews(model) if f.where == "0.weight")
    assert "minnet.init.xavier_normal(model[0].weight.shape)" in hidden.fix
    import minnet  # noqa: F401  (the fix's code refers to minnet.init)

    exec("model[0].weight.data[...] = minnet.init.xavier_normal(model[0].weight.shape)",
         {"model": model, "minnet": minnet})
    assert not [f for f in skews(model) if f.where == "0.weight"]


def test_a_recurrent_weight_is_told_orthogonal_at_one_over_sqrt_h():
    rnn = RNN(2, 16, rng=0)
    rnn.weight_hh_l0.data[...] = np.random.default_rng(0).standard_normal((16, 16))
    found = skews(Sequential(rnn, Linear(16, 1)))
    hidden = next(f for f in found if f.where == "0.weight_hh_l0")
    assert "minnet.init.orthogonal(model[0].weight_hh_l0.shape)" in hidden.fix
    assert "1/sqrt(H) = 0.25" in hidden.fix


def test_merged_layers_share_one_copy_of_the_common_advice():
    from minnet.diagnostics.report.finding import Report

    report = Report(skews(mlp([20, 64, 64, 64, 3], init="he", scale=10.0)))
    (merged,) = report.by_code("weight-scale-skew")
    assert merged.fix.count('If the layer was created with init="he"') == 1
    assert merged.fix.count("kaiming_normal") == len(merged.parts) - 1  # the output: LeCun


# --- initial-loss-off: ln C for this C --------------------------------------------------


def four_class_data():
    X, y = spiral(60, 4, rng=0)
    return (X - X.mean(axis=0)) / X.std(axis=0), y


def test_initial_loss_names_ln_c_of_this_problem_not_ten_classes():
    X, y = four_class_data()
    (found,) = initial_loss_check(mlp([2, 64, 64, 4], scale=10.0), CrossEntropyLoss(), X, y)
    assert "ln 4 = 1.39" in found.explanation
    assert "10 classes" not in found.explanation and "2.30" not in found.explanation
    assert found.fix == CATALOG["initial-loss-off"].fix  # too high: start the last layer small


def test_a_loss_too_low_at_step_0_is_not_told_to_shrink_the_last_layer():
    y = np.arange(300) % 4
    X = 20.0 * np.eye(4)[y]
    model = Sequential(Linear(4, 4))
    model[0].weight.data[:] = np.eye(4)
    (found,) = initial_loss_check(model, CrossEntropyLoss(), X, y)
    assert found.fix == LOW_LOSS_FIX and "model[-1].weight.data *= 0.1" not in found.fix
    assert "ln 4 = 1.39" in found.explanation


# --- the range test's hint: how far above the suggestion --------------------------------


def test_a_rate_far_above_the_suggestion_says_how_far():
    X, y = four_class_data()
    model = mlp([2, 64, 4])
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    findings, records = lr_range_test(model, CrossEntropyLoss(), X, y, optimizer, rng=0)
    factor = 0.1 / records["lr_range"]["suggested_lr"]
    assert factor > ABOVE_SUGGESTION_FACTOR, "the setup must sit far above the suggestion"
    (found,) = findings
    assert (found.code, found.severity) == ("lr-too-high", "info")
    assert f"{factor:.0f}x above" in found.explanation
    assert found.evidence["times_suggested"] == pytest.approx(factor)
    calm = SGD(model.parameters(), lr=records["lr_range"]["suggested_lr"])
    assert lr_range_test(model, CrossEntropyLoss(), X, y, calm, rng=0)[0] == []


# --- severity calibrated: too short to judge, dead units on a fitted model ---------------


def loss_records(train, val, *, val_accuracy=math.nan, num_classes=3):
    records = new_records(task="multiclass")
    records["info"]["num_classes"] = num_classes
    loss = records["loss"]
    for step, value in enumerate(train):
        for key, entry in (("step", step), ("train", float(value)), ("data", math.nan),
                           ("reg", math.nan), ("accuracy", math.nan), ("lr", 0.1),
                           ("baseline", math.nan)):
            loss[key].append(entry)
    loss["val_step"] = list(np.linspace(0, len(train) - 1, len(val)).astype(int))
    loss["val"] = list(val)
    loss["val_accuracy"] = [val_accuracy] * len(val)
    return records


def test_underfitting_on_a_loss_still_falling_is_info_and_says_the_run_was_too_short():
    rng = np.random.default_rng(0)
    # creeping down toward chance (ln 3 = 1.10) from a bad start, steadily: 0.05% per step,
    # 0.75% per window of 15 steps; flat to 5% over the last third, as the rule asks
    train = 1.3 * np.exp(-np.arange(300) / 2000) * (1 + 0.01 * rng.standard_normal(300))
    val = 1.3 * np.exp(-np.linspace(0, 300, 15) / 2000)
    (found,) = rules_progress.underfitting(loss_records(train, val))
    assert found.severity == "info"
    assert "too short to judge" in found.explanation
    rate = found.evidence["fall_per_window"]
    assert rate > rules_progress.STILL_FALLING_RATE
    assert f"still falling by {rate:.1%} per window" in found.explanation
    assert found.fix.startswith("Train longer") and "steps=600" in found.fix


def test_underfitting_on_a_flat_loss_stays_a_warning():
    rng = np.random.default_rng(0)
    train = np.concatenate([np.linspace(1.1, 0.95, 50), 0.95 + 0.01 * rng.standard_normal(250)])
    (found,) = rules_progress.underfitting(loss_records(train, [1.1, 1.0, 0.98] + [0.97] * 12))
    assert found.severity == "warning" and "fall_per_window" not in found.evidence
    assert found.fix == CATALOG["underfitting"].fix


def dead_records(val_accuracy, train=None):
    records = loss_records(train if train is not None else [1.0] * 60, [1.0] * 8,
                           val_accuracy=val_accuracy)
    values = [0.9] * 8
    records["activations"]["1 (ReLU)"] = {"kind": "relu", "step": [0, 1, 2, 10, 20, 30, 40, 50],
                                          "dead_fraction": values,
                                          "saturated_fraction": [math.nan] * 8, "histogram": []}
    return records


def test_dead_relu_on_a_model_at_full_validation_accuracy_is_info():
    (found,) = rules_layers.dead_relu(dead_records(val_accuracy=1.0))
    assert found.severity == "info" and found.evidence["validation_accuracy"] == 1.0
    assert "reached 100% validation accuracy" in found.explanation


def test_dead_relu_on_a_model_whose_loss_fell_near_zero_is_info():
    train = np.geomspace(1.1, 0.01, 60)
    (found,) = rules_layers.dead_relu(dead_records(val_accuracy=0.5, train=train))
    assert found.severity == "info" and found.evidence["final_loss_over_chance"] < 0.1


def test_dead_relu_on_a_model_that_does_not_learn_stays_a_warning():
    (found,) = rules_layers.dead_relu(dead_records(val_accuracy=0.34))
    assert found.severity == "warning" and "validation_accuracy" not in found.evidence
