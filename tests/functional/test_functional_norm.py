"""Batch norm, layer norm and weight norm as pure functions: properties and gradient checks."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.functional.batchnorm import (
    batchnorm_backward,
    batchnorm_backward_alt,
    batchnorm_forward,
    batchnorm_running_stats,
)
from minnet.functional.layernorm import layernorm_backward, layernorm_forward
from minnet.functional.weightnorm import (
    norm_except_dim,
    weight_norm_backward,
    weight_norm_forward,
)
from minnet.gradcheck import numerical_gradient, rel_error
from minnet.kernels import BACKENDS, use_backend

BACKWARDS = [batchnorm_backward, batchnorm_backward_alt]

# (N, C) or (N, C, L) or (N, C, H, W); N * positions >= 2 for batch statistics
bn_shapes = st.one_of(
    st.tuples(st.integers(2, 6), st.integers(1, 4)),
    st.tuples(st.integers(1, 4), st.integers(1, 3), st.integers(2, 5)),
    st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(2, 3)),
)


def bn_inputs(shape, seed):
    """Input with a mean and scale per channel, gamma, beta, and running statistics."""
    rng = np.random.default_rng(seed)
    channels = shape[1]
    offset = rng.uniform(-3, 3, channels).reshape((1, channels) + (1,) * (len(shape) - 2))
    x = rng.standard_normal(shape) * rng.uniform(0.5, 2.0) + offset
    gamma, beta = rng.uniform(0.5, 1.5, channels), rng.standard_normal(channels)
    running = (rng.standard_normal(channels), rng.uniform(0.5, 2.0, channels))
    return rng, x, gamma, beta, running


def channel_moments(out):
    axes = (0,) + tuple(range(2, out.ndim))
    return out.mean(axis=axes), out.var(axis=axes)


# --- batch norm ---------------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@given(shape=bn_shapes, seed=st.integers(0, 2**16))
def test_batchnorm_training_output_has_mean_0_and_variance_1(backend, shape, seed):
    _, x, gamma, beta, _ = bn_inputs(shape, seed)
    with use_backend(backend):
        out, cache = batchnorm_forward(x, np.ones(shape[1]), np.zeros(shape[1]), eps=1e-12)
        affine, _ = batchnorm_forward(x, gamma, beta, eps=1e-12)
    mean, var = channel_moments(out)
    expected_mean, expected_var = channel_moments(x)
    np.testing.assert_allclose(mean, 0.0, atol=1e-12)
    np.testing.assert_allclose(var, expected_var / (expected_var + 1e-12), rtol=1e-9)  # ~1
    np.testing.assert_allclose(affine, out * gamma.reshape(mean.shape + (1,) * (x.ndim - 2))
                               + beta.reshape(mean.shape + (1,) * (x.ndim - 2)), atol=1e-12)
    np.testing.assert_allclose(cache.mean, expected_mean, atol=1e-12)
    np.testing.assert_allclose(cache.var, expected_var, rtol=1e-10, atol=1e-12)  # biased


@pytest.mark.parametrize("backend", BACKENDS)
def test_batchnorm_with_given_statistics_uses_them(backend):
    _, x, gamma, beta, (mean, var) = bn_inputs((4, 3, 5), 0)
    with use_backend(backend):
        out, cache = batchnorm_forward(x, gamma, beta, 1e-5, mean, var)
        first, _ = batchnorm_forward(x[:1], gamma, beta, 1e-5, mean, var)
    expected = (gamma[:, None] * (x - mean[:, None]) / np.sqrt(var[:, None] + 1e-5)
                + beta[:, None])
    np.testing.assert_allclose(out, expected, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(first, out[:1], rtol=1e-13)  # a sample alone: same output
    assert not cache.batch_stats


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("batch_stats", [True, False])
@given(shape=bn_shapes, seed=st.integers(0, 2**16))
def test_the_two_batchnorm_backwards_agree(backend, batch_stats, shape, seed):
    rng, x, gamma, beta, running = bn_inputs(shape, seed)
    stats = () if batch_stats else running
    grad_out = rng.standard_normal(shape)
    with use_backend(backend):
        out, cache = batchnorm_forward(x, gamma, beta, 1e-5, *stats)
        graph = batchnorm_backward(grad_out, cache)
        closed = batchnorm_backward_alt(grad_out, cache)
    for a, b in zip(graph, closed, strict=True):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-10)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("backward", BACKWARDS, ids=lambda f: f.__name__)
@pytest.mark.parametrize("batch_stats", [True, False])
@given(shape=bn_shapes, seed=st.integers(0, 2**16))
def test_batchnorm_backwards_pass_gradient_checks(backend, backward, batch_stats, shape, seed):
    rng, x, gamma, beta, running = bn_inputs(shape, seed)
    stats = () if batch_stats else running
    grad_out = rng.standard_normal(shape)  # random, never ones: ones make dx vanish
    with use_backend(backend):
        _, cache = batchnorm_forward(x, gamma, beta, 1e-5, *stats)
        dx, dgamma, dbeta = backward(grad_out, cache)
        numeric = [numerical_gradient(lambda v, which=which: batchnorm_forward(
            *[v if i == which else a for i, a in enumerate((x, gamma, beta))], 1e-5, *stats)[0],
            arg.copy(), grad_out) for which, arg in enumerate((x, gamma, beta))]
    for analytic, expected in zip((dx, dgamma, dbeta), numeric, strict=True):
        assert rel_error(analytic, expected) < 1e-5 or np.allclose(analytic, expected, atol=1e-8)


def test_a_wrong_batchnorm_backward_fails_the_gradient_check():
    """The check above can fail: dropping the path through the mean is caught."""
    rng, x, gamma, beta, _ = bn_inputs((5, 3), 3)
    grad_out = rng.standard_normal(x.shape)
    _, cache = batchnorm_forward(x, gamma, beta)
    wrong = grad_out * gamma * cache.inv_std  # the evaluation-mode formula, used in training
    numeric = numerical_gradient(lambda v: batchnorm_forward(v, gamma, beta)[0], x.copy(),
                                 grad_out)
    assert rel_error(wrong, numeric) > 1e-2
    assert rel_error(batchnorm_backward_alt(grad_out, cache)[0], numeric) < 1e-6


@pytest.mark.parametrize("backward", BACKWARDS, ids=lambda f: f.__name__)
def test_batchnorm_functions_are_pure_and_keep_float32(backward):
    rng, x, gamma, beta, _ = bn_inputs((4, 3, 2), 5)
    x, gamma, beta = (a.astype(np.float32) for a in (x, gamma, beta))
    grad_out = rng.standard_normal(x.shape).astype(np.float32)
    copies = [a.copy() for a in (x, gamma, beta, grad_out)]
    out, cache = batchnorm_forward(x, gamma, beta)
    grads = backward(grad_out, cache)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    for array, copy in zip((x, gamma, beta, grad_out), copies, strict=True):
        np.testing.assert_array_equal(array, copy)


def test_batchnorm_backward_is_linear_in_grad_out():
    rng, x, gamma, beta, _ = bn_inputs((6, 2, 3), 7)
    _, cache = batchnorm_forward(x, gamma, beta)
    a, b = rng.standard_normal(x.shape), rng.standard_normal(x.shape)
    combined = batchnorm_backward_alt(2.0 * a - 3.0 * b, cache)
    for total, first, second in zip(combined, batchnorm_backward_alt(a, cache),
                                    batchnorm_backward_alt(b, cache), strict=True):
        np.testing.assert_allclose(total, 2.0 * first - 3.0 * second, rtol=1e-10, atol=1e-12)


def test_running_stats_follow_pytorch_momentum_and_unbiased_variance():
    running_mean, running_var = np.array([0.0, 1.0]), np.array([1.0, 2.0])
    batch = np.array([[1.0, 2.0], [3.0, 6.0], [5.0, 4.0]])
    mean, biased = batch.mean(axis=0), batch.var(axis=0)
    new_mean, new_var = batchnorm_running_stats(running_mean, running_var, mean, biased, 3, 0.1)
    np.testing.assert_allclose(new_mean, 0.9 * running_mean + 0.1 * np.array([3.0, 4.0]))
    np.testing.assert_allclose(new_var, 0.9 * running_var + 0.1 * np.array([4.0, 4.0]))  # ddof=1
    assert new_mean is not running_mean and running_mean.tolist() == [0.0, 1.0]
    f32 = batchnorm_running_stats(running_mean.astype(np.float32), running_var.astype(np.float32),
                                  mean, biased, 3, 1.0)
    assert all(a.dtype == np.float32 for a in f32)
    np.testing.assert_allclose(f32[1], batch.var(axis=0, ddof=1))


# --- layer norm ---------------------------------------------------------------


@given(batch=st.tuples(st.integers(1, 4)) | st.tuples(st.integers(1, 3), st.integers(1, 3)),
       normalized=st.tuples(st.integers(2, 5)) | st.tuples(st.integers(1, 3), st.integers(2, 3)),
       seed=st.integers(0, 2**16))
def test_layernorm_normalizes_each_sample_and_passes_gradient_checks(batch, normalized, seed):
    rng = np.random.default_rng(seed)
    shape = batch + normalized
    x = rng.standard_normal(shape) * 3 + rng.standard_normal(batch + (1,) * len(normalized))
    gamma, beta = rng.uniform(0.5, 1.5, normalized), rng.standard_normal(normalized)
    axes = tuple(range(len(batch), len(shape)))
    plain, _ = layernorm_forward(x, np.ones(normalized), np.zeros(normalized), len(normalized),
                                 eps=1e-12)
    np.testing.assert_allclose(plain.mean(axis=axes), 0.0, atol=1e-12)
    spread = x.var(axis=axes)
    np.testing.assert_allclose(plain.var(axis=axes), spread / (spread + 1e-12), rtol=1e-9)
    out, cache = layernorm_forward(x, gamma, beta, len(normalized))
    grad_out = rng.standard_normal(shape)
    grads = layernorm_backward(grad_out, cache)
    for which, (arg, analytic) in enumerate(zip((x, gamma, beta), grads, strict=True)):
        def forward(v, which=which):
            args = [v if i == which else a for i, a in enumerate((x, gamma, beta))]
            return layernorm_forward(*args, len(normalized))[0]
        numeric = numerical_gradient(forward, arg.copy(), grad_out)
        assert analytic.shape == arg.shape
        assert rel_error(analytic, numeric) < 1e-5 or np.allclose(analytic, numeric, atol=1e-8)


def test_layernorm_keeps_float32_and_leaves_inputs_alone():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    gamma, beta = np.ones(4, np.float32), np.zeros(4, np.float32)
    before = x.copy()
    out, cache = layernorm_forward(x, gamma, beta)
    grads = layernorm_backward(rng.standard_normal((3, 4)).astype(np.float32), cache)
    assert out.dtype == np.float32 and all(g.dtype == np.float32 for g in grads)
    np.testing.assert_array_equal(x, before)


# --- weight norm --------------------------------------------------------------


@pytest.mark.parametrize("shape, dim, g_shape", [
    ((4, 3), 0, (4, 1)), ((4, 3), 1, (1, 3)), ((4, 3), None, ()),
    ((5, 2, 3), 0, (5, 1, 1)), ((5, 2, 3, 3), 1, (1, 2, 1, 1)),
])
def test_norm_except_dim_has_pytorchs_shapes(shape, dim, g_shape):
    v = np.random.default_rng(0).standard_normal(shape)
    norm = norm_except_dim(v, dim)
    assert np.shape(norm) == g_shape
    if dim == 0:
        np.testing.assert_allclose(norm.reshape(-1), np.linalg.norm(v.reshape(shape[0], -1),
                                                                    axis=1))


@given(shape=st.sampled_from([(4, 3), (3, 2, 2), (2, 3, 2, 2), (5,)]),
       dim=st.sampled_from([0, 1, None]), seed=st.integers(0, 2**16))
def test_weight_norm_pair_passes_gradient_checks(shape, dim, seed):
    if dim is not None and dim >= len(shape):
        dim = 0
    rng = np.random.default_rng(seed)
    v = rng.standard_normal(shape)
    g = rng.uniform(0.5, 2.0, np.shape(norm_except_dim(v, dim)))
    w, cache = weight_norm_forward(g, v, dim)
    np.testing.assert_allclose(norm_except_dim(w, dim), np.abs(g), rtol=1e-12)  # |w| = |g|
    grad_w = rng.standard_normal(shape)
    dg, dv = weight_norm_backward(grad_w, cache)
    assert np.shape(dg) == np.shape(g) and dv.shape == v.shape
    numeric_g = numerical_gradient(lambda a: weight_norm_forward(a, v, dim)[0], g.copy(), grad_w)
    numeric_v = numerical_gradient(lambda a: weight_norm_forward(g, a, dim)[0], v.copy(), grad_w)
    assert rel_error(dg, numeric_g) < 1e-6
    assert rel_error(dv, numeric_v) < 1e-5 or np.allclose(dv, numeric_v, atol=1e-8)
    # dv has no component along v: stretching v does not change w
    axes = None if dim is None else tuple(a for a in range(v.ndim) if a != dim)
    np.testing.assert_allclose(np.sum(dv * v, axis=axes), 0.0, atol=1e-10)


def test_weight_norm_backward_is_not_the_naive_chain():
    """Forgetting the dependence of ||v|| on v (dv = g / ||v|| * dw) fails the check."""
    rng = np.random.default_rng(1)
    v, grad_w = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    g = norm_except_dim(v, 0) * 1.5
    _, cache = weight_norm_forward(g, v, 0)
    numeric = numerical_gradient(lambda a: weight_norm_forward(g, a, 0)[0], v.copy(), grad_w)
    naive = g / norm_except_dim(v, 0) * grad_w
    assert rel_error(naive, numeric) > 1e-2
    assert rel_error(weight_norm_backward(grad_w, cache)[1], numeric) < 1e-6
