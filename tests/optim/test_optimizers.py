"""Optimizers against their update rules written out by hand, for every option."""

import warnings

import numpy as np
import pytest
from optim_references import (  # tests/optim/optim_references.py
    reference_adagrad,
    reference_adam,
    reference_rmsprop,
    reference_sgd,
)

from minnet.core import Parameter
from minnet.kernels import BACKENDS, use_backend
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


CASES = [
    (SGD, dict(lr=0.1), reference_sgd),
    (SGD, dict(lr=0.1, momentum=0.9), reference_sgd),
    (SGD, dict(lr=0.05, momentum=0.8, nesterov=True), reference_sgd),
    (SGD, dict(lr=0.1, weight_decay=0.01), reference_sgd),
    (SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.05), reference_sgd),
    (SGD, dict(lr=0.1, momentum=0.9, dampening=0.5), reference_sgd),
    (SGD, dict(lr=0.1, momentum=0.8, dampening=0.1, weight_decay=0.05), reference_sgd),
    (Adagrad, dict(), reference_adagrad),
    (Adagrad, dict(lr=0.5, eps=1e-3), reference_adagrad),
    (Adagrad, dict(lr=0.5, lr_decay=0.3), reference_adagrad),
    (Adagrad, dict(lr=0.5, weight_decay=0.1, initial_accumulator_value=0.2), reference_adagrad),
    (RMSprop, dict(), reference_rmsprop),
    (RMSprop, dict(lr=0.02, alpha=0.9, eps=1e-4, momentum=0.7), reference_rmsprop),
    (RMSprop, dict(lr=0.02, weight_decay=0.1), reference_rmsprop),
    (RMSprop, dict(lr=0.02, alpha=0.9, centered=True), reference_rmsprop),
    (RMSprop, dict(lr=0.02, momentum=0.5, centered=True, weight_decay=0.05), reference_rmsprop),
    (Adam, dict(), reference_adam),
    (Adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1), reference_adam),
    (Adam, dict(lr=0.01, amsgrad=True), reference_adam),
    (AdamW, dict(lr=0.01, weight_decay=0.1, amsgrad=True), lambda w, g, **kw: reference_adam(
        w, g, decoupled=True, **kw)),
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
        assert all(buffer.dtype == np.float32 for name, buffer in optimizer.state[index].items()
                   if name != "step")
        expected = reference(weights[index].astype(np.float64),
                             [step[index].astype(np.float64) for step in grads], **kwargs)
        np.testing.assert_allclose(param.data, expected, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("cls, kwargs, reference", CASES, ids=CASE_IDS)
def test_step_updates_data_in_place_and_leaves_grad_alone(cls, kwargs, reference):
    weights, grads = make_problem(steps=2)
    params = [Parameter(w) for w in weights]
    arrays = [param.data for param in params]
    optimizer = cls(params, **kwargs)
    for step_grads in grads:  # the second step also uses the state the first made
        for param, grad in zip(params, step_grads, strict=True):
            param.grad[...] = grad
        optimizer.step()
        for param, array, grad in zip(params, arrays, step_grads, strict=True):
            assert param.data is array
            np.testing.assert_array_equal(param.grad, grad)


def test_zero_grad_fills_zeros_in_place_and_resets_has_grad():
    params = [Parameter(np.ones(shape)) for shape in SHAPES]
    optimizer = SGD(params, lr=0.1)
    grad_arrays = []
    for param in params:
        param.add_grad(np.full(param.shape, 3.0))
        grad_arrays.append(param.grad)
        assert param.has_grad
    optimizer.zero_grad()
    for param, array in zip(params, grad_arrays, strict=True):
        assert param.grad is array
        assert not param.grad.any()
        assert not param.has_grad


def test_model_cast_to_float32_after_construction():
    model = Linear(3, 2, rng=0)
    optimizer = Adam(model.parameters(), lr=0.01)
    model.to(np.float32)
    for param in model.parameters():
        param.grad[...] = 1.0
    optimizer.step()
    assert model.weight.data.dtype == np.float32
    assert optimizer.state[0]["exp_avg"].dtype == np.float32


def test_state_follows_a_cast_after_some_steps():
    model = Linear(3, 2, rng=0)
    optimizer = SGD(model.parameters(), lr=0.1, momentum=0.9)
    for param in model.parameters():
        param.add_grad(np.ones(param.shape))
    optimizer.step()
    assert optimizer.state[0]["momentum_buffer"].dtype == np.float64
    model.to(np.float32)
    optimizer.step()
    assert optimizer.state[0]["momentum_buffer"].dtype == np.float32


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


@pytest.mark.parametrize("cls, kwargs, reference", CASES, ids=CASE_IDS)
def test_non_finite_gradients_give_the_same_values_on_both_backends_without_warnings(
        cls, kwargs, reference):
    """NaN, inf and a gradient whose square overflows flow through the NumPy reference as
    through the fused kernel (PyTorch's NaN and inf), without NumPy's warnings (before:
    'overflow encountered in multiply', 'invalid value encountered in divide')."""
    gradients = {np.float64: [[1e200, np.inf, np.nan, 1.0], [1.0, -np.inf, 0.0, 1e-300]],
                 np.float32: [[3e38, np.inf, np.nan, 1.0], [1.0, -np.inf, 0.0, 1e-40]]}
    results = []
    for backend in BACKENDS:
        params = [Parameter(np.ones(4, dtype=dtype)) for dtype in gradients]
        optimizer = cls(params, **kwargs)
        with use_backend(backend), warnings.catch_warnings():
            warnings.simplefilter("error")
            for step in range(2):
                for param, grads in zip(params, gradients.values(), strict=True):
                    param.grad[...] = grads[step]
                optimizer.step()
        results.append([param.data for param in params])
    for ours, twins in zip(*results, strict=True):
        np.testing.assert_array_equal(ours, twins)
