"""Recurrent gate kernels: each numba twin equals its NumPy reference, which is right."""

import numba
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from minnet.functional.recurrent import sigmoid
from minnet.kernels.recurrent import (
    gru_gates_backward,
    gru_gates_forward,
    gru_hidden_forward,
    gru_step_fused,
    lstm_gates_backward,
    lstm_gates_forward,
    lstm_step_fused,
    rnn_activation_backward,
)
from minnet.testing.tolerances import parity_tolerances

DTYPES = [np.float32, np.float64]


def make(rng, size, dtype, strided, low=-2.0, high=2.0):
    """A 1-D array of ``size`` values, every other entry of a longer one when ``strided``."""
    values = rng.uniform(low, high, size=2 * size).astype(dtype)
    return values[::2] if strided else values[:size].copy()


def run_both(kernel, inputs, written):
    """Run reference and numba twin on copies; return both lists of the written arrays."""
    results = []
    for implementation in (kernel.reference, kernel.compiled):
        arrays = [array.copy() if isinstance(array, np.ndarray) else array for array in inputs]
        implementation(*arrays)
        results.append([arrays[index] for index in written])
    return results


def assert_same(results, dtype):
    for ours, reference in zip(results[1], results[0]):
        np.testing.assert_allclose(ours, reference, **parity_tolerances(dtype))


SHAPES = dict(size=st.integers(1, 70), dtype=st.sampled_from(DTYPES),
              seed=st.integers(0, 2**16), strided=st.booleans())


@given(**SHAPES, is_tanh=st.booleans())
def test_rnn_activation_backward_matches_reference(size, dtype, seed, strided, is_tanh):
    rng = np.random.default_rng(seed)
    hidden = np.tanh(make(rng, size, dtype, strided)) if is_tanh else make(rng, size, dtype,
                                                                             strided)
    inputs = [make(rng, size, dtype, strided), hidden, is_tanh, np.empty(size, dtype)]
    assert_same(run_both(rnn_activation_backward, inputs, [3]), dtype)


