"""Batch-norm kernels: each numba twin equals its NumPy reference; one-pass variance is exact."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.kernels import Kernel
from minnet.kernels.batchnorm import (
    batchnorm_input_grad,
    batchnorm_normalize,
    channel_grad_sums,
    channel_mean_var,
)

KERNELS = [channel_mean_var, batchnorm_normalize, channel_grad_sums, batchnorm_input_grad]


def strided_view(rng, shape, dtype):
    """Random (N, C, S) values as a non-contiguous view (every other position)."""
    n, c, s = shape
    wide = (rng.standard_normal((n, c, 2 * s)) * 2.0).astype(dtype)
    return wide[:, :, ::2]


def kernel_inputs(rng, shape, dtype, strided):
    """Arguments for every kernel, as the Python wrappers would pass them."""
    if strided:
        x, grad = strided_view(rng, shape, dtype), strided_view(rng, shape, dtype)
        assert not x.flags.c_contiguous or x.size <= 1
    else:
        x = rng.standard_normal(shape).astype(dtype)
        grad = rng.standard_normal(shape).astype(dtype)
    channels = shape[1]
    vectors = [rng.standard_normal(channels).astype(dtype) for _ in range(4)]
    return {
        "channel_mean_var": (x,),
        "batchnorm_normalize": (x, *vectors[:3]),
        "channel_grad_sums": (grad, x, vectors[0]),
        "batchnorm_input_grad": (grad, x, *vectors),
    }


def tolerance(dtype):
    return {"rtol": 2e-5, "atol": 2e-5} if dtype == np.float32 else {"rtol": 1e-12, "atol": 1e-12}


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
@given(n=st.integers(1, 6), c=st.integers(1, 5), s=st.sampled_from([1, 1, 2, 3, 7, 16]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16),
       strided=st.booleans())
def test_kernel_matches_reference(kernel, n, c, s, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    args = kernel_inputs(rng, (n, c, s), dtype, strided)[kernel.__name__]
    before = [a.copy() for a in args]
    expected = kernel.reference(*args)
    actual = kernel.compiled(*args)
    expected = expected if isinstance(expected, tuple) else (expected,)
    actual = actual if isinstance(actual, tuple) else (actual,)
    for got, want in zip(actual, expected, strict=True):
        assert got.dtype == want.dtype == dtype and got.shape == want.shape
        np.testing.assert_allclose(got, want, **tolerance(dtype))
    for arg, copy in zip(args, before):
        np.testing.assert_array_equal(arg, copy)  # kernels never write into their inputs


@pytest.mark.parametrize("kernel", KERNELS, ids=lambda k: k.__name__)
def test_kernels_are_dispatching_kernel_objects(kernel):
    assert isinstance(kernel, Kernel) and kernel.numba_module == "batchnorm_numba"
    assert kernel.compiled.__name__ == kernel.reference.__name__


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("s", [1, 9])
def test_one_pass_variance_survives_a_large_mean(dtype, s):
    """E[x^2] - E[x]^2 would lose every digit here; the shifted sums do not."""
    rng = np.random.default_rng(0)
    x = (1e4 + rng.standard_normal((64, 3, s))).astype(dtype)
    exact = x.astype(np.float64)
    exact_mean = exact.mean(axis=(0, 2))
    exact_var = ((exact - exact_mean[:, None]) ** 2).mean(axis=(0, 2))
    mean, var = channel_mean_var.compiled(x)
    np.testing.assert_allclose(mean, exact_mean, rtol=1e-6)
    np.testing.assert_allclose(var, exact_var, rtol=1e-5 if dtype == np.float32 else 1e-10)
    naive = (exact**2).mean(axis=(0, 2)).astype(dtype) - exact_mean.astype(dtype) ** 2
    if dtype == np.float32:  # the test would not notice the naive formula otherwise
        assert np.max(np.abs(naive - exact_var) / exact_var) > 0.1


@pytest.mark.parametrize("s", [1, 4])
def test_constant_channel_has_zero_variance_and_nan_propagates(s):
    x = np.random.default_rng(1).standard_normal((5, 3, s))
    x[:, 0] = 3.25
    x[2, 2, 0] = np.nan
    for implementation in (channel_mean_var.reference, channel_mean_var.compiled):
        mean, var = implementation(x)
        assert mean[0] == 3.25 and var[0] == 0.0
        assert np.isfinite(mean[1]) and var[1] > 0
        assert np.isnan(mean[2]) and np.isnan(var[2])


def test_reductions_accumulate_in_float64_for_float32_input():
    """A float32 running sum drifts over 2**20 values; the kernel's float64 one does not."""
    grad = np.full((1 << 20, 1, 1), 0.1, dtype=np.float32)
    x = np.ones_like(grad)
    exact = float(np.float32(0.1)) * (1 << 20)
    total, centered = channel_grad_sums.compiled(grad, x, np.zeros(1, np.float32))
    assert abs(float(total[0]) - exact) <= 1e-7 * exact
    assert abs(float(centered[0]) - exact) <= 1e-7 * exact
    running = np.float32(0)
    for chunk in grad.reshape(-1, 1024):  # what a float32 accumulator would give, roughly
        running = np.float32(running + chunk.sum(dtype=np.float32))
    assert abs(float(running) - exact) > 1e-7 * exact


def test_input_grad_is_the_affine_formula():
    rng = np.random.default_rng(2)
    grad, x = rng.standard_normal((2, 3, 4)), rng.standard_normal((2, 3, 4))
    mean, a, b, d = (rng.standard_normal(3) for _ in range(4))
    expected = grad * a[:, None] + (x - mean[:, None]) * b[:, None] + d[:, None]
    for implementation in (batchnorm_input_grad.reference, batchnorm_input_grad.compiled):
        np.testing.assert_allclose(implementation(grad, x, mean, a, b, d), expected, rtol=1e-13)


NON_FINITE = [np.inf, -np.inf, np.nan]


@pytest.mark.parametrize("s", [1, 3])
@given(data=st.data())
def test_non_finite_statistics_match_the_reference(s, data):
    """±inf and NaN anywhere (the first value of a channel too, where the one-pass kernel
    takes its pivot) give the reference's statistics: inf where PyTorch has inf, NaN where
    it has NaN."""
    x = np.random.default_rng(3).standard_normal((4, 3, s))
    for index in data.draw(st.lists(st.tuples(st.integers(0, 3), st.integers(0, 2),
                                              st.integers(0, s - 1)), min_size=1, max_size=3)):
        x[index] = data.draw(st.sampled_from(NON_FINITE))
    with np.errstate(invalid="ignore", over="ignore"):
        expected = channel_mean_var.reference(x)
    actual = channel_mean_var.compiled(x)
    for got, want in zip(actual, expected, strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12)  # NaN equals NaN here


def test_an_inf_first_value_gives_an_inf_mean_as_pytorch_does():
    x = np.array([[np.inf, 0.0], [1.0, 0.5], [2.0, 1.5]])[:, :, None]
    mean, var = channel_mean_var.compiled(x)
    assert mean[0] == np.inf and np.isnan(var[0])
    assert np.isfinite(mean[1]) and np.isfinite(var[1])
