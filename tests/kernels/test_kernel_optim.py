"""Fused optimizer updates: each numba twin equals its NumPy reference bit for bit,
the dispatch falls back to the reference for arrays the twin does not take, and the
optimizers give the same weights on both backends."""

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.core import Parameter
from minnet.kernels import optim as K
from minnet.kernels import use_backend
from minnet.optim import SGD, Adagrad, Adam, AdamW, RMSprop

DTYPES = st.sampled_from([np.float32, np.float64])
SHAPES = st.sampled_from([(), (1,), (7,), (3, 5), (2, 3, 4), (0, 3)])


def random_arrays(rng, shape, dtype, count, positive=()):
    """``count`` random arrays; the ones at indices in ``positive`` are >= 0 (second moments)."""
    arrays = [rng.standard_normal(shape).astype(dtype) for _ in range(count)]
    return [np.abs(a) if i in positive else a for i, a in enumerate(arrays)]


def assert_twins_agree(kernel, arrays, coefficients):
    """Run reference and twin on copies (twin on flat views); all arrays equal to the bit."""
    expected = [a.copy() for a in arrays]
    actual = [a.copy() for a in arrays]
    kernel.reference(*expected, coefficients)
    kernel.compiled(*(a.reshape(-1) for a in actual), coefficients)
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
    coefficients = K.adam_coefficients(lr, *betas, 1e-8, step, weight_decay, decoupled)
    assert_twins_agree(K.adam_update, arrays, coefficients)


@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16),
       momentum=st.sampled_from([0.0, 0.9]), nesterov=st.booleans(),
       weight_decay=st.sampled_from([0.0, 1e-2]), dampening=st.sampled_from([0.0, 0.3]))
def test_sgd_twin_matches_reference(shape, dtype, seed, momentum, nesterov, weight_decay,
                                    dampening):
    rng = np.random.default_rng(seed)
    arrays = random_arrays(rng, shape, dtype, 3)  # param, grad, momentum buffer
    nesterov = nesterov and momentum > 0 and dampening == 0
    coefficients = K.sgd_coefficients(0.05, momentum, weight_decay, nesterov, dampening)
    assert_twins_agree(K.sgd_update, arrays, coefficients)


@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16),
       momentum=st.sampled_from([0.0, 0.9]), alpha=st.sampled_from([0.99, 0.5]),
       weight_decay=st.sampled_from([0.0, 0.1]))
def test_rmsprop_twin_matches_reference(shape, dtype, seed, momentum, alpha, weight_decay):
    rng = np.random.default_rng(seed)
    arrays = random_arrays(rng, shape, dtype, 4, positive=(2,))  # param, grad, avg, buffer
    coefficients = K.rmsprop_coefficients(0.01, alpha, 1e-8, momentum, weight_decay)
    assert_twins_agree(K.rmsprop_update, arrays, coefficients)


@given(shape=SHAPES, dtype=DTYPES, seed=st.integers(0, 2**16), step=st.integers(1, 50),
       lr_decay=st.sampled_from([0.0, 0.1]), weight_decay=st.sampled_from([0.0, 0.1]))
def test_adagrad_twin_matches_reference(shape, dtype, seed, step, lr_decay, weight_decay):
    rng = np.random.default_rng(seed)
    arrays = random_arrays(rng, shape, dtype, 3, positive=(2,))  # param, grad, sum
    coefficients = K.adagrad_coefficients(0.1, 1e-10, step, lr_decay, weight_decay)
    assert_twins_agree(K.adagrad_update, arrays, coefficients)


def test_sgd_first_momentum_step_is_the_gradient_itself():
    # PyTorch clones the gradient into a new buffer; a zero buffer with dampening 0
    # for that step gives exactly the same bits, on both twins.
    for twin in ("reference", "compiled"):
        param, grad = np.array([1.0, -2.0]), np.array([0.3, 0.7])
        buffer = np.zeros(2)
        getattr(K.sgd_update, twin)(param, grad, buffer,
                                    K.sgd_coefficients(0.1, 0.9, dampening=0.0))
        np.testing.assert_array_equal(buffer, grad)


