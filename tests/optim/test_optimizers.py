"""Optimizers against their update rules written out by hand, plus their contracts."""

import numpy as np
import pytest

from minnet.core import Module, Parameter, Sequential
from minnet.errors import ConfigError, ShapeError
from minnet.layers.linear import Linear
from minnet.optim.adagrad import Adagrad
from minnet.optim.adam import Adam, AdamW
from minnet.optim.rmsprop import RMSprop
from minnet.optim.sgd import SGD

SHAPES = [(3, 4), (4,)]


def make_problem(seed=0, steps=3, dtype=np.float64):
    """Initial weights for two parameters and a different gradient at every step."""
    rng = np.random.default_rng(seed)
    weights = [rng.normal(size=shape).astype(dtype) for shape in SHAPES]
    grads = [[rng.normal(size=shape).astype(dtype) for shape in SHAPES] for _ in range(steps)]
    return weights, grads


def run_minnet(cls, kwargs, weights, grads):
    params = [Parameter(w) for w in weights]
    optimizer = cls(params, **kwargs)
    for step_grads in grads:
        for param, grad in zip(params, step_grads, strict=True):
            param.grad[...] = grad
        optimizer.step()
    return [param.data for param in params]


# --- the update rules, written independently from the torch docs -----------

def reference_sgd(w, grads, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
    buffer = None
    for g in grads:
        g = g + weight_decay * w
        if momentum:
            buffer = g.copy() if buffer is None else momentum * buffer + g
            g = g + momentum * buffer if nesterov else buffer
        w = w - lr * g
    return w


def reference_adagrad(w, grads, lr=0.01, eps=1e-10):
    total = np.zeros_like(w)
    for g in grads:
        total = total + g ** 2
        w = w - lr * g / (np.sqrt(total) + eps)
    return w


def reference_rmsprop(w, grads, lr=0.01, alpha=0.99, eps=1e-8, momentum=0.0):
    v = np.zeros_like(w)
    buffer = np.zeros_like(w)
    for g in grads:
        v = alpha * v + (1 - alpha) * g ** 2
        avg = np.sqrt(v) + eps
        if momentum:
            buffer = momentum * buffer + g / avg
            w = w - lr * buffer
        else:
            w = w - lr * g / avg
    return w


def reference_adam(w, grads, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                   decoupled=False):
    beta1, beta2 = betas
    m = np.zeros_like(w)
    v = np.zeros_like(w)
    for t, g in enumerate(grads, start=1):
        if decoupled:
            w = w * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * w
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g ** 2
        m_hat = m / (1 - beta1 ** t)
        v_hat = v / (1 - beta2 ** t)
        w = w - lr * m_hat / (np.sqrt(v_hat) + eps)
    return w


CASES = [
    (SGD, dict(lr=0.1), reference_sgd),
    (SGD, dict(lr=0.1, momentum=0.9), reference_sgd),
    (SGD, dict(lr=0.05, momentum=0.8, nesterov=True), reference_sgd),
    (SGD, dict(lr=0.1, weight_decay=0.01), reference_sgd),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05), reference_sgd),
    (Adagrad, dict(), reference_adagrad),
    (Adagrad, dict(lr=0.5, eps=1e-3), reference_adagrad),
    (RMSprop, dict(), reference_rmsprop),
    (RMSprop, dict(lr=0.02, alpha=0.9, eps=1e-4, momentum=0.7), reference_rmsprop),
    (Adam, dict(), reference_adam),
    (Adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), reference_adam),
    (AdamW, dict(lr=0.01, weight_decay=0.1), lambda w, g, **kw: reference_adam(
        w, g, decoupled=True, **kw)),
    (AdamW, dict(lr=0.01, betas=(0.5, 0.9), weight_decay=0.0), lambda w, g, **kw: reference_adam(
        w, g, decoupled=True, **kw)),
]
CASE_IDS = [f"{cls.__name__}-{kwargs}" for cls, kwargs, _ in CASES]