@given(**SHAPES)
def test_lstm_gates_forward_matches_reference(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    inputs = [make(rng, 4 * size, dtype, strided, -1, 1), make(rng, size, dtype, strided),
              np.empty(size, dtype)]
    assert_same(run_both(lstm_gates_forward, inputs, [0, 2]), dtype)


@given(**SHAPES)
def test_lstm_step_fused_matches_reference(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    inputs = [make(rng, 4 * size, dtype, strided, -6, 6), make(rng, 4 * size, dtype, strided),
              make(rng, 4 * size, dtype, strided, -6, 6), make(rng, size, dtype, strided),
              *(np.empty(size, dtype) for _ in range(3))]
    assert_same(run_both(lstm_step_fused, inputs, [2, 4, 5, 6]), dtype)


@given(**SHAPES)
def test_lstm_gates_backward_matches_reference(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    gates = make(rng, 4 * size, dtype, strided, 0, 1)
    inputs = [make(rng, size, dtype, strided), make(rng, size, dtype, strided), gates,
              make(rng, size, dtype, strided), make(rng, size, dtype, strided, -1, 1),
              np.empty(4 * size, dtype), np.empty(size, dtype)]
    assert_same(run_both(lstm_gates_backward, inputs, [5, 6]), dtype)


@given(**SHAPES)
def test_gru_gates_forward_matches_reference(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    inputs = [make(rng, 3 * size, dtype, strided, -1, 1), make(rng, 3 * size, dtype, strided),
              make(rng, 3 * size, dtype, strided), make(rng, size, dtype, strided),
              np.empty(size, dtype)]
    assert_same(run_both(gru_gates_forward, inputs, [0, 4]), dtype)


@given(**SHAPES)
def test_gru_step_fused_matches_reference(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    inputs = [np.empty(3 * size, dtype), make(rng, 3 * size, dtype, strided, -6, 6),
              make(rng, 3 * size, dtype, strided, -6, 6), make(rng, size, dtype, strided),
              np.empty(size, dtype), make(rng, size, dtype, strided, -1, 1),
              np.empty(size, dtype)]
    assert_same(run_both(gru_step_fused, inputs, [0, 4, 6]), dtype)


@given(**SHAPES)
def test_gru_hidden_forward_matches_reference(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    inputs = [make(rng, 3 * size, dtype, strided, -1, 1), make(rng, size, dtype, strided),
              np.empty(size, dtype)]
    assert_same(run_both(gru_hidden_forward, inputs, [2]), dtype)


@given(**SHAPES)
def test_gru_gates_backward_matches_reference(size, dtype, seed, strided):
    rng = np.random.default_rng(seed)
    inputs = [make(rng, size, dtype, strided), make(rng, 3 * size, dtype, strided, 0, 1),
              make(rng, size, dtype, strided), make(rng, size, dtype, strided),
              np.empty(3 * size, dtype), np.empty(3 * size, dtype), np.empty(size, dtype)]
    assert_same(run_both(gru_gates_backward, inputs, [4, 5, 6]), dtype)


# --- the references against the textbook formulas -------------------------------------


@pytest.mark.parametrize("implementation", ["reference", "compiled"])
def test_lstm_forward_kernel_computes_the_gates_and_cell(implementation, rng):
    size = 5
    preact = rng.uniform(-40, 40, size=4 * size)  # saturated gates too
    scale = np.repeat([0.5, 0.5, 1.0, 0.5], size)
    gates, c_prev, c_next = np.tanh(preact * scale), rng.standard_normal(size), np.empty(size)
    getattr(lstm_gates_forward, implementation)(gates, c_prev, c_next)
    i, f, g, o = np.split(preact, 4)
    expected = np.concatenate([sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)])
    np.testing.assert_allclose(gates, expected, rtol=1e-15, atol=2e-16)  # round-off, absolute
    np.testing.assert_allclose(c_next, sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g), atol=1e-15)


@pytest.mark.parametrize("implementation", ["reference", "compiled"])
def test_lstm_backward_kernel_matches_numerical_derivatives(implementation, rng):
    size, eps = 4, 1e-6
    preact, c_prev = rng.standard_normal(4 * size), rng.standard_normal(size)
    grad_h, grad_c = rng.standard_normal(size), rng.standard_normal(size)

    def step(a):  # the loss sum(grad_h * h) + sum(grad_c * c) of one step
        i, f, g, o = np.split(a, 4)
        c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
        return np.sum(grad_h * sigmoid(o) * np.tanh(c)) + np.sum(grad_c * c)

    numeric = np.array([(step(preact + eps * e) - step(preact - eps * e)) / (2 * eps)
                        for e in np.eye(4 * size)])
    i, f, g, o = np.split(preact, 4)
    gates = np.concatenate([sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)])
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    grad_preact, grad_c_prev = np.empty(4 * size), np.empty(size)
    getattr(lstm_gates_backward, implementation)(grad_h, grad_c, gates, c_prev, np.tanh(c),
                                                 grad_preact, grad_c_prev)
    np.testing.assert_allclose(grad_preact, numeric, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(grad_c_prev, (grad_c + grad_h * sigmoid(o) * (1 - np.tanh(c) ** 2))
                               * sigmoid(f), rtol=1e-12)


@pytest.mark.parametrize("implementation", ["reference", "compiled"])
def test_rnn_relu_backward_passes_gradient_only_where_active(implementation):
    grad, hidden, out = np.array([1.0, 2.0, 3.0]), np.array([0.5, 0.0, -1.0]), np.empty(3)
    getattr(rnn_activation_backward, implementation)(grad, hidden, False, out)
    np.testing.assert_array_equal(out, [1.0, 0.0, 0.0])
    getattr(rnn_activation_backward, implementation)(grad, hidden, True, out)
    np.testing.assert_allclose(out, grad * (1 - hidden ** 2))


@pytest.mark.parametrize("implementation", ["reference", "compiled"])
def test_kernels_keep_float32(implementation, rng):
    gates = np.tanh(rng.standard_normal(8)).astype(np.float32)
    c_prev, c_next = np.ones(2, np.float32), np.zeros(2, np.float32)
    getattr(lstm_gates_forward, implementation)(gates, c_prev, c_next)
    assert gates.dtype == c_next.dtype == np.float32
    np.testing.assert_allclose(c_next, gates[2:4] * 1 + gates[0:2] * gates[4:6], rtol=1e-6)


def test_nan_flows_through_the_compiled_kernels():
    gates = np.array([np.nan, 0.0, 0.0, 0.0])
    c_next = np.empty(1)
    lstm_gates_forward.compiled(gates, np.zeros(1), c_next)
    assert np.isnan(c_next[0])  # no fastmath: the doctor must see NaN


@pytest.mark.parametrize("dtype", DTYPES)
def test_compiled_tanh_is_accurate_everywhere(dtype):
    """float32: the rational approximation within 4e-7 of the exact tanh (absolute), over
    a dense grid, the clamp's edges, huge values and +-inf; float64: math.tanh, exact."""
    from minnet.kernels.recurrent_numba import tanh

    @numba.njit
    def apply(values, out):
        for e in range(values.shape[0]):
            out[e] = tanh(values[e])

    edge = 7.90531110763549805
    values = np.concatenate([np.linspace(-12, 12, 400_001), [0.0, -0.0, 1e-30, -1e-30, edge,
                             -edge, np.nextafter(edge, 9), 1e30, -1e30, np.inf, -np.inf]])
    values = values.astype(dtype)
    out = np.empty_like(values)
    apply(values, out)
    assert out.dtype == dtype
    exact = np.tanh(values.astype(np.float64))
    bound = 4e-7 if dtype == np.float32 else 1e-15
    assert np.max(np.abs(out - exact)) < bound
    assert np.max(np.abs(out)) <= 1  # never outside [-1, 1]
    tiny = np.abs(values) < 1e-3  # relative accuracy where tanh(x) ~ x
    assert np.max(np.abs(out[tiny] - exact[tiny]) / np.maximum(np.abs(exact[tiny]), 1e-38)) < 4e-7
    assert np.signbit(out[values == 0]).tolist() == np.signbit(values[values == 0]).tolist()
    nan = np.array([np.nan], dtype)
    apply(nan, out[:1])
    assert np.isnan(out[0])  # the clamp lets NaN through


def test_lstm_step_fused_float32_equals_the_exact_gates(rng):
    """The float32 twin against float64 formulas: saturated preactivations too."""
    size = 6
    input_part, hidden_part = rng.uniform(-40, 40, (2, 4 * size))
    bias, c_prev = rng.standard_normal(4 * size), rng.standard_normal(size)
    scale = np.repeat([0.5, 0.5, 1.0, 0.5], size)
    arrays = [hidden_part * scale, bias * scale, input_part * scale, c_prev,
              *(np.empty(size) for _ in range(3))]
    arrays = [array.astype(np.float32) for array in arrays]
    lstm_step_fused.compiled(*arrays)
    i, f, g, o = np.split(input_part + hidden_part + bias, 4)
    c = sigmoid(f) * c_prev + sigmoid(i) * np.tanh(g)
    expected = [np.concatenate([sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)]), c, np.tanh(c),
                sigmoid(o) * np.tanh(c)]
    for ours, want in zip([arrays[2], *arrays[4:]], expected):
        np.testing.assert_allclose(ours, want, rtol=1e-5, atol=2e-6)
