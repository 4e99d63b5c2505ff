"""Optimizer arguments: params, every option's check (each rejection with its message),
the lr and option attributes, and the repr."""

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.errors import ArgumentError, ConfigError, ShapeError
from minnet.layers.linear import Linear
from minnet.optim.adagrad import Adagrad
from minnet.optim.adam import Adam, AdamW
from minnet.optim.rmsprop import RMSprop
from minnet.optim.sgd import SGD

# --- params ------------------------------------------------------------------

def test_accepts_list_generator_and_module_parameters():
    model = Sequential(Linear(3, 4, rng=0), Linear(4, 2, rng=1))
    for params in (model.parameters(), iter(model.parameters()),
                   (p for p in model.parameters())):
        assert len(SGD(params, lr=0.1).params) == 4


def test_module_instead_of_parameters_raises_with_hint():
    with pytest.raises(ConfigError, match=r"Adam: .*pass model\.parameters\(\)"):
        Adam(Linear(3, 2, rng=0))


@pytest.mark.parametrize("params, fragment", [
    ([], "empty parameter list"),
    ((p for p in []), "empty parameter list"),
    (Parameter(np.ones(2)), "single Parameter"),
    (np.ones(3), "got ndarray"),
    ([Parameter(np.ones(2)), np.ones(2)], "element 1 of params must be a Parameter"),
    (5, "got int"),
])
def test_bad_params_raise(params, fragment):
    with pytest.raises(ConfigError, match=f"SGD: .*{fragment}"):
        SGD(params, lr=0.1)


def test_duplicate_parameter_raises():
    param = Parameter(np.ones(2))
    with pytest.raises(ConfigError, match="SGD: element 1 of params repeats"):
        SGD([param, param], lr=0.1)


def test_empty_module_gives_empty_list_error():
    class Empty(Module):
        pass

    with pytest.raises(ConfigError, match="empty parameter list"):
        SGD(Empty().parameters(), lr=0.1)


# --- hyperparameter checks -----------------------------------------------

BAD_ARGUMENTS = [
    (SGD, dict(lr=0.0), "lr"),
    (SGD, dict(lr=-0.1), "lr"),
    (SGD, dict(lr=float("nan")), "lr"),
    (SGD, dict(lr=float("inf")), "lr"),
    (SGD, dict(lr="0.1"), "lr"),
    (SGD, dict(lr=0.1, momentum=-0.5), "momentum"),
    (SGD, dict(lr=0.1, weight_decay=-1e-4), "weight_decay"),
    (SGD, dict(lr=0.1, nesterov=True), "nesterov"),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov="yes"), "nesterov"),
    (Adagrad, dict(lr=-1.0), "lr"),
    (Adagrad, dict(eps=-1e-10), "eps"),
    (RMSprop, dict(alpha=1.0), "alpha"),
    (RMSprop, dict(alpha=-0.1), "alpha"),
    (RMSprop, dict(eps=-1.0), "eps"),
    (RMSprop, dict(momentum=-0.9), "momentum"),
    (RMSprop, dict(weight_decay=-0.1), "weight_decay"),
    (RMSprop, dict(centered=1), "centered"),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=-0.1), "dampening"),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=1.5), "dampening"),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True, dampening=0.1), "nesterov"),
    (Adagrad, dict(lr_decay=-0.1), "lr_decay"),
    (Adagrad, dict(weight_decay=-0.1), "weight_decay"),
    (Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
    (Adam, dict(amsgrad="yes"), "amsgrad"),
    (AdamW, dict(amsgrad=None), "amsgrad"),
    (Adam, dict(lr=0.0), "lr"),
    (Adam, dict(betas=(1.0, 0.999)), r"betas\[0\]"),
    (Adam, dict(betas=(0.9, -0.1)), r"betas\[1\]"),
    (Adam, dict(betas=(0.9,)), "betas"),
    (Adam, dict(betas=0.9), "betas"),
    (Adam, dict(eps=-1e-8), "eps"),
    (Adam, dict(weight_decay=-0.1), "weight_decay"),
    (AdamW, dict(weight_decay=-0.01), "weight_decay"),
    (AdamW, dict(betas=(0.9, 1.5)), r"betas\[1\]"),
]


@pytest.mark.parametrize("cls, kwargs, name", BAD_ARGUMENTS,
                         ids=[f"{c.__name__}-{k}" for c, k, _ in BAD_ARGUMENTS])
def test_bad_hyperparameter_raises_naming_optimizer_and_parameter(cls, kwargs, name):
    kwargs = dict(kwargs)
    lr = kwargs.pop("lr", 0.1)
    with pytest.raises(ConfigError, match=rf"^{cls.__name__}: the '{name}' parameter .*got"):
        cls([Parameter(np.ones(2))], lr=lr, **kwargs)


@pytest.mark.parametrize("cls, value", [(SGD, 1.0), (SGD, 1.5), (RMSprop, 2.0),
                                        (RMSprop, 1.0)])
def test_momentum_of_one_or_more_is_refused_with_the_reason(cls, value):
    with pytest.raises(ConfigError, match=rf"^{cls.__name__}: the 'momentum' parameter must be "
                                          rf"a float in the range \[0.0, 1.0\), got {value}: "
                                          rf"with momentum >= 1 the buffer never forgets an old "
                                          rf"gradient and grows without bound"):
        cls([Parameter(np.ones(2))], lr=0.1, momentum=value)


