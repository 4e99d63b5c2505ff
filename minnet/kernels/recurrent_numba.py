"""Numba twins of ``minnet.kernels.recurrent`` (same names, same signatures).

Every array is 1-D (see the reference module), so each kernel is one long
loop that LLVM vectorizes, its aliasing checks made once (faster than a loop
over the rows of 2-D blocks, with a short inner loop per row: measured in
benchmarks/README.md, "Recurrent layers"). Constants are made in the arrays'
dtype (``dtype.type``) so that float32 stays float32. No transcendental
function appears here: NumPy's vectorized ``tanh`` runs before the kernels.
No bounds are checked: the sizes were checked in Python before the plan ran.
"""

import numba


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