def test_rmsprop_centered_reference_is_the_textbook_formula():
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    square_avg, grad_avg = np.array([0.04, 0.01]), np.array([0.1, -0.1])
    alpha, lr, eps = 0.9, 0.1, 1e-8
    v_new = alpha * square_avg + (1 - alpha) * grad ** 2
    mean_new = alpha * grad_avg + (1 - alpha) * grad
    expected = param - lr * grad / (np.sqrt(v_new - mean_new ** 2) + eps)
    K.rmsprop_centered_update(param, grad, square_avg, grad_avg, None,
                              K.rmsprop_coefficients(lr, alpha, eps))
    np.testing.assert_allclose(param, expected, rtol=1e-13)
    np.testing.assert_allclose(grad_avg, mean_new, rtol=1e-13)


def test_rmsprop_centered_clamps_a_variance_that_round_off_makes_negative():
    # A constant gradient: E[g^2] - E[g]^2 is 0 in exact arithmetic and may round below.
    param, grad = np.array([1.0]), np.array([0.3])
    square_avg, grad_avg = np.array([0.09]), np.array([0.3 + 1e-16])
    with np.errstate(invalid="raise"):
        K.rmsprop_centered_update(param, grad, square_avg, grad_avg, None,
                                  K.rmsprop_coefficients(0.01, 0.5, 1e-8))
    assert np.isfinite(param).all()


def test_adam_reference_is_the_textbook_formula():
    param, grad = np.array([1.0, -2.0]), np.array([0.5, 0.25])
    m, v = np.array([0.1, 0.0]), np.array([0.04, 0.0])
    beta1, beta2, lr, eps, step = 0.9, 0.99, 0.1, 1e-8, 3
    m_new = beta1 * m + (1 - beta1) * grad
    v_new = beta2 * v + (1 - beta2) * grad**2
    expected = param - lr * (m_new / (1 - beta1**step)) / (
        np.sqrt(v_new / (1 - beta2**step)) + eps)
    K.adam_update.reference(param, grad, m, v,
                            K.adam_coefficients(lr, beta1, beta2, eps, step))
    np.testing.assert_allclose(param, expected, rtol=1e-12)
    np.testing.assert_allclose(m, m_new, rtol=1e-12)


@pytest.mark.parametrize("twin", ["reference", "compiled"])
def test_nan_in_the_gradient_reaches_the_parameter(twin):
    param, grad = np.ones(3), np.array([0.0, np.nan, 1.0])
    m, v = np.zeros(3), np.zeros(3)
    getattr(K.adam_update, twin)(param, grad, m, v, K.adam_coefficients(0.1, 0.9, 0.999,
                                                                         1e-8, 1))
    assert np.isnan(param[1]) and np.all(np.isfinite(param[[0, 2]]))


def test_apply_update_falls_back_for_a_non_contiguous_parameter():
    rng = np.random.default_rng(0)
    base = rng.standard_normal((4, 6)).astype(np.float32)
    grad = rng.standard_normal((4, 3)).astype(np.float32)
    coefficients = K.sgd_coefficients(0.1, 0.9)
    view, buffer = base[:, ::2], np.zeros((4, 3), np.float32)  # a strided view
    expected = view.copy()
    K.sgd_update.reference(expected, grad, np.zeros((4, 3), np.float32), coefficients)
    with use_backend("numba"):
        K.apply_update(K.sgd_update, view, grad, (buffer,), coefficients)
    np.testing.assert_array_equal(base[:, ::2], expected)  # updated in place, through the view
    np.testing.assert_array_equal(buffer, grad)


def test_apply_update_falls_back_for_a_grad_of_another_dtype():
    param = np.array([1.0, 2.0], np.float32)
    grad = np.array([0.1, 0.2])  # float64 .grad on a float32 parameter
    expected = param.copy()
    coefficients = K.sgd_coefficients(0.3)
    K.sgd_update.reference(expected, grad, None, coefficients)
    with use_backend("numba"):
        K.apply_update(K.sgd_update, param, grad, (None,), coefficients)
    np.testing.assert_array_equal(param, expected)
    assert param.dtype == np.float32


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
    coefficients = K.adam_coefficients(0.1, 0.9, 0.999, 1e-8, 2, weight_decay=0.5,
                                       decoupled=True)
    named = dict(zip(K.ADAM_COEFFICIENTS, coefficients.tolist(), strict=True))
    assert named["step_size"] == pytest.approx(0.1 / (1 - 0.9**2))
    assert named["bias_correction2_sqrt"] == pytest.approx(math.sqrt(1 - 0.999**2))
    assert named["weight_decay"] == 0 and named["decay_factor"] == pytest.approx(0.95)