def test_rmsprop_alpha_one_is_refused():
    with pytest.raises(ConfigError, match=r"RMSprop: the 'alpha' parameter must be a float in "
                                          r"the range \[0.0, 1.0\), got 1.0"):
        RMSprop([Parameter(np.ones(2))], alpha=1.0)


@pytest.mark.parametrize("cls, positional, keyword", [
    (SGD, (0.1, 0.9, False, 0.0), "dampening"),
    (RMSprop, (0.01, 0.99, 1e-8), "momentum"),
    (RMSprop, (0.01, 0.99, 1e-8), "weight_decay"),
    (RMSprop, (0.01, 0.99, 1e-8), "centered"),
    (Adagrad, (0.01,), "eps"),
    (Adagrad, (0.01,), "lr_decay"),
    (Adagrad, (0.01,), "weight_decay"),
])
def test_options_whose_pytorch_position_differs_are_keyword_only(cls, positional, keyword):
    # SGD(p, 0.1, 0.9, 0.1) means dampening=0.1 in PyTorch: minnet refuses a positional
    # argument past its own signature, rather than read it as another option.
    params = [Parameter(np.ones(2))]
    cls(params, *positional)
    with pytest.raises(TypeError, match="positional argument"):
        cls(params, *positional, 0.1)
    value = True if keyword == "centered" else 0.1
    assert getattr(cls(params, *positional, **{keyword: value}), keyword) == value


def test_adam_amsgrad_is_positional_as_in_pytorch():
    assert Adam([Parameter(np.ones(2))], 1e-3, (0.9, 0.999), 1e-8, 0.0, True).amsgrad is True


def test_setting_bad_lr_after_construction_raises_and_keeps_old_lr():
    optimizer = Adam([Parameter(np.ones(2))], lr=0.01)
    with pytest.raises(ConfigError, match=r"Adam: the 'lr' parameter must be a float in the "
                                          r"range \(0\.0, inf\], got -1"):
        optimizer.lr = -1
    assert optimizer.lr == 0.01
    optimizer.lr = 0.5
    assert optimizer.lr == 0.5


def test_setting_lr_changes_the_step():
    param = Parameter(np.zeros(2))
    optimizer = SGD([param], lr=0.1)
    optimizer.lr = 0.5
    param.grad[...] = [1.0, -2.0]
    optimizer.step()
    np.testing.assert_array_equal(param.data, [-0.5, 1.0])


@pytest.mark.parametrize("name, value", [("momentum", -1.0), ("weight_decay", -0.1),
                                         ("nesterov", 1), ("momentum", 1.0),
                                         ("dampening", 2.0)])
def test_setting_bad_hyperparameter_after_construction_raises(name, value):
    optimizer = SGD([Parameter(np.ones(2))], lr=0.1, momentum=0.9)
    with pytest.raises(ConfigError, match=f"SGD: the '{name}' parameter"):
        setattr(optimizer, name, value)


def test_momentum_zero_with_nesterov_on_raises_after_construction():
    optimizer = SGD([Parameter(np.ones(2))], lr=0.1, momentum=0.9, nesterov=True)
    with pytest.raises(ConfigError, match="nesterov"):
        optimizer.momentum = 0.0
    assert optimizer.momentum == 0.9


def test_grad_of_wrong_shape_raises():
    param = Parameter(np.ones((2, 3)))
    optimizer = SGD([param], lr=0.1)
    param.grad = np.ones(3)  # would broadcast silently
    with pytest.raises(ShapeError, match=r"SGD.step: params\[0\].*grad of shape \(3,\)"):
        optimizer.step()
    np.testing.assert_array_equal(param.data, np.ones((2, 3)))


def test_repr_lists_hyperparameters():
    optimizer = Adam([Parameter(np.ones(2))], lr=0.01)
    assert repr(optimizer) == ("Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, "
                               "amsgrad=False)")
    two = SGD([{"params": [Parameter(np.ones(2))]},
               {"params": [Parameter(np.ones(2))], "lr": 0.5}], lr=0.1)
    assert repr(two) == ("SGD(lr=[0.1, 0.5], momentum=0.0, nesterov=False, weight_decay=0.0, "
                         "dampening=0.0)")


@pytest.mark.parametrize("build, message", [
    (lambda params: SGD(params, lr=0.1, momentun=0.9), "SGD: unknown argument 'momentun'; "
     "did you mean 'momentum'?"),
    (lambda params: Adam(params, beta1=0.9), "Adam: unknown argument 'beta1'"),
    (lambda params: AdamW(params, 1e-3, (0.9, 0.99), 1e-8, 0.01, False, 3),
     "AdamW: too many positional arguments"),
])
def test_a_wrong_argument_is_an_argument_error_naming_the_optimizer(build, message):
    """Before: Python's 'SGD.__init__() got an unexpected keyword argument' (no MinnetError)."""
    with pytest.raises(ArgumentError) as info:
        build([Parameter(np.ones(2))])
    assert str(info.value).startswith(message)
