"""Gradient check of the real model: it names the layer with a wrong backward, and
tolerates ReLU kinks and dropout."""

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.data.generators import spiral
from minnet.diagnostics.sanity.gradcheck import gradcheck_model, gradcheck_with_tally
from minnet.layers.activations import ReLU, Tanh
from minnet.layers.dropout import Dropout
from minnet.layers.linear import Linear
from minnet.losses import CrossEntropyLoss


@pytest.fixture(scope="module")
def spiral_data():
    return spiral(40, 3, rng=0)


@pytest.fixture(scope="module")
def mnist_data():
    from minnet.data.mnist1d import mnist1d

    data = mnist1d(num_samples=1000)
    return data.X_train, data.y_train


class CustomLinear(Module):
    """A hand-written dense layer; ``bug`` breaks its backward in one classic way."""

    def __init__(self, fan_in, fan_out, bug=None, seed=0):
        super().__init__()
        rng = np.random.default_rng(seed)
        self.weight = Parameter(rng.standard_normal((fan_out, fan_in)) * np.sqrt(2 / fan_in))
        self.bias = Parameter(np.zeros(fan_out))
        self.bug = bug

    def forward(self, x):
        self.x = x
        return x @ self.weight.data.T + self.bias.data

    def backward(self, grad_out):
        grad_weight = grad_out.T @ self.x
        if self.bug == "transposed":  # a square weight hides the shape error
            grad_weight = grad_weight.T
        if self.bug == "sign":
            grad_weight = -grad_weight
        if self.bug == "scale":  # 0.1% off: a small error, a warning
            grad_weight = grad_weight * 1.001
        if self.bug != "detached":  # nothing ever reaches the parameters
            self.weight.grad += grad_weight
            self.bias.grad += grad_out.sum(axis=0)
        grad_x = grad_out @ self.weight.data
        return -grad_x if self.bug == "input-sign" else grad_x


@pytest.mark.parametrize("bug, where", [("transposed", "2.weight"), ("sign", "2.weight"),
                                        ("detached", "2.weight"),
                                        ("input-sign", "2 (CustomLinear)")])
def test_gradcheck_names_the_custom_layer_with_a_wrong_backward(bug, where, mnist_data):
    X, y = mnist_data
    model = Sequential(Linear(40, 32, rng=0), ReLU(), CustomLinear(32, 32, bug), ReLU(),
                       Linear(32, 10, rng=1))
    findings = gradcheck_model(model, CrossEntropyLoss(), X, y)
    assert findings and {f.code for f in findings} == {"gradcheck-failed"}
    assert findings[0].severity == "error"
    assert findings[0].where == where
    evidence = findings[0].evidence
    assert evidence["layer"] == "2 (CustomLinear)"
    assert evidence["rel_error"] > 1e-2
    assert {"index", "analytic", "numeric"} <= set(evidence)
    if bug == "input-sign":  # the earlier Linear receives a wrong gradient, but is not blamed
        assert all(f.where.startswith("2") for f in findings)


class ForgetfulCrossEntropy(CrossEntropyLoss):
    """A user's loss whose backward forgets the mean's 1/N (N = 4, the check's batch)."""

    def backward(self):
        return 4 * super().backward()


def test_gradcheck_blames_a_loss_with_a_wrong_backward(spiral_data):
    X, y = spiral_data
    model = Sequential(Linear(2, 16, rng=0), ReLU(), Linear(16, 3, rng=1))
    findings = gradcheck_model(model, ForgetfulCrossEntropy(), X, y)
    assert [(f.code, f.severity, f.where) for f in findings] == [
        ("gradcheck-failed", "error", "loss")]
    assert findings[0].evidence["analytic"] == pytest.approx(4 * findings[0].evidence["numeric"])


def test_gradcheck_small_error_is_a_warning(mnist_data):
    X, y = mnist_data
    model = Sequential(CustomLinear(40, 40, "scale"), ReLU(), Linear(40, 10, rng=1))
    findings = gradcheck_model(model, CrossEntropyLoss(), X, y)
    assert [(f.code, f.severity, f.where) for f in findings] == [
        ("gradcheck-failed", "warning", "0.weight")]
    assert 1e-4 < findings[0].evidence["rel_error"] <= 1e-2


@pytest.mark.parametrize("first_row", [[0.0, 0.0], [3e-6, 0.0], [-4e-6, 1e-6]])
def test_gradcheck_tolerates_relu_kinks(first_row):
    # With zero biases, the first sample's pre-activations are exactly 0 (a kink: the
    # derivative differs on each side) or within 1e-5 of 0 (the central difference
    # with eps=1e-5 straddles the kink). Neither is a wrong backward.
    X = np.array([first_row, [1.0, -0.5], [-0.3, 0.8], [0.7, 0.2]])
    y = np.array([0, 1, 1, 0])
    model = Sequential(Linear(2, 8, rng=0), ReLU(), Linear(8, 2, rng=1))
    findings, tally = gradcheck_with_tally(model, CrossEntropyLoss(), X, y, coordinates=8)
    assert findings == []
    assert tally["checked"] >= 20
    if first_row == [0.0, 0.0]:
        assert tally["kinks_skipped"] > 0


def test_gradcheck_fixes_dropout_masks():
    X, y = spiral(20, 3, rng=1)
    model = Sequential(Linear(2, 32, rng=0), Tanh(), Dropout(0.5, rng=3),
                       Linear(32, 3, rng=1))
    findings, tally = gradcheck_with_tally(model, CrossEntropyLoss(), X, y)
    assert findings == [] and tally["checked"] >= 20 and tally["kinks_skipped"] == 0


def test_gradcheck_catches_a_backward_that_returns_nothing(mnist_data):
    X, y = mnist_data

    class NoInputGradient(CustomLinear):
        def backward(self, grad_out):
            super().backward(grad_out)

    model = Sequential(Linear(40, 32, rng=0), ReLU(), NoInputGradient(32, 10))
    findings = gradcheck_model(model, CrossEntropyLoss(), X, y)
    assert [(f.code, f.severity, f.where) for f in findings] == [
        ("gradcheck-failed", "error", "2 (NoInputGradient)")]
    assert "returns None" in findings[0].explanation
