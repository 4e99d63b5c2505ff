"""Numba twins of ``minnet.kernels.recurrent`` (same names, same signatures).

Every array is 1-D (see the reference module), so each kernel is one long
loop that LLVM vectorizes, its aliasing checks made once (faster than a loop
over the rows of 2-D blocks, with a short inner loop per row: measured in
benchmarks/README.md, "Recurrent layers"). Constants are made in the arrays'
dtype (``dtype.type``) so that float32 stays float32. NumPy's vectorized
``tanh`` runs before most kernels; ``lstm_step_fused`` computes its own, in
float32 with a rational approximation that vectorizes (``math.tanh`` does
not: about 20x slower than ``np.tanh``). No bounds are checked: the sizes
were checked in Python before the plan ran.
"""

import math

import numba
import numpy as np
from numba import types
from numba.extending import overload

# Eigen's float32 tanh (generic_fast_tanh_float): x * P(x^2) / Q(x^2) on [-c, c],
# +-1 beyond. Maximum absolute error 3.5e-7 against float64 tanh (tested).
_TANH_CLAMP = np.float32(7.90531110763549805)
_TANH_P = tuple(np.float32(value) for value in (
    -2.76076847742355e-16, 2.00018790482477e-13, -8.60467152213735e-11,
    5.12229709037114e-08, 1.48572235717979e-05, 6.37261928875436e-04, 4.89352455891786e-03))
_TANH_Q = tuple(np.float32(value) for value in (
    1.19825839466702e-06, 1.18534705686654e-04, 2.26843463243900e-03, 4.89352518554385e-03))


def _rational_tanh(x):
    # two ifs, not min/max: a NaN fails both comparisons and flows on
    if x > _TANH_CLAMP:
        x = _TANH_CLAMP
    if x < -_TANH_CLAMP:
        x = -_TANH_CLAMP
    square = x * x
    numerator = _TANH_P[0]
    for coefficient in _TANH_P[1:]:
        numerator = numerator * square + coefficient
    denominator = _TANH_Q[0]
    for coefficient in _TANH_Q[1:]:
        denominator = denominator * square + coefficient
    return x * numerator / denominator


def tanh(x):
    """tanh of a scalar inside the kernels: rational in float32, ``math.tanh`` otherwise."""
    return math.tanh(x)


@overload(tanh)
def _tanh_by_type(x):
    if x == types.float32:
        return _rational_tanh
    return lambda x: math.tanh(x)


@numba.njit(cache=True, error_model="numpy", nogil=True)
def rnn_activation_backward(grad_h, hidden, is_tanh, grad_preact):
    one = hidden.dtype.type(1.0)
    zero = hidden.dtype.type(0.0)
    if is_tanh:
        for e in range(hidden.shape[0]):
            h = hidden[e]
            grad_preact[e] = grad_h[e] * (one - h * h)
    else:
        for e in range(hidden.shape[0]):
            grad_preact[e] = zero if hidden[e] <= zero else grad_h[e]


@numba.njit(cache=True, error_model="numpy", nogil=True)
def lstm_gates_forward(gates, c_prev, c_next):
    half = gates.dtype.type(0.5)
    size = c_prev.shape[0]
    gate_i = gates[:size]
    gate_f = gates[size:2 * size]
    gate_g = gates[2 * size:3 * size]
    gate_o = gates[3 * size:]
    for e in range(size):
        i = half + half * gate_i[e]
        f = half + half * gate_f[e]
        gate_i[e] = i
        gate_f[e] = f
        c_next[e] = f * c_prev[e] + i * gate_g[e]
    for e in range(size):
        gate_o[e] = half + half * gate_o[e]


