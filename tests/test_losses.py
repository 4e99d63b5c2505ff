"""Loss classes: validation with teaching messages, values, backward, RegularizedLoss."""

import math

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.errors import ConfigError, DataError, DTypeError, MinnetError, ShapeError
from minnet.functional import losses as F
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import (
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    Loss,
    MSELoss,
    RegularizedLoss,
    is_penalized,
)


def test_reprs():
    assert repr(CrossEntropyLoss()) == "CrossEntropyLoss(label_smoothing=0.0)"
    assert repr(BCEWithLogitsLoss()) == "BCEWithLogitsLoss()"
    assert repr(MSELoss()) == "MSELoss()"
    regularized = RegularizedLoss(CrossEntropyLoss(0.1), Linear(2, 2, rng=0), l2=1e-4)
    assert repr(regularized) == (
        "RegularizedLoss(CrossEntropyLoss(label_smoothing=0.1), l1=0.0, l2=0.0001)")


@pytest.mark.parametrize("loss_fn, pred, target, pair", [
    (CrossEntropyLoss(0.2), np.arange(12.0).reshape(4, 3) % 5, np.array([0, 2, 1, 1]),
     lambda p, t: F.cross_entropy_forward(p, t, 0.2)),
    (BCEWithLogitsLoss(), np.linspace(-3, 3, 6).reshape(3, 2), np.eye(3, 2),
     F.bce_with_logits_forward),
    (MSELoss(), np.linspace(-3, 3, 6), np.linspace(0, 1, 6), F.mse_forward),
])
def test_losses_call_the_pair_and_return_float_and_pred_shaped_gradient(
        loss_fn, pred, target, pair):
    loss = loss_fn(pred, target)
    expected, cache = pair(pred, target)
    assert isinstance(loss, float) and loss == expected
    grad = loss_fn.backward()
    assert grad.shape == pred.shape and grad.dtype == pred.dtype
    np.testing.assert_array_equal(grad, loss_fn.pair[1](1.0, cache))
    loss_fn(pred.astype(np.float32), target)
    assert loss_fn.backward().dtype == np.float32


@pytest.mark.parametrize("loss_fn", [CrossEntropyLoss(), BCEWithLogitsLoss(), MSELoss()])
def test_backward_before_call_raises(loss_fn):
    fresh = type(loss_fn)()
    with pytest.raises(MinnetError, match=rf"{type(loss_fn).__name__}\(.*\): backward\(\) called "
                                          r"before the loss was computed"):
        fresh.backward()


def test_cross_entropy_initial_loss_is_log_num_classes():
    assert CrossEntropyLoss()(np.zeros((8, 10)), np.arange(8)) == pytest.approx(math.log(10))


def test_cross_entropy_accepts_integer_valued_floats_and_lets_nan_logits_through():
    loss_fn = CrossEntropyLoss()
    assert loss_fn(np.zeros((2, 3)), np.array([0.0, 2.0])) == pytest.approx(math.log(3))
    logits = np.zeros((2, 3))
    logits[0, 1] = np.nan
    assert math.isnan(loss_fn(logits, np.array([0, 1])))


@pytest.mark.parametrize("logits, target, error, message", [
    (np.zeros((3, 4)), np.array([0, 1, np.nan]), DataError,
     r"CrossEntropyLoss\(label_smoothing=0.0\): expected a finite target, got 1 NaN"),
    (np.zeros((3, 4)), np.array([0, 4, 1]), DataError,
     r"CrossEntropyLoss\(.*\): expected target labels in \[0, 4\), got values from 0 to 4"),
    (np.zeros((3, 4)), np.array([-1, 0, 1]), DataError, r"labels in \[0, 4\).*from -1 to 1"),
    (np.zeros((3, 4)), np.array([0.5, 1, 2]), DTypeError,
     r"CrossEntropyLoss\(.*\): expected integer class labels.*non-integer floats"),
    (np.zeros((3, 4)), np.array(["a", "b", "c"]), DTypeError,
     r"CrossEntropyLoss\(.*\): expected integer class labels as target, got dtype <U1"),
    (np.array([["a", "b"]]), np.array([0]), DTypeError,
     r"CrossEntropyLoss\(.*\): expected a float logits, got an array of dtype <U1"),
    (np.zeros(4), np.array([1]), ShapeError,
     r"CrossEntropyLoss\(.*\): expected logits of shape \(N, C\), got \(4,\); for one sample "
     r"use logits.reshape\(1, -1\)"),
    (np.zeros((3, 4)), np.eye(3, 4), ShapeError,
     r"expected target of shape \(N,\) = \(3,\) to match logits \(3, 4\), got \(3, 4\); the "
     r"target looks one-hot: pass class indices, target.argmax\(axis=1\)"),
    (np.zeros((3, 4)), np.zeros((3, 1), dtype=int), ShapeError, r"got \(3, 1\); flatten it"),
    (np.zeros((3, 4)), np.array([0, 1]), ShapeError,
     r"expected target of shape \(N,\) = \(3,\) to match logits \(3, 4\), got \(2,\)$"),
    (np.zeros((0, 4)), np.array([], dtype=int), DataError,
     r"CrossEntropyLoss\(.*\): expected a non-empty logits, got shape \(0, 4\)"),
])
def test_cross_entropy_bad_inputs(logits, target, error, message):
    with pytest.raises(error, match=message):
        CrossEntropyLoss()(logits, target)


