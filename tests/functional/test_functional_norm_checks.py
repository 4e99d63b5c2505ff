"""The normalization functions check every argument in Python, before any kernel runs.

A wrong-shaped argument used to reach the kernels: batch norm with a beta of
shape (1,) for 3 channels broadcast on the NumPy backend and read past the
end of the array on the numba one, so the two backends gave different
numbers. Each case below is one ShapeError (or ConfigError, DataError,
DTypeError) with the same message on both backends.
"""

import numpy as np
import pytest

from minnet import errors
from minnet.functional.batchnorm import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    batchnorm_running_stats,
)
from minnet.functional.layernorm import layernorm_backward, layernorm_forward
from minnet.functional.weightnorm import norm_except_dim, weight_norm_backward, weight_norm_forward
from minnet.kernels import BACKENDS, use_backend

X = np.arange(24.0).reshape(4, 3, 2) % 5  # (N, C, L) with C = 3
ONES, ZEROS = np.ones(3), np.zeros(3)

BATCHNORM_FORWARD_CASES = [
    # (args, kwargs, error, match)
    ((X, ONES, np.zeros(1)), {}, errors.ShapeError, r"beta of shape \(3,\).*got \(1,\)"),
    ((X, np.ones(4), ZEROS), {}, errors.ShapeError, r"gamma of shape \(3,\).*got \(4,\)"),
    ((X, ONES[:, None], ZEROS), {}, errors.ShapeError, r"gamma of shape \(3,\).*\(3, 1\)"),
    ((X, ONES, ZEROS, 1e-5, np.zeros(2), ONES), {}, errors.ShapeError, r"mean of shape \(3,\)"),
    ((X, ONES, ZEROS, 1e-5, ZEROS, np.ones(1)), {}, errors.ShapeError, r"var of shape \(3,\)"),
    ((X, ONES, ZEROS, 1e-5, ZEROS), {}, errors.ConfigError, "mean and var.*both"),
    ((X, ONES, ZEROS, 1e-5, None, ONES), {}, errors.ConfigError, "mean and var.*both"),
    ((X, ONES, ZEROS, 1e-5, ZEROS, -ONES), {}, errors.DataError, "var.*negative"),
    ((X, ONES, ZEROS, 0.0), {}, errors.ConfigError, "'eps'"),
    ((X, ONES, ZEROS, np.nan), {}, errors.ConfigError, "'eps'"),
    ((X[0, 0], ONES, ZEROS), {}, errors.ShapeError, r"x of shape \(N, C, \*\).*got \(2,\)"),
    ((X[:1, :, :1], ONES, ZEROS), {}, errors.ShapeError, "more than 1 value per channel"),
    ((X[:0], ONES, ZEROS), {}, errors.ShapeError, "more than 1 value per channel"),
    ((X.astype(complex), ONES, ZEROS), {}, errors.DTypeError, "complex"),
    ((X, np.array(["a"] * 3), ZEROS), {}, errors.DTypeError, "gamma"),
]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("args, kwargs, error, match", BATCHNORM_FORWARD_CASES)
def test_batchnorm_forward_refuses_bad_arguments_on_both_backends(backend, args, kwargs, error,
                                                                  match):
    with use_backend(backend), pytest.raises(error, match=f"batchnorm_forward: .*{match}"):
        batchnorm_forward(*args, **kwargs)


def test_the_issue_example_gives_one_error_not_two_answers():
    messages = set()
    for backend in BACKENDS:
        with use_backend(backend), pytest.raises(errors.ShapeError) as info:
            batchnorm_forward(X, ONES, np.zeros(1))
        messages.add(str(info.value))
    assert len(messages) == 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_empty_batch_with_given_statistics_is_an_empty_output(backend):
    # Evaluation-mode batch norm of no samples: nothing to normalize, as in PyTorch.
    with use_backend(backend):
        out, cache = batchnorm_forward(X[:0], ONES, ZEROS, 1e-5, ZEROS, ONES)
        grads = batchnorm_backward_alt(np.zeros((0, 3, 2)), cache)
    assert out.shape == (0, 3, 2)
    assert grads[0].shape == (0, 3, 2) and not grads[1].any() and not grads[2].any()


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("backward", [batchnorm_backward, batchnorm_backward_alt],
                         ids=lambda f: f.__name__)
@pytest.mark.parametrize("grad_out, error, match", [
    (np.ones((4, 3)), errors.ShapeError, r"grad_out of shape \(4, 3, 2\)"),
    (np.ones((4, 3, 3)), errors.ShapeError, r"grad_out of shape \(4, 3, 2\)"),
    (np.ones((4, 3, 2, 1)), errors.ShapeError, r"grad_out of shape \(4, 3, 2\)"),
    (np.array(["x"]), errors.DTypeError, "grad_out"),
    (None, errors.DTypeError, "grad_out"),
])
def test_batchnorm_backward_refuses_a_wrong_grad_out(backend, backward, grad_out, error, match):
    with use_backend(backend):
        _, cache = batchnorm_forward(X, ONES, ZEROS)
        with pytest.raises(error, match=f"{backward.__name__}: .*{match}"):
            backward(grad_out, cache)


