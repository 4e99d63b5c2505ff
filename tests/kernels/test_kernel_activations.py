"""ReLU's kernels: the numba twins equal the NumPy references bit for bit, edge values included."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.functional import relu_backward, relu_forward
from minnet.kernels import use_backend
from minnet.kernels.activations import relu, relu_flat, relu_grad, relu_grad_flat

EDGES = [np.nan, -0.0, 0.0, -1.0, 2.0, np.inf, -np.inf, 1e-45, -1e-45]


def assert_same_bits(a, b):
    assert a.dtype == b.dtype and a.shape == b.shape
    np.testing.assert_array_equal(np.signbit(a), np.signbit(b))
    np.testing.assert_array_equal(a, b)  # NaN equals NaN here


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_edge_values_match_the_reference(dtype):
    x = np.array(EDGES, dtype=dtype)
    grad = np.array(EDGES[::-1], dtype=dtype)
    outs, grads = [], []
    for kernel, grad_kernel in ((relu_flat.reference, relu_grad_flat.reference),
                                (relu_flat.compiled, relu_grad_flat.compiled)):
        out, grad_x = np.empty_like(x), np.empty_like(grad)
        with np.errstate(invalid="ignore"):
            kernel(x, out)
            grad_kernel(grad, x, grad_x)
        outs.append(out)
        grads.append(grad_x)
    assert_same_bits(outs[1], outs[0])
    assert_same_bits(grads[1], grads[0])
    assert_same_bits(outs[0], np.maximum(x, 0))  # the reference is NumPy's ReLU


@given(shape=st.lists(st.integers(0, 5), max_size=4), seed=st.integers(0, 2**16),
       dtype=st.sampled_from([np.float32, np.float64]), transpose=st.booleans())
def test_both_backends_agree_on_any_shape_and_layout(shape, seed, dtype, transpose):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(dtype)
    grad = rng.standard_normal(shape).astype(dtype)
    if transpose:  # not C-contiguous: the wrappers copy
        x, grad = x.T, grad.T
    results = {}
    for backend in ("numpy", "numba"):
        with use_backend(backend):
            results[backend] = relu(x), relu_grad(grad, x)
    for numba_result, numpy_result in zip(results["numba"], results["numpy"]):
        assert_same_bits(numba_result, numpy_result)
    np.testing.assert_array_equal(results["numba"][0], np.maximum(x, 0))
    np.testing.assert_array_equal(results["numba"][1], np.where(x > 0, grad, 0))


def test_the_functional_pair_uses_them_and_keeps_its_contract():
    x = np.array([[-1.0, 2.0], [3.0, -4.0]], dtype=np.float32)
    out, cache = relu_forward(x)
    assert out.dtype == np.float32 and np.array_equal(out, [[0, 2], [3, 0]])
    grad_x = relu_backward(np.ones_like(x), cache)
    np.testing.assert_array_equal(grad_x, [[0, 1], [1, 0]])
    assert x[0, 0] == -1.0  # nothing modified in place


def test_a_wrong_kernel_would_be_caught():
    """The bit comparison fires on a ReLU that maps -0.0 to -0.0 (np.where(x < 0, 0, x))."""
    x = np.array(EDGES)
    with pytest.raises(AssertionError):
        assert_same_bits(np.where(x < 0, 0, x), np.maximum(x, 0))
