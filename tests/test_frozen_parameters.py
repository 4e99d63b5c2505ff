"""requires_grad=False, parameters no backward reached, and an optimizer of another model."""

import numpy as np
import pytest

import minnet as mn
from minnet.core import Module, Parameter, Sequential
from minnet.errors import ConfigError, GradcheckError
from minnet.layers import (
    GRU,
    BatchNorm1d,
    Conv1d,
    Embedding,
    LayerNorm,
    Linear,
    ReLU,
    weight_norm,
)
from minnet.optim import SGD, Adam, AdamW, RMSprop


@pytest.mark.parametrize("make, x", [
    (lambda: Linear(3, 2, rng=0), np.ones((4, 3))),
    (lambda: Conv1d(2, 3, 3, rng=0), np.ones((2, 2, 5))),
    (lambda: BatchNorm1d(3), np.arange(12.0).reshape(4, 3)),
    (lambda: LayerNorm(3), np.arange(12.0).reshape(4, 3)),
    (lambda: Embedding(5, 2, rng=0), np.array([[1, 2], [3, 1]])),
    (lambda: GRU(3, 2, rng=0), np.ones((2, 4, 3))),
    (lambda: weight_norm(Linear(3, 2, rng=0)), np.ones((4, 3))),
], ids=["Linear", "Conv1d", "BatchNorm1d", "LayerNorm", "Embedding", "GRU", "weight_norm"])
def test_a_frozen_parameter_accumulates_nothing(make, x, rng):
    layer = make()
    frozen, *trainable = layer.parameters()
    frozen.requires_grad = False
    out = layer(x)
    layer.backward(rng.standard_normal(out.shape))
    assert not frozen.grad.any() and not frozen.has_grad
    assert all(param.has_grad for param in trainable)


def test_requires_grad_must_be_a_bool():
    with pytest.raises(ConfigError, match="requires_grad must be a bool, got 'no'"):
        Parameter(np.ones(2)).requires_grad = "no"
    assert "requires_grad=False" in repr(Parameter(np.ones(2), requires_grad=False))


@pytest.mark.parametrize("make_optimizer", [
    lambda params: SGD(params, lr=0.1, momentum=0.9, weight_decay=0.1),
    lambda params: Adam(params, lr=0.1, weight_decay=0.1),
    lambda params: AdamW(params, lr=0.1),
    lambda params: RMSprop(params, lr=0.1, momentum=0.5),
], ids=["SGD", "Adam", "AdamW", "RMSprop"])
def test_optimizers_skip_frozen_and_unreached_parameters(make_optimizer, rng):
    """Momentum, weight decay and Adam's moments must not move a parameter without a gradient."""
    first, second = Linear(3, 3, rng=0), Linear(3, 2, rng=1)
    model = Sequential(first, ReLU(), second)
    optimizer = make_optimizer(model.parameters())
    x = rng.standard_normal((4, 3))
    for _ in range(2):  # build momentum everywhere
        optimizer.zero_grad()
        model(x)
        model.backward(np.ones((4, 2)))
        optimizer.step()
    first.weight.requires_grad = False
    frozen, unreached = first.weight.data.copy(), second.weight.data.copy()
    optimizer.zero_grad()
    first(x)
    first.backward(np.ones((4, 3)))  # second is not reached
    optimizer.step()
    np.testing.assert_array_equal(first.weight.data, frozen)
    np.testing.assert_array_equal(second.weight.data, unreached)
    assert not np.array_equal(first.bias.data, frozen[0])  # the bias was reached: it moved


def test_gradcheck_skips_a_frozen_parameter_and_catches_one_that_receives_a_gradient(rng):
    layer = Linear(3, 2, rng=0)
    layer.weight.requires_grad = False
    x = rng.standard_normal((4, 3))
    assert mn.gradcheck(layer, x)

    class IgnoresFreezing(Linear):
        def backward(self, grad_out):
            grad_x = super().backward(grad_out)
            self.weight.grad += grad_out.T @ np.ones((len(grad_out), 3))
            return grad_x

    careless = IgnoresFreezing(3, 2, rng=0)
    careless.weight.requires_grad = False
    with pytest.raises(GradcheckError, match="weight: requires_grad is False"):
        mn.gradcheck(careless, x)