@pytest.mark.parametrize("args, match", [
    ((ZEROS, ONES, ZEROS, ONES, 1), "'count'"),
    ((ZEROS, ONES, ZEROS, ONES, 4, 1.5), "'momentum'"),
    ((ZEROS, ONES, np.zeros(2), ONES, 4), r"batch_mean of shape \(3,\)"),
    ((ZEROS, np.ones(4), ZEROS, ONES, 4), r"running_var of shape \(3,\)"),
])
def test_batchnorm_running_stats_refuses_bad_arguments(args, match):
    with pytest.raises(errors.MinnetError, match=f"batchnorm_running_stats: .*{match}"):
        batchnorm_running_stats(*args)


# --- layer norm ----------------------------------------------------------------

XL = np.arange(12.0).reshape(3, 4) % 3


@pytest.mark.parametrize("args, error, match", [
    ((XL, np.ones(3), np.zeros(4)), errors.ShapeError, r"gamma of shape \(4,\).*got \(3,\)"),
    ((XL, np.ones(4), np.zeros(1)), errors.ShapeError, r"beta of shape \(4,\).*got \(1,\)"),
    ((XL, np.ones((3, 4)), np.zeros((3, 4)), 1), errors.ShapeError, r"gamma of shape \(4,\)"),
    ((XL, np.ones(12), np.zeros(12), 2), errors.ShapeError, r"gamma of shape \(3, 4\)"),
    ((XL, np.ones(4), np.zeros(4), 3), errors.ShapeError, "at least 3 dimension"),
    ((XL, np.ones(4), np.zeros(4), 0), errors.ConfigError, "'normalized_ndim'"),
    ((XL, np.ones(4), np.zeros(4), 1, -1.0), errors.ConfigError, "'eps'"),
    ((XL.astype(object), np.ones(4), np.zeros(4)), errors.DTypeError, "x"),
])
def test_layernorm_forward_refuses_bad_arguments(args, error, match):
    with pytest.raises(error, match=f"layernorm_forward: .*{match}"):
        layernorm_forward(*args)


def test_layernorm_backward_refuses_a_wrong_grad_out():
    _, cache = layernorm_forward(XL, np.ones(4), np.zeros(4))
    match = r"layernorm_backward: .*grad_out of shape \(3, 4\)"
    with pytest.raises(errors.ShapeError, match=match):
        layernorm_backward(np.ones((4, 3)), cache)


def test_layernorm_of_an_empty_batch_is_empty():
    out, cache = layernorm_forward(np.zeros((0, 4)), np.ones(4), np.zeros(4))
    grad_x, grad_gamma, grad_beta = layernorm_backward(np.zeros((0, 4)), cache)
    assert out.shape == grad_x.shape == (0, 4)
    assert grad_gamma.shape == grad_beta.shape == (4,) and not grad_gamma.any()


# --- weight norm ---------------------------------------------------------------

V = np.arange(1.0, 7.0).reshape(2, 3)


@pytest.mark.parametrize("args, error, match", [
    ((np.ones((3, 1)), V, 0), errors.ShapeError, r"g of shape \(2, 1\).*got \(3, 1\)"),
    ((np.ones(2), V, 0), errors.ShapeError, r"g of shape \(2, 1\).*got \(2,\)"),
    ((np.ones(()), V, 2), errors.ConfigError, "'dim'"),
    ((np.ones(()), V, 1.0), errors.ConfigError, "'dim'"),
    ((np.ones(()), np.float64(3.0), None), errors.ShapeError, "at least 1 dimension"),
    ((np.ones(()), V.astype(complex), None), errors.DTypeError, "v"),
])
def test_weight_norm_forward_refuses_bad_arguments(args, error, match):
    with pytest.raises(error, match=f"weight_norm_forward: .*{match}"):
        weight_norm_forward(*args)


def test_weight_norm_backward_refuses_a_wrong_grad_w():
    _, cache = weight_norm_forward(norm_except_dim(V, 0), V, 0)
    match = r"weight_norm_backward: .*grad_w of shape \(2, 3\)"
    with pytest.raises(errors.ShapeError, match=match):
        weight_norm_backward(np.ones((3, 2)), cache)


def test_weight_norm_of_a_zero_direction_is_nan_without_a_warning():
    # PyTorch gives NaN for g * 0 / ||0||; so does minnet, and the test config
    # turns a NumPy RuntimeWarning raised in minnet into an error.
    weight, _ = weight_norm_forward(np.ones((2, 1)), np.zeros((2, 3)), 0)
    assert np.isnan(weight).all()