@pytest.mark.parametrize("value, message", [
    (1.5, r"CrossEntropyLoss: the 'label_smoothing' parameter must be a float in the range "
          r"\[0.0, 1.0\], got 1.5 instead"),
    (-0.1, r"range \[0.0, 1.0\], got -0.1"),
    ("0.1", r"must be a finite float, got '0.1'"),
])
def test_cross_entropy_label_smoothing_is_checked(value, message):
    with pytest.raises(ConfigError, match=message):
        CrossEntropyLoss(label_smoothing=value)


@pytest.mark.parametrize("loss_cls, pred, target, error, message", [
    (BCEWithLogitsLoss, np.zeros((4, 1)), np.zeros(4), ShapeError,
     r"BCEWithLogitsLoss\(\): expected target of the same shape as the logits, \(4, 1\), got "
     r"\(4,\); reshape it with target.reshape\(\(4, 1\)\) \(a \(N,\) and an \(N, 1\) array "
     r"would broadcast to \(N, N\)"),
    (BCEWithLogitsLoss, np.zeros(4), np.zeros((4, 1)), ShapeError,
     r"got \(4, 1\); reshape it with target.reshape\(\(4,\)\)"),
    (BCEWithLogitsLoss, np.zeros(4), np.zeros(3), ShapeError, r"got \(3,\)$"),
    (BCEWithLogitsLoss, np.zeros(3), np.array([0.0, 1.0, 2.0]), DataError,
     r"BCEWithLogitsLoss\(\): expected target probabilities in \[0, 1\], got values from "
     r"0.0 to 2.0$"),
    (BCEWithLogitsLoss, np.zeros(2), np.array([-1.0, 1.0]), DataError,
     r"from -1.0 to 1.0; map -1/\+1 labels to 0/1"),
    (BCEWithLogitsLoss, np.zeros(2), np.array([np.nan, 1.0]), DataError,
     r"BCEWithLogitsLoss\(\): expected a finite target, got 1 NaN"),
    (BCEWithLogitsLoss, np.zeros(2), np.array(["0", "1"]), DTypeError,
     r"BCEWithLogitsLoss\(\): expected a float target, got an array of dtype <U1"),
    (MSELoss, np.zeros((5, 1)), np.zeros(5), ShapeError,
     r"MSELoss\(\): expected target of the same shape as the prediction, \(5, 1\), got "
     r"\(5,\); reshape it with target.reshape\(\(5, 1\)\)"),
    (MSELoss, np.zeros(2), np.array([np.inf, 1.0]), DataError,
     r"MSELoss\(\): expected a finite target, got 1 NaN or Inf"),
    (MSELoss, np.array(["x"]), np.zeros(1), DTypeError,
     r"MSELoss\(\): expected a float prediction, got an array of dtype <U1"),
    (MSELoss, np.zeros((0, 2)), np.zeros((0, 2)), DataError, r"expected a non-empty prediction"),
])
def test_bce_and_mse_bad_inputs(loss_cls, pred, target, error, message):
    with pytest.raises(error, match=message):
        loss_cls()(pred, target)


def test_bce_accepts_bool_targets():
    assert BCEWithLogitsLoss()(np.zeros(3), np.array([True, False, True])) == pytest.approx(
        math.log(2))


# --- RegularizedLoss ----------------------------------------------------------

def small_model():
    return Sequential(Linear(3, 4, rng=0), ReLU(), Linear(4, 2, rng=1))


def test_regularized_value_is_data_plus_penalty_on_weights_only(rng):
    model = small_model()
    for param in model.parameters():  # nonzero biases, to show they are not penalized
        param.data += 0.5
    x, y = rng.standard_normal((5, 3)), rng.integers(0, 2, size=5)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l1=0.01, l2=0.1)
    value = loss_fn(model(x), y)
    weights = [model[0].weight.data, model[2].weight.data]
    penalty = sum(0.01 * np.abs(w).sum() + 0.05 * (w ** 2).sum() for w in weights)
    assert loss_fn.data_loss == CrossEntropyLoss()(model(x), y)
    assert loss_fn.reg_loss == pytest.approx(penalty, rel=1e-12)
    assert value == pytest.approx(loss_fn.data_loss + penalty, rel=1e-12)
    assert [name for name, _ in loss_fn.penalized_parameters()] == ["0.weight", "2.weight"]


