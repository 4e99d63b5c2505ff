"""Adaptive average pooling kernels: numba twin == NumPy reference, windows as PyTorch's."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from minnet.kernels.adaptive_pool import adaptive_avg_pool_2d, adaptive_avg_pool_2d_backward

DTYPES = st.sampled_from([np.float32, np.float64])
SIZES = st.integers(1, 9)


def tolerance(dtype):
    return 1e-5 if dtype == np.float32 else 1e-12


@given(shape=st.tuples(st.integers(0, 3), st.integers(1, 3), SIZES, SIZES),
       out_hw=st.tuples(SIZES, SIZES), dtype=DTYPES, seed=st.integers(0, 2**16))
def test_kernels_match_references(shape, out_hw, dtype, seed):
    """Any input and output sizes, smaller, equal or larger (windows then repeat inputs)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    expected, actual = (np.full(shape[:2] + out_hw, value, dtype) for value in (np.nan, -1.0))
    adaptive_avg_pool_2d.reference(x, expected)
    adaptive_avg_pool_2d.compiled(x, actual)
    np.testing.assert_allclose(actual, expected, rtol=tolerance(dtype), atol=tolerance(dtype))
    grad_out = rng.standard_normal(expected.shape).astype(dtype)
    back_expected, back_actual = (np.full(shape, value, dtype) for value in (np.nan, -1.0))
    adaptive_avg_pool_2d_backward.reference(grad_out, back_expected)
    adaptive_avg_pool_2d_backward.compiled(grad_out, back_actual)
    np.testing.assert_allclose(back_actual, back_expected, rtol=tolerance(dtype),
                               atol=tolerance(dtype))


@given(shape=st.tuples(st.integers(1, 2), st.integers(1, 2), SIZES, SIZES),
       out_hw=st.tuples(SIZES, SIZES), seed=st.integers(0, 2**16))
def test_backward_is_the_adjoint(shape, out_hw, seed):
    rng = np.random.default_rng(seed)
    x, other = rng.standard_normal(shape), rng.standard_normal(shape[:2] + out_hw)
    out, back = np.empty(other.shape), np.empty(shape)
    for forward, adjoint in ((adaptive_avg_pool_2d.reference,
                              adaptive_avg_pool_2d_backward.reference),
                             (adaptive_avg_pool_2d.compiled,
                              adaptive_avg_pool_2d_backward.compiled)):
        forward(x, out)
        adjoint(other, back)
        np.testing.assert_allclose(np.vdot(out, other), np.vdot(x, back), rtol=1e-10,
                                   atol=1e-10)


def test_windows_follow_pytorchs_formula():
    """5 inputs to 3 outputs: windows [0, 2), [1, 4), [3, 5), overlapping by one."""
    x = np.array([[[[1.0, 2.0, 4.0, 8.0, 16.0]]]])
    for kernel in (adaptive_avg_pool_2d.reference, adaptive_avg_pool_2d.compiled):
        out = np.empty((1, 1, 1, 3))
        kernel(x, out)
        np.testing.assert_allclose(out[0, 0, 0], [1.5, 14 / 3, 12.0], rtol=1e-15)


def test_an_infinite_input_reaches_only_its_windows():
    """No 0 * inf anywhere: the other windows stay finite (a pooling matrix would give NaN)."""
    x = np.array([[[[np.inf, 1.0, 2.0, 3.0]]]])
    for forward, backward in ((adaptive_avg_pool_2d.reference,
                               adaptive_avg_pool_2d_backward.reference),
                              (adaptive_avg_pool_2d.compiled,
                               adaptive_avg_pool_2d_backward.compiled)):
        out = np.empty((1, 1, 1, 2))
        forward(x, out)
        np.testing.assert_array_equal(out[0, 0, 0], [np.inf, 2.5])
        grad_x = np.empty(x.shape)
        backward(np.array([[[[np.inf, 2.0]]]]), grad_x)
        np.testing.assert_array_equal(grad_x[0, 0, 0], [np.inf, np.inf, 1.0, 1.0])