def test_the_doctor_does_not_report_a_frozen_first_layer(rng):
    X, y = mn.data.spiral(n_per_class=60, n_classes=3, rng=0)
    model = Sequential(Linear(2, 32, rng=0), ReLU(), Linear(32, 3, rng=1))
    for param in model[0].parameters():
        param.requires_grad = False
    report = mn.doctor(model, mn.CrossEntropyLoss(), X, y,
                       optimizer=Adam(model.parameters(), lr=1e-2), rng=0)
    codes = {finding.code for finding in report.findings if finding.severity != "info"}
    assert not codes & {"gradcheck-failed", "update-ratio-low", "vanishing-gradients",
                        "lr-too-low"}, report


def test_lint_leaves_a_frozen_pretrained_layer_alone():
    """A frozen weight is kept as given: its scale is not an initialization choice."""
    X, y = mn.data.spiral(n_per_class=60, n_classes=3, rng=0)
    model = Sequential(Linear(2, 32, rng=0), ReLU(), Linear(32, 32, rng=1), ReLU(),
                       Linear(32, 3, rng=2))
    model[2].weight.data *= 10  # "pretrained" weights of another scale
    report = mn.doctor(model, mn.CrossEntropyLoss(), X, y, checks=("lint",))
    assert "weight-scale-skew" in {finding.code for finding in report.findings}
    model[2].weight.requires_grad = False
    report = mn.doctor(model, mn.CrossEntropyLoss(), X, y, checks=("lint",))
    assert "weight-scale-skew" not in {finding.code for finding in report.findings}


def test_fit_refuses_an_optimizer_of_another_model(rng):
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    old = Sequential(Linear(3, 2, rng=0))
    optimizer = SGD(old.parameters(), lr=0.1)
    new = Sequential(Linear(3, 2, rng=0))  # the cell was run again
    with pytest.raises(ConfigError, match="holds none of this model's trainable parameters"):
        mn.fit(new, mn.CrossEntropyLoss(), optimizer, X, y, progress=False)
    for param in new.parameters():
        param.requires_grad = False
    with pytest.raises(ConfigError, match="no trainable parameter"):
        mn.fit(new, mn.CrossEntropyLoss(), SGD(new.parameters(), lr=0.1), X, y, progress=False)


def test_fit_accepts_an_optimizer_over_part_of_the_model(rng):
    X, y = rng.standard_normal((20, 3)), rng.integers(0, 2, 20)
    model = Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))
    before = model[0].weight.data.copy()
    mn.fit(model, mn.CrossEntropyLoss(), SGD(model[2].parameters(), lr=0.1), X, y,
           epochs=2, progress=False)
    np.testing.assert_array_equal(model[0].weight.data, before)


def test_has_grad_counts_a_hand_written_gradient():
    class Scale(Module):
        def __init__(self):
            super().__init__()
            self.weight = Parameter(np.ones(3))

        def forward(self, x):
            self._x = x
            return x * self.weight.data

        def backward(self, grad_out):
            self.weight.grad += (grad_out * self._x).sum(0)
            return grad_out * self.weight.data

    layer = Scale()
    assert not layer.weight.has_grad
    layer(np.ones((2, 3)))
    layer.backward(np.ones((2, 3)))
    assert layer.weight.has_grad
    layer.zero_grad()
    assert not layer.weight.has_grad


@pytest.mark.parametrize("make", [lambda: Linear(2, 2, bias="no"),
                                  lambda: Conv1d(1, 1, 3, bias="no")],
                         ids=["Linear", "Conv1d"])
def test_bias_must_be_a_bool(make):
    with pytest.raises(ConfigError, match="the 'bias' parameter must be a bool, got 'no'"):
        make()