@numba.njit(cache=True, error_model="numpy", nogil=True)
def lstm_step_fused(hidden_part, bias, gates, c_prev, c_next, tanh_c, h_next):
    size = c_prev.shape[0]
    for e in range(4 * size):
        gates[e] = tanh(gates[e] + hidden_part[e] + bias[e])
    lstm_gates_forward(gates, c_prev, c_next)
    gate_o = gates[3 * size:]
    for e in range(size):
        tanh_c[e] = tanh(c_next[e])
    for e in range(size):
        h_next[e] = gate_o[e] * tanh_c[e]


@numba.njit(cache=True, error_model="numpy", nogil=True)
def lstm_gates_backward(grad_h, grad_c, gates, c_prev, tanh_c, grad_preact, grad_c_prev):
    one = gates.dtype.type(1.0)
    size = c_prev.shape[0]
    gate_i = gates[:size]
    gate_f = gates[size:2 * size]
    gate_g = gates[2 * size:3 * size]
    gate_o = gates[3 * size:]
    grad_i = grad_preact[:size]
    grad_f = grad_preact[size:2 * size]
    grad_g = grad_preact[2 * size:3 * size]
    grad_o = grad_preact[3 * size:]
    for e in range(size):
        i, f, g, o, t = gate_i[e], gate_f[e], gate_g[e], gate_o[e], tanh_c[e]
        grad_o[e] = grad_h[e] * t * o * (one - o)
        dc = grad_c[e] + grad_h[e] * o * (one - t * t)  # the cell state's total gradient
        grad_i[e] = dc * g * i * (one - i)
        grad_f[e] = dc * c_prev[e] * f * (one - f)
        grad_g[e] = dc * i * (one - g * g)
        grad_c_prev[e] = dc * f


@numba.njit(cache=True, error_model="numpy", nogil=True)
def gru_gates_forward(gates, input_part, hidden_part, bias_hn, hn):
    half = gates.dtype.type(0.5)
    size = hn.shape[0]
    for e in range(2 * size):
        gates[e] = half + half * gates[e]
    for e in range(size):
        hidden_new = hidden_part[2 * size + e] + bias_hn[e]
        hn[e] = hidden_new
        gates[2 * size + e] = input_part[2 * size + e] + gates[e] * hidden_new


@numba.njit(cache=True, error_model="numpy", nogil=True)
def gru_hidden_forward(gates, h_prev, h_next):
    one = gates.dtype.type(1.0)
    size = h_prev.shape[0]
    for e in range(size):
        z = gates[size + e]
        h_next[e] = (one - z) * gates[2 * size + e] + z * h_prev[e]


@numba.njit(cache=True, error_model="numpy", nogil=True)
def gru_step_fused(gates, input_part, hidden_part, bias_hn, hn, h_prev, h_next):
    size = h_prev.shape[0]
    for e in range(2 * size):
        gates[e] = tanh(input_part[e] + hidden_part[e])
    gru_gates_forward(gates, input_part, hidden_part, bias_hn, hn)
    for e in range(2 * size, 3 * size):
        gates[e] = tanh(gates[e])
    gru_hidden_forward(gates, h_prev, h_next)


@numba.njit(cache=True, error_model="numpy", nogil=True)
def gru_gates_backward(grad_h, gates, h_prev, hn, grad_preact_ih, grad_preact_hh,
                       grad_h_prev):
    one = gates.dtype.type(1.0)
    size = h_prev.shape[0]
    for e in range(size):
        dh, r, z, new = grad_h[e], gates[e], gates[size + e], gates[2 * size + e]
        grad_new = dh * (one - z) * (one - new * new)
        grad_r = grad_new * hn[e] * r * (one - r)
        grad_z = dh * (h_prev[e] - new) * z * (one - z)
        grad_preact_ih[e] = grad_r
        grad_preact_ih[size + e] = grad_z
        grad_preact_ih[2 * size + e] = grad_new
        grad_preact_hh[e] = grad_r
        grad_preact_hh[size + e] = grad_z
        grad_preact_hh[2 * size + e] = grad_new * r
        grad_h_prev[e] = dh * z
