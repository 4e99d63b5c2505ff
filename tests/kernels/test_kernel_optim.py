"""Fused optimizer updates: each numba twin equals the NumPy update in its optimizer's file
bit for bit, the dispatch falls back to the NumPy update for arrays or options the twin
does not take, and the optimizers give the same weights on both backends."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.core import Parameter
from minnet.kernels import optim as K
from minnet.kernels import use_backend
from minnet.optim import SGD, Adagrad, Adam, AdamW, RMSprop
from minnet.optim.adagrad import adagrad_update
from minnet.optim.adam import adam_update
from minnet.optim.rmsprop import rmsprop_update
from minnet.optim.sgd import sgd_update

DTYPES = st.sampled_from([np.float32, np.float64])
SHAPES = st.sampled_from([(), (1,), (7,), (3, 5), (2, 3, 4), (0, 3)])


def random_arrays(rng, shape, dtype, count, positive=()):
    """``count`` random arrays; the ones at indices in ``positive`` are >= 0 (second moments)."""
    arrays = [rng.standard_normal(shape).astype(dtype) for _ in range(count)]
    return [np.abs(a) if i in positive else a for i, a in enumerate(arrays)]


def assert_twins_agree(update, arrays, options):
    """Run the NumPy update and its twin (on flat views) on copies; all arrays equal to the
    bit."""
    expected = [a.copy() for a in arrays]
    actual = [a.copy() for a in arrays]
    update(*expected, **options)
    twin = K.twin_of(update)
    twin.compiled(*(a.reshape(-1) for a in actual), twin.pack(**options))
    for index, (got, want) in enumerate(zip(actual, expected, strict=True)):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want, err_msg=f"array {index}")


@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16), step=st.integers(1, 2000),
       lr=st.sampled_from([1e-3, 0.1]), weight_decay=st.sampled_from([0.0, 0.05]),
       decoupled=st.booleans(), betas=st.sampled_from([(0.9, 0.999), (0.5, 0.0), (0.0, 0.9)]))
def test_adam_twin_matches_reference(shape, dtype, seed, step, lr, weight_decay, decoupled,
                                     betas):
    rng = np.random.default_rng(seed)
    arrays = random_arrays(rng, shape, dtype, 4, positive=(3,))  # param, grad, m, v
    options = dict(lr=lr, beta1=betas[0], beta2=betas[1], eps=1e-8, step=step,
                   weight_decay=weight_decay, decoupled=decoupled)
    assert_twins_agree(adam_update, arrays, options)


@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16),
       momentum=st.sampled_from([0.0, 0.9]), nesterov=st.booleans(),
       weight_decay=st.sampled_from([0.0, 1e-2]), dampening=st.sampled_from([0.0, 0.3]))
def test_sgd_twin_matches_reference(shape, dtype, seed, momentum, nesterov, weight_decay,
                                    dampening):
    rng = np.random.default_rng(seed)
    arrays = random_arrays(rng, shape, dtype, 3)  # param, grad, momentum buffer
    nesterov = nesterov and momentum > 0 and dampening == 0
    options = dict(lr=0.05, momentum=momentum, weight_decay=weight_decay, nesterov=nesterov,
                   dampening=dampening)
    assert_twins_agree(sgd_update, arrays, options)


@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16),
       momentum=st.sampled_from([0.0, 0.9]), alpha=st.sampled_from([0.99, 0.5]),
       weight_decay=st.sampled_from([0.0, 0.1]))
def test_rmsprop_twin_matches_reference(shape, dtype, seed, momentum, alpha, weight_decay):
    rng = np.random.default_rng(seed)
    arrays = random_arrays(rng, shape, dtype, 4, positive=(2,))  # param, grad, avg, buffer
    options = dict(lr=0.01, alpha=alpha, eps=1e-8, momentum=momentum,
                   weight_decay=weight_decay)
    assert_twins_agree(rmsprop_update, arrays, options)


@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16), step=st.integers(1, 50),
       lr_decay=st.sampled_from([0.0, 0.1]), weight_decay=st.sampled_from([0.0, 0.1]))
def test_adagrad_twin_matches_reference(shape, dtype, seed, step, lr_decay, weight_decay):
    rng = np.random.default_rng(seed)
    arrays = random_arrays(rng, shape, dtype, 3, positive=(2,))  # param, grad, sum
    options = dict(lr=0.1, eps=1e-10, step=step, lr_decay=lr_decay, weight_decay=weight_decay)
    assert_twins_agree(adagrad_update, arrays, options)


def run_on(twin, update, *arrays, **options):
    """Run ``update`` itself (``twin="reference"``) or its numba twin on ``arrays``."""
    if twin == "reference":
        update(*arrays, **options)
    else:
        compiled, pack, _ = K.twin_of(update)
        compiled(*arrays, pack(**options))


def test_every_twin_belongs_to_a_numpy_update_of_its_name():
    updates = {f"{u.__module__}.{u.__name__}": u
               for u in (sgd_update, adam_update, rmsprop_update, adagrad_update)}
    assert set(K.TWINS) == set(updates)
    for update in updates.values():
        assert K.twin_of(update).compiled.__name__ == update.__name__

    def own_update(*arrays, **options):  # a student's own adam_update, in another module
        pass
    own_update.__name__ = own_update.__qualname__ = "adam_update"
    assert K.twin_of(own_update) is None


def test_sgd_first_momentum_step_is_the_gradient_itself():
    # PyTorch clones the gradient into a new buffer; a zero buffer with dampening 0
    # for that step gives exactly the same bits, on both twins.
    for twin in ("reference", "compiled"):
        param, grad = np.array([1.0, -2.0]), np.array([0.3, 0.7])
        buffer = np.zeros(2)
        run_on(twin, sgd_update, param, grad, buffer, lr=0.1, momentum=0.9, dampening=0.0)
        np.testing.assert_array_equal(buffer, grad)


def test_rmsprop_centered_reference_is_the_textbook_formula():
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    square_avg, grad_avg = np.array([0.04, 0.01]), np.array([0.1, -0.1])
    alpha, lr, eps = 0.9, 0.1, 1e-8
    v_new = alpha * square_avg + (1 - alpha) * grad ** 2
    mean_new = alpha * grad_avg + (1 - alpha) * grad
    expected = param - lr * grad / (np.sqrt(v_new - mean_new ** 2) + eps)
    rmsprop_update(param, grad, square_avg, None, grad_avg, lr=lr, alpha=alpha, eps=eps)
    np.testing.assert_allclose(param, expected, rtol=1e-13)
    np.testing.assert_allclose(grad_avg, mean_new, rtol=1e-13)


def test_rmsprop_centered_clamps_a_variance_that_round_off_makes_negative():
    # A constant gradient: E[g^2] - E[g]^2 is 0 in exact arithmetic and may round below.
    param, grad = np.array([1.0]), np.array([0.3])
    square_avg, grad_avg = np.array([0.09]), np.array([0.3 + 1e-16])
    with np.errstate(invalid="raise"):
        rmsprop_update(param, grad, square_avg, None, grad_avg, lr=0.01, alpha=0.5, eps=1e-8)
    assert np.isfinite(param).all()


def test_adam_reference_is_the_textbook_formula():
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    m, v = np.array([0.1, 0.0]), np.array([0.04, 0.0])
    beta1, beta2, lr, eps, step = 0.9, 0.99, 0.1, 1e-8, 3
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad**2
    expected = param - lr * (m_new / (1 - beta1**step)) / (
        np.sqrt(v_new / (1 - beta2**step)) + eps)
    adam_update(param, grad, m, v, lr=lr, beta1=beta1, beta2=beta2, eps=eps, step=step)
    np.testing.assert_allclose(param, expected, rtol=1e-12)
    np.testing.assert_allclose(m, m_new, rtol=1e-12)


@pytest.mark.parametrize("twin", ["reference", "compiled"])
def test_nan_in_the_gradient_reaches_the_parameter(twin):
    param, grad = np.ones(3), np.array([0.0, np.nan, 1.0])
    m, v = np.zeros(3), np.zeros(3)
    run_on(twin, adam_update, param, grad, m, v, lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8,
           step=1)
    assert np.isnan(param[1]) and np.all(np.isfinite(param[[0, 2]]))


SGD_OPTIONS = dict(lr=0.1, momentum=0.9)


def test_run_update_falls_back_for_a_non_contiguous_parameter():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((4, 6)).astype(np.float32)
    grad = rng.standard_normal((4, 3)).astype(np.float32)
    view, buffer = base[:, ::2], np.zeros((4, 3), np.float32)  # a strided view
    expected = view.copy()
    sgd_update(expected, grad, np.zeros((4, 3), np.float32), **SGD_OPTIONS)
    with use_backend("numba"):
        K.run_update(sgd_update, view, grad, (buffer,), SGD_OPTIONS)
    np.testing.assert_array_equal(base[:, ::2], expected)  # updated in place, through the view
    np.testing.assert_array_equal(buffer, grad)


def test_run_update_falls_back_for_a_grad_of_another_dtype():
    param = np.array([1.0, 2.0], np.float32)
    grad = np.array([0.1, 0.2])  # float64 .grad on a float32 parameter
    expected = param.copy()
    sgd_update(expected, grad, None, lr=0.3)
    with use_backend("numba"):
        K.run_update(sgd_update, param, grad, (None,), {"lr": 0.3})
    np.testing.assert_array_equal(param, expected)
    assert param.dtype == np.float32


def test_run_update_runs_amsgrad_on_the_numpy_update():
    # The twin takes m and v only: with amsgrad's running maximum, the NumPy update runs
    # (so the maximum is updated), on the numba backend too.
    rng = np.random.default_rng(1)
    arrays = random_arrays(rng, (3, 4), np.float32, 5, positive=(3, 4))  # p, g, m, v, v_max
    options = dict(lr=0.1, beta1=0.9, beta2=0.5, eps=1e-8, step=2)
    expected = [a.copy() for a in arrays]
    adam_update(*expected, **options)
    without_amsgrad = [a.copy() for a in arrays[:4]]
    adam_update(*without_amsgrad, **options)
    with use_backend("numba"):
        K.run_update(adam_update, arrays[0], arrays[1], tuple(arrays[2:]), options)
    for got, want in zip(arrays, expected, strict=True):
        np.testing.assert_array_equal(got, want)
    assert not np.array_equal(arrays[0], without_amsgrad[0])  # amsgrad mattered here


OPTIMIZERS = [
    (SGD, {"lr": 0.1}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 0.01}),
    (SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.5}),
    (Adam, {"lr": 0.01, "weight_decay": 0.1}),
    (AdamW, {"lr": 0.01}),
    (RMSprop, {"lr": 0.01, "momentum": 0.5}),
    (RMSprop, {"lr": 0.01, "weight_decay": 0.5}),
    (Adagrad, {"lr": 0.1}),
    (Adagrad, {"lr": 0.1, "lr_decay": 0.2, "weight_decay": 0.1,
               "initial_accumulator_value": 0.1}),
]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("kind", "kwargs"), OPTIMIZERS,
                         ids=[f"{k.__name__}{i}" for i, (k, _) in enumerate(OPTIMIZERS)])
def test_optimizers_give_identical_weights_on_both_backends(kind, kwargs, dtype):
    results = {}
    for backend in ("numba", "numpy"):
        rng = np.random.default_rng(3)
        params = [Parameter(rng.standard_normal(shape).astype(dtype))
                  for shape in [(5, 4), (4,), ()]]
        optimizer = kind(params, **kwargs)
        with use_backend(backend):
            for _ in range(5):
                for param in params:
                    param.grad[...] = rng.standard_normal(param.shape)
                optimizer.step()
        results[backend] = [param.data for param in params]
        assert all(param.dtype == dtype for param in params)
    for got, want in zip(results["numba"], results["numpy"], strict=True):
        np.testing.assert_array_equal(got, want)


def test_coefficients_hold_the_bias_corrections():
    coefficients = K.adam_coefficients(lr=0.1, beta1=0.9, beta2=0.999, eps=1e-8, step=2,
                                       weight_decay=0.5, decoupled=True)
    named = dict(zip(K.ADAM_COEFFICIENTS, coefficients.tolist(), strict=True))
    assert named["step_size"] == pytest.approx(0.1 / (1 - 0.9**2))
    assert named["bias_correction2_sqrt"] == pytest.approx(math.sqrt(1 - 0.999**2))
    assert named["weight_decay"] == 0 and named["decay_factor"] == pytest.approx(0.95)
