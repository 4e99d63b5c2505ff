"""Lint of the output and its loss, and of dropout rates: each rule fires on its
broken setup and stays silent on the right one.

Codes: ``relu-before-loss`` (and ``softmax-before-loss`` for Sigmoid, from the
same rule), ``dropout-too-high``, ``sigmoid-mse-classification``.
"""

import numpy as np
import pytest
from doctor_helpers import codes

from minnet.core import Sequential
from minnet.diagnostics import doctor
from minnet.diagnostics.lint import lint
from minnet.layers.activations import ReLU, Sigmoid, Softmax, Tanh
from minnet.layers.dropout import Dropout, Dropout2d
from minnet.layers.linear import Linear
from minnet.layers.reshape import Flatten
from minnet.losses import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    RegularizedLoss,
)


def head(*last, width=3):
    """Linear(4, 8) -> ReLU -> Linear(8, width) -> ``last`` layers."""
    return Sequential(Linear(4, 8, rng=0), ReLU(), Linear(8, width, rng=1), *last)


# --- an activation right before a loss that takes logits ---------------------------------

@pytest.mark.parametrize("loss_fn", [CrossEntropyLoss(), BCEWithLogitsLoss(),
                                     RegularizedLoss(CrossEntropyLoss(), Linear(2, 2), l2=1e-4)])
def test_relu_before_a_logits_loss_is_an_error(loss_fn):
    [finding] = lint(head(ReLU()), loss_fn)
    loss_name = "CrossEntropyLoss" if not isinstance(loss_fn, BCEWithLogitsLoss) \
        else "BCEWithLogitsLoss"
    assert (finding.code, finding.severity, finding.where) == ("relu-before-loss", "error",
                                                               "3 (ReLU)")
    assert finding.evidence == {"last_layer": "ReLU", "loss": loss_name}
    assert "negative" in finding.explanation


def test_relu_found_through_nesting_and_trailing_reshapes():
    model = Sequential(Linear(4, 8, rng=0), Tanh(), Sequential(Linear(8, 3, rng=1), ReLU()),
                       Flatten())
    [finding] = lint(model, CrossEntropyLoss())
    assert (finding.code, finding.where) == ("relu-before-loss", "2.1 (ReLU)")


@pytest.mark.parametrize("last, code", [(Sigmoid(), "softmax-before-loss"),
                                        (Softmax(), "softmax-before-loss"),
                                        (ReLU(), "relu-before-loss")])
def test_one_rule_names_the_activation_it_found(last, code):
    [finding] = lint(head(last), BCEWithLogitsLoss())
    assert finding.code == code
    assert finding.evidence["last_layer"] == type(last).__name__


@pytest.mark.parametrize("model, loss_fn", [
    (head(), CrossEntropyLoss()),                  # logits, the right way
    (head(width=1), BCEWithLogitsLoss()),
    (head(Sigmoid(), width=1), BCELoss()),         # probabilities to a loss on probabilities
    (head(ReLU(), width=1), MSELoss()),            # a non-negative regression output
    (head(ReLU()), None),
])
def test_output_activations_that_fit_their_loss_are_silent(model, loss_fn):
    assert codes(lint(model, loss_fn)) == []


# --- dropout-too-high ----------------------------------------------------------------------

@pytest.mark.parametrize("layer", [Dropout(0.9), Dropout(0.95), Dropout2d(0.99)])
def test_dropout_of_at_least_0_9_is_a_warning(layer):
    model = Sequential(Linear(4, 8, rng=0), ReLU(), layer, Linear(8, 3, rng=1))
    [finding] = lint(model, CrossEntropyLoss())
    assert (finding.code, finding.severity, finding.where) == (
        "dropout-too-high", "warning", f"2 ({type(layer).__name__})")
    assert finding.evidence == {"p": layer.p, "kept": pytest.approx(1 - layer.p)}


def test_dropout_too_high_is_found_anywhere_in_the_model():
    model = Sequential(Linear(4, 8, rng=0), ReLU(),
                       Sequential(Dropout(0.5), Linear(8, 8, rng=1), ReLU(), Dropout(0.9)),
                       Linear(8, 3, rng=2))
    assert [(f.code, f.where) for f in lint(model)] == [("dropout-too-high", "2.3 (Dropout)")]


@pytest.mark.parametrize("p", [0.0, 0.2, 0.5, 0.8, 0.89])
def test_usual_dropout_rates_are_silent(p):
    model = Sequential(Linear(4, 8, rng=0), ReLU(), Dropout(p), Linear(8, 3, rng=1))
    assert codes(lint(model, CrossEntropyLoss())) == []


# --- sigmoid-mse-classification -----------------------------------------------------------

CLASS_TARGETS = {
    "integer labels": np.array([0, 1, 1, 0, 1]),
    "0/1 floats": np.array([[0.0], [1.0], [1.0], [0.0]]),
    "booleans": np.array([True, False, True]),
    "one-hot": np.eye(3)[[0, 2, 1, 1]],
}


@pytest.mark.parametrize("name", sorted(CLASS_TARGETS))
def test_sigmoid_output_with_mse_on_class_targets_is_a_warning(name):
    y = CLASS_TARGETS[name]
    [finding] = lint(head(Sigmoid(), width=1), MSELoss(), y=y)
    assert (finding.code, finding.severity, finding.where) == (
        "sigmoid-mse-classification", "warning", "3 (Sigmoid)")
    assert finding.evidence["loss"] == "MSELoss"
    assert "BCEWithLogitsLoss" in finding.fix


def test_sigmoid_mse_is_seen_through_a_regularized_loss():
    model = head(Sigmoid(), width=1)
    loss_fn = RegularizedLoss(MSELoss(), model, l2=1e-4)
    assert codes(lint(model, loss_fn, y=np.array([0, 1]))) == ["sigmoid-mse-classification"]


@pytest.mark.parametrize("model, loss_fn, y", [
    (head(Sigmoid(), width=1), MSELoss(), np.array([0.2, 0.7, 0.5])),    # a regression in [0, 1]
    (head(Sigmoid(), width=1), MSELoss(), None),                          # targets unknown
    (head(Sigmoid(), width=1), BCELoss(), np.array([0, 1, 1])),           # the right loss
    (head(width=1), MSELoss(), np.array([0.0, 1.0])),                     # no sigmoid
    (head(Sigmoid(), width=1), L1Loss(), np.array([0.3, 0.9])),
    (head(Sigmoid(), width=1), MSELoss(), np.array([], dtype=np.int64)),  # nothing to judge
])
def test_sigmoid_with_mse_on_a_regression_target_is_silent(model, loss_fn, y):
    assert codes(lint(model, loss_fn, y=y)) == []


def test_the_doctor_gives_the_targets_to_lint():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((32, 4))
    y = (X[:, :1] > 0).astype(np.float64)
    report = doctor(head(Sigmoid(), width=1), MSELoss(), X, y, checks=("lint",))
    assert [f.code for f in report.findings] == ["sigmoid-mse-classification"]
    report = doctor(head(Sigmoid(), width=1), MSELoss(), X, 1 / (1 + np.exp(-X[:, :1])),
                    checks=("lint",))
    assert report.findings == []