@pytest.mark.parametrize("cls, kwargs, reference", CASES, ids=CASE_IDS)
def test_update_matches_rule_written_by_hand(cls, kwargs, reference):
    weights, grads = make_problem()
    result = run_minnet(cls, kwargs, weights, grads)
    for index, (w, got) in enumerate(zip(weights, result, strict=True)):
        expected = reference(w.copy(), [step[index] for step in grads], **kwargs)
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-15)
        assert not np.allclose(got, w)  # the parameters really moved


def test_adamw_differs_from_adam_with_same_weight_decay():
    weights, grads = make_problem()
    adam = run_minnet(Adam, dict(lr=0.01, weight_decay=0.1), weights, grads)
    adamw = run_minnet(AdamW, dict(lr=0.01, weight_decay=0.1), weights, grads)
    assert not np.allclose(adam[0], adamw[0], rtol=1e-6)


@pytest.mark.parametrize("cls, kwargs, reference", CASES, ids=CASE_IDS)
def test_float32_params_stay_float32(cls, kwargs, reference):
    weights, grads = make_problem(dtype=np.float32)
    params = [Parameter(w) for w in weights]
    optimizer = cls(params, **kwargs)
    for step_grads in grads:
        for param, grad in zip(params, step_grads, strict=True):
            param.grad[...] = grad
        optimizer.step()
    for index, param in enumerate(params):
        assert param.data.dtype == np.float32
        assert all(buffer.dtype == np.float32 for buffer in optimizer.state[index].values())
        expected = reference(weights[index].astype(np.float64),
                             [step[index].astype(np.float64) for step in grads], **kwargs)
        np.testing.assert_allclose(param.data, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls, kwargs, reference", CASES, ids=CASE_IDS)
def test_step_updates_data_in_place_and_leaves_grad_alone(cls, kwargs, reference):
    weights, grads = make_problem(steps=1)
    params = [Parameter(w) for w in weights]
    arrays = [param.data for param in params]
    optimizer = cls(params, **kwargs)
    for param, grad in zip(params, grads[0], strict=True):
        param.grad[...] = grad
    optimizer.step()
    for param, array, grad in zip(params, arrays, grads[0], strict=True):
        assert param.data is array
        np.testing.assert_array_equal(param.grad, grad)


def test_zero_grad_fills_zeros_in_place():
    params = [Parameter(np.ones(shape)) for shape in SHAPES]
    optimizer = SGD(params, lr=0.1)
    grad_arrays = []
    for param in params:
        param.grad += 3.0
        grad_arrays.append(param.grad)
    optimizer.zero_grad()
    for param, array in zip(params, grad_arrays, strict=True):
        assert param.grad is array
        assert not param.grad.any()


def test_model_cast_to_float32_after_construction():
    model = Linear(3, 2, rng=0)
    optimizer = Adam(model.parameters(), lr=0.01)
    model.to(np.float32)
    for param in model.parameters():
        param.grad[...] = 1.0
    optimizer.step()
    assert model.weight.data.dtype == np.float32
    assert optimizer.state[0]["exp_avg"].dtype == np.float32


def test_momentum_switched_on_later_gets_a_buffer():
    weights, grads = make_problem()
    params = [Parameter(w) for w in weights]
    optimizer = SGD(params, lr=0.1)
    optimizer.momentum = 0.9
    for step_grads in grads:
        for param, grad in zip(params, step_grads, strict=True):
            param.grad[...] = grad
        optimizer.step()
    expected = reference_sgd(weights[0], [step[0] for step in grads], lr=0.1, momentum=0.9)
    np.testing.assert_allclose(params[0].data, expected, rtol=1e-12)
    assert "state.0.momentum_buffer" in optimizer.state_dict()


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
                                         ("nesterov", 1)])
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
    assert optimizer.step_count == 0


def test_repr_lists_hyperparameters():
    optimizer = Adam([Parameter(np.ones(2))], lr=0.01)
    assert repr(optimizer) == "Adam(lr=0.01, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0)"
