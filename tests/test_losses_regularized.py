"""RegularizedLoss: data loss plus penalty kept apart, the penalty's gradient, reductions."""

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.errors import ConfigError, MinnetError, ShapeError
from minnet.grad_mode import no_grad
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.layers.activations import ReLU
from minnet.layers.linear import Linear
from minnet.losses import (
    CrossEntropyLoss,
    HuberLoss,
    Loss,
    MSELoss,
    NLLLoss,
    RegularizedLoss,
    is_penalized,
)


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


@pytest.mark.parametrize("data_loss", [CrossEntropyLoss(reduction="none"),
                                       NLLLoss(reduction="none"), MSELoss("none")])
def test_a_data_loss_without_reduction_is_refused(data_loss):
    with pytest.raises(ConfigError, match=(
            rf"RegularizedLoss: the loss must reduce to a float \(reduction 'mean' or "
            rf"'sum'\), got {type(data_loss).__name__}\(reduction='none'\): reduction='none' "
            rf"returns one loss per element; the penalty is one number, added to one number")):
        RegularizedLoss(data_loss, Linear(2, 2, rng=0), l2=0.1)


def test_a_reduction_changed_to_none_later_is_refused_at_the_call():
    data_loss = MSELoss()
    loss_fn = RegularizedLoss(data_loss, Linear(2, 2, rng=0), l2=0.1)
    data_loss.reduction = "none"
    with pytest.raises(ConfigError, match=r"the loss must reduce to a float"):
        loss_fn(np.zeros((3, 2)), np.zeros((3, 2)))


def test_sum_reduction_and_a_scaled_backward(rng):
    model = small_model()
    x, y = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    loss_fn = RegularizedLoss(HuberLoss("sum", delta=0.5), model, l1=0.02, l2=0.3)
    with no_grad():
        value = loss_fn(model(x), y)
        assert value == pytest.approx(HuberLoss("sum", delta=0.5)(model(x), y)
                                      + loss_fn.penalty())
    loss_fn(model(x), y)
    model.zero_grad()
    grad_pred = loss_fn.backward(-0.5)
    np.testing.assert_allclose(grad_pred, -0.5 * loss_fn.loss_fn.backward(), rtol=1e-14)
    weight = model[2].weight
    numeric = numerical_gradient(lambda w: loss_fn.penalty(), weight.data)
    assert rel_error(weight.grad, -0.5 * numeric) < 1e-7
    model.zero_grad()
    model.backward(loss_fn.backward(2.0))
    for param in (model[0].weight, model[2].bias):
        with no_grad():
            numeric = numerical_gradient(lambda w: loss_fn(model.forward(x), y), param.data)
        assert rel_error(param.grad, 2.0 * numeric) < 1e-6
    with pytest.raises(ShapeError, match=r"RegularizedLoss\(HuberLoss\(reduction='sum', "
                                         r"delta=0.5\), .*\): the loss is a float, so grad_out "
                                         r"must be a scalar"):
        loss_fn.backward(np.ones(2))