def test_regularized_backward_adds_the_penalty_gradient(rng):
    model = small_model()
    x, y = rng.standard_normal((5, 3)), rng.integers(0, 2, size=5)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l1=0.03, l2=0.2)
    loss_fn(model(x), y)
    model.zero_grad()
    grad_pred = loss_fn.backward()
    np.testing.assert_array_equal(grad_pred, loss_fn.loss_fn.backward())
    np.testing.assert_array_equal(model[0].bias.grad, 0.0)  # only the penalty was added
    weight = model[2].weight
    numeric = numerical_gradient(lambda w: loss_fn.penalty(), weight.data)
    assert rel_error(weight.grad, numeric) < 1e-7


def test_regularized_total_gradient_through_the_model(rng):
    model = small_model()
    x, y = rng.standard_normal((6, 3)), rng.integers(0, 2, size=6)
    loss_fn = RegularizedLoss(CrossEntropyLoss(), model, l2=0.5)
    loss_fn(model(x), y)
    model.zero_grad()
    model.backward(loss_fn.backward())
    for param in (model[0].weight, model[0].bias):
        numeric = numerical_gradient(lambda w: loss_fn(model.forward(x), y), param.data)
        assert rel_error(param.grad, numeric) < 1e-6


def test_one_dimensional_and_non_weight_parameters_are_not_penalized():
    class Norm(Module):
        def __init__(self):
            super().__init__()
            self.weight = Parameter(np.ones(3))
            self.bias = Parameter(np.ones(3))
            self.scale = Parameter(np.ones((3, 3)))

    loss_fn = RegularizedLoss(MSELoss(), Norm(), l1=1.0, l2=1.0)
    assert loss_fn.penalized_parameters() == []
    assert loss_fn(np.zeros(2), np.ones(2)) == 1.0 and loss_fn.reg_loss == 0.0
    two_d = Parameter(np.ones((2, 2)))
    for name in ["weight", "0.weight", "rnn.weight_ih_l0", "weight_hh_l1"]:
        assert is_penalized(name, two_d), name
    for name in ["bias", "0.bias", "weight_g", "running_var", "bias_ih_l0"]:
        assert not is_penalized(name, two_d), name


@pytest.mark.parametrize("args, message", [
    ((MSELoss(), "model"), r"RegularizedLoss: the 'model' parameter must be a Module, got str"),
    ((MSELoss, Linear(1, 1)), r"RegularizedLoss: the 'loss_fn' parameter must be a Loss such as "
                              r"CrossEntropyLoss\(\), got type"),
    ((MSELoss(), Linear(1, 1), -0.1), r"RegularizedLoss: the 'l1' parameter must be a float "
                                      r"in the range \[0.0, inf\], got -0.1"),
    ((MSELoss(), Linear(1, 1), 0.0, "big"), r"the 'l2' parameter must be a finite float"),
])
def test_regularized_arguments_are_checked(args, message):
    with pytest.raises(ConfigError, match=message):
        RegularizedLoss(*args)


def test_regularized_backward_before_call_raises():
    loss_fn = RegularizedLoss(MSELoss(), Linear(1, 1, rng=0), l2=1.0)
    assert isinstance(loss_fn, Loss)
    with pytest.raises(MinnetError, match=r"RegularizedLoss\(MSELoss\(\), l1=0.0, l2=1.0\): "
                                          r"backward\(\) called before"):
        loss_fn.backward()


# --- PyTorch as an oracle (optional) --------------------------------------------

@pytest.mark.torch
def test_cross_entropy_with_label_smoothing_matches_torch(rng):
    torch = pytest.importorskip("torch")
    logits = np.concatenate([rng.standard_normal((6, 5)) * 3, [[1e4, -1e4, 0, 0, 0]]])
    target = np.array([0, 1, 2, 3, 4, 4, 1])
    for smoothing in (0.0, 0.15, 1.0):
        tensor = torch.tensor(logits, requires_grad=True)
        expected = torch.nn.CrossEntropyLoss(label_smoothing=smoothing)(
            tensor, torch.tensor(target))
        expected.backward()
        loss_fn = CrossEntropyLoss(label_smoothing=smoothing)
        assert loss_fn(logits, target) == pytest.approx(expected.item(), rel=1e-13)
        np.testing.assert_allclose(loss_fn.backward(), tensor.grad.numpy(), rtol=1e-12,
                                   atol=1e-16)


@pytest.mark.torch
def test_bce_with_logits_matches_torch(rng):
    torch = pytest.importorskip("torch")
    logits = np.concatenate([rng.standard_normal(20) * 5, [1e4, -1e4, 1e4, -1e4]])
    target = np.concatenate([rng.uniform(size=20), [1.0, 0.0, 0.0, 1.0]])
    tensor = torch.tensor(logits, requires_grad=True)
    expected = torch.nn.BCEWithLogitsLoss()(tensor, torch.tensor(target))
    expected.backward()
    loss_fn = BCEWithLogitsLoss()
    assert loss_fn(logits, target) == pytest.approx(expected.item(), rel=1e-13)
    np.testing.assert_allclose(loss_fn.backward(), tensor.grad.numpy(), rtol=1e-12, atol=1e-16)
