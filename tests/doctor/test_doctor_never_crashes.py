"""doctor() never crashes on the user's mistake: an error the setup raises becomes a finding.

A minnet bug still surfaces as an exception; so does a mistake in calling
doctor() itself (test_doctor_entry.py: a model that is not a Module, X and
y of different lengths raise ConfigError).
"""

import functools
import operator

import numpy as np
import pytest

from minnet.core import Module, Sequential
from minnet.data import spiral
from minnet.diagnostics import doctor
from minnet.diagnostics.data import checks
from minnet.diagnostics.report.finding import Report
from minnet.diagnostics.stage_errors import StageError, is_users_error, setup_error_findings
from minnet.errors import ShapeError
from minnet.layers import Linear, ReLU
from minnet.losses import CrossEntropyLoss, NLLLoss

STEPS = 20  # a short monitored run: these tests are about errors, not training


def spirals(seed=0):
    X, y = spiral(60, 3, rng=seed)
    return X, y


def mlp(inputs=2, outputs=3, seed=0):
    return Sequential(Linear(inputs, 16, rng=seed), ReLU(), Linear(16, outputs, rng=seed + 1))


def codes(report):
    return [f.code for f in report.problems()]


class Explodes(Module):
    """A custom layer that fails in forward, as a student's layer may. (N, d) -> (N, d)."""

    def forward(self, x):
        raise ValueError("Explodes: this custom layer always fails")

    def backward(self, grad_out):
        return grad_out


# --- one-hot targets ------------------------------------------------------------------

def test_integer_one_hot_targets_are_a_finding_not_a_crash():
    X, y = spirals()
    report = doctor(mlp(), CrossEntropyLoss(), X, np.eye(3, dtype=int)[y], steps=STEPS)
    [finding] = report.by_code("one-hot-targets")
    assert (finding.severity, finding.where) == ("error", "y")
    assert finding.evidence["shape"] == str((len(y), 3))
    assert "argmax(axis=1)" in finding.explanation + finding.fix
    assert "setup-error" not in codes(report)  # the one-hot finding already explains it
    assert "ShapeError" in " ".join(report.records["stage_errors"].values())


def test_float_one_hot_rows_as_wide_as_the_output_are_probabilities_and_pass():
    X, y = spirals()
    report = doctor(mlp(), CrossEntropyLoss(), X, np.eye(3)[y], steps=STEPS,
                    checks=("lint", "data"))
    assert "one-hot-targets" not in report.codes


def test_one_hot_rows_for_nll_loss_are_caught_even_as_floats():
    X, y = spirals()
    findings = checks.check_data(X, np.eye(3)[y], loss_fn=NLLLoss(), num_classes=3)
    assert [f.code for f in findings] == ["one-hot-targets"]


def test_class_indices_are_not_one_hot():
    X, y = spirals()
    assert checks.one_hot_targets("y", y, "CrossEntropyLoss", 3) == []
    soft = np.full((len(y), 3), 1 / 3)  # soft targets: not a single 1 per row
    assert checks.one_hot_targets("y", soft, "NLLLoss", 3) == []


# --- any error the setup raises ---------------------------------------------------------

def test_a_shape_mismatch_is_reported_and_the_other_stages_still_run():
    X, y = spirals()
    report = doctor(mlp(inputs=3), CrossEntropyLoss(), X * 1000, y, steps=STEPS)
    [finding] = report.by_code("setup-error")
    assert finding.severity == "error"
    assert finding.evidence["error"] == "ShapeError"
    assert "in_features=3" in finding.evidence["message"]
    assert finding.evidence["stages"] == "sanity, monitor"  # one finding for both stages
    assert "inputs-not-scaled" in report.codes  # the data checks ran all the same


def test_a_custom_layer_that_raises_is_reported():
    X, y = spirals()
    model = Sequential(Linear(2, 3, rng=0), Explodes())
    report = doctor(model, CrossEntropyLoss(), X + 100, y, steps=STEPS)
    [finding] = report.by_code("setup-error")
    assert finding.evidence["error"] == "ValueError"
    assert "custom layer always fails" in finding.evidence["message"]
    assert finding.evidence["stages"] == "sanity, monitor"
    assert "inputs-not-centered" in report.codes  # the data checks ran all the same


def test_a_bug_in_minnet_itself_is_raised(monkeypatch):
    # A TypeError raised inside minnet's own data checks (a builtin called with the wrong
    # arguments; no frame of the user's code is involved).
    monkeypatch.setattr(checks, "class_imbalance", functools.partial(operator.truediv, 1, 0))
    X, y = spirals()
    with pytest.raises(TypeError, match="truediv"):
        doctor(mlp(), CrossEntropyLoss(), X, y, steps=STEPS, checks=("data",))


def test_a_healthy_setup_has_no_setup_error():
    X, y = spirals()
    report = doctor(mlp(), CrossEntropyLoss(), X, y, steps=STEPS)
    assert "setup-error" not in report.codes
    assert "stage_errors" not in report.records


# --- whose error is it ---------------------------------------------------------------------

def _raised(function):
    try:
        function()
    except Exception as error:  # noqa: BLE001 - the error is the test's subject
        return error
    raise AssertionError("no error raised")


def test_whose_error_is_it():
    assert is_users_error(ShapeError("a minnet error, raised on purpose"))
    assert is_users_error(_raised(lambda: Explodes()(np.zeros((2, 2)))))  # this file: user code
    # raised by NumPy, called from minnet's own code: minnet's
    from minnet.diagnostics.data import inputs
    assert not is_users_error(_raised(lambda: inputs._feature_label(np.zeros((2, 3, 4)), 10**9)))
    assert not is_users_error(KeyboardInterrupt())


def test_setup_errors_are_grouped_and_explained_errors_left_out():
    errors = [StageError("sanity", ShapeError("expected (N, 3), got (237, 2)")),
              StageError("monitor", ShapeError("expected (N, 3), got (60, 2)")),
              StageError("monitor", ValueError("another"))]
    findings = setup_error_findings(errors, Report())
    assert [f.evidence["stages"] for f in findings] == ["sanity, monitor", "monitor"]
    explained = Report()
    explained.add(checks.one_hot_targets("y", np.eye(3, dtype=int), "CrossEntropyLoss", 3))
    assert setup_error_findings(errors, explained) == []
