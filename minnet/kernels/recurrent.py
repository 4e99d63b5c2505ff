"""The recurrent cells' fused elementwise gate work, one time step at a time.

A recurrent step is one small matrix product (NumPy/BLAS, outside the
kernels) followed by a dozen elementwise operations; in NumPy each of those
allocates a temporary and makes a pass over memory, which is what makes a
NumPy LSTM slow. The kernels fuse that work into one or two passes. They
write into output arrays that the caller allocates, so a time loop reuses
its buffers. The time loops that call them are the plans beside this file
(``recurrent_plan``, ``rnn_plan``, ``lstm_plan``, ``gru_plan``).

Transcendental functions stay with NumPy, whose ``tanh`` is vectorized (the
``math.tanh`` that numba compiles is not; benchmarks/README.md, "Recurrent
layers"), except in the two fused forward steps, whose numba twins compute
a float32 ``tanh`` by a rational approximation. A sigmoid gate is computed
as ``0.5 + 0.5 * tanh(a / 2)``: the caller halves the sigmoid gates' weight
rows and biases (exact: a power-of-two scale), applies one ``tanh`` to the
whole block of preactivations, and the kernel finishes the sigmoid. Absolute error: one
unit of round-off (the tiny values that ``1 / (1 + exp(-a))`` gives for
a < -37 in float64 come out as 0).

Layout: the work is elementwise, so every array is 1-D. A step's hidden
state holds M values (H units x N sequences, in any order the caller
likes); a gate array holds its gates' blocks of M values one after another,
in PyTorch's order: LSTM (i, f, g, o), 4M values; GRU (r, z, n), 3M values.
All arrays of one call share one float dtype; any strides work (the plans
pass contiguous ones, which run fastest). Nothing here checks sizes or
dtypes, and a kernel never raises: the arguments are checked before any
plan runs, by the functional pairs (``minnet.functional.rnn``, ``.lstm``,
``.gru``) and the stack (``minnet.functional.recurrent_stack``), with
``minnet.functional.recurrent_checks``; the plans then make every buffer
the right size.
"""

import numpy as np

from minnet.kernels.backend import Kernel


def _blocks(array, count):
    size = array.shape[0] // count
    return [array[k * size:(k + 1) * size] for k in range(count)]


def rnn_activation_backward(grad_h, hidden, is_tanh, grad_preact):
    """Through the RNN nonlinearity: ``grad_preact = grad_h * act'(preact)``.

    The derivative is read from the output: ``1 - h^2`` for tanh; for ReLU,
    PyTorch's ``threshold_backward``: 0 where h <= 0 (even for an infinite or
    NaN grad_h), grad_h elsewhere (a NaN h passes its gradient on).

    Parameters
    ----------
    grad_h : (M,), gradient of the step's output h
    hidden : (M,), the step's output h = act(preact)
    is_tanh : bool, True for tanh, False for ReLU
    grad_preact : (M,), written
    """
    if is_tanh:
        np.multiply(grad_h, 1 - hidden * hidden, out=grad_preact)
    else:
        np.copyto(grad_preact, np.where(hidden <= 0, 0, grad_h))


def lstm_gates_forward(gates, c_prev, c_next):
    """LSTM gates and cell state of one step.

    Parameters
    ----------
    gates : (4M,), modified in place. On entry ``tanh`` of the preactivation,
        with the sigmoid gates' (i, f, o) preactivation halved; on exit the
        gate values i, f, o = sigmoid(preactivation) and g = tanh(preactivation).
    c_prev : (M,), the previous cell state
    c_next : (M,), written: ``f * c_prev + i * g``
    """
    i, f, g, o = _blocks(gates, 4)
    for block in (i, f, o):  # sigmoid(a) = 0.5 + 0.5 * tanh(a / 2)
        block *= 0.5
        block += 0.5
    np.multiply(f, c_prev, out=c_next)
    c_next += i * g


def lstm_step_fused(hidden_part, bias, gates, c_prev, c_next, tanh_c, h_next):
    """All of one LSTM step after its recurrent product, in one call.

    The reference runs ``lstm_gates_forward`` between NumPy's ``tanh`` calls.
    The numba twin does every pass in one kernel; in float32 it computes
    ``tanh`` with a rational approximation (absolute error under 4e-7, the
    float32 round-off of NumPy's; tested), in float64 with ``math.tanh``,
    exact but scalar and slow: the plan runs this reference for float64.

    Parameters
    ----------
    hidden_part : (4M,), W_hh h_prev, the sigmoid gates' rows halved
    bias : (4M,), b_ih + b_hh halved likewise, repeated to the step's flat layout
    gates : (4M,), modified in place: on entry the input part W_ih x_t (rows
        halved likewise), on exit the gate values i, f, g, o
    c_prev : (M,), the previous cell state
    c_next, tanh_c, h_next : (M,), written: c_t, tanh(c_t) and h_t = o * tanh(c_t)
    """
    gates += hidden_part
    gates += bias
    np.tanh(gates, out=gates)
    lstm_gates_forward(gates, c_prev, c_next)
    np.tanh(c_next, out=tanh_c)
    np.multiply(_blocks(gates, 4)[3], tanh_c, out=h_next)


def lstm_gates_backward(grad_h, grad_c, gates, c_prev, tanh_c, grad_preact, grad_c_prev):
    """Back through one LSTM step's gates, from dL/dh and dL/dc to the preactivations.

    With c = f * c_prev + i * g and h = o * tanh(c), the cell state's total
    gradient is dc = grad_c + grad_h * o * (1 - tanh(c)^2); each gate's local
    derivative is s * (1 - s) for a sigmoid s and 1 - g^2 for g = tanh.

    Parameters
    ----------
    grad_h : (M,), dL/dh of this step (from above and from the next step)
    grad_c : (M,), dL/dc of this step coming from the next step
    gates : (4M,), the gate values i, f, g, o of ``lstm_gates_forward``
    c_prev : (M,), the previous cell state
    tanh_c : (M,), tanh of this step's cell state
    grad_preact : (4M,), written: dL/d(preactivation), gates (i, f, g, o)
    grad_c_prev : (M,), written: dL/dc_prev = dc * f
    """
    i, f, g, o = _blocks(gates, 4)
    grad_i, grad_f, grad_g, grad_o = _blocks(grad_preact, 4)
    grad_c_total = grad_c + grad_h * o * (1 - tanh_c * tanh_c)
    grad_i[...] = grad_c_total * g * i * (1 - i)
    grad_f[...] = grad_c_total * c_prev * f * (1 - f)
    grad_g[...] = grad_c_total * i * (1 - g * g)
    grad_o[...] = grad_h * tanh_c * o * (1 - o)
    np.multiply(grad_c_total, f, out=grad_c_prev)


def gru_gates_forward(gates, input_part, hidden_part, bias_hn, hn):
    """GRU reset and update gates, and the new gate's preactivation, of one step.

    PyTorch's GRU: r = sigmoid(a_r), z = sigmoid(a_z),
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).

    Parameters
    ----------
    gates : (3M,), modified in place. On entry its r and z blocks hold
        ``tanh`` of the halved r and z preactivations; on exit r, z and, in the
        n block, n's preactivation ``W_in x + b_in + r * hn``.
    input_part : (3M,), W_ih x + biases of this step (n block: W_in x + b_in)
    hidden_part : (3M,), W_hh h_prev of this step (n block: W_hn h_prev)
    bias_hn : (M,), b_hn, repeated to the layout of a hidden state
    hn : (M,), written: W_hn h_prev + b_hn
    """
    r, z, new = _blocks(gates, 3)
    for block in (r, z):
        block *= 0.5
        block += 0.5
    np.add(_blocks(hidden_part, 3)[2], bias_hn, out=hn)
    np.multiply(r, hn, out=new)
    new += _blocks(input_part, 3)[2]


def gru_hidden_forward(gates, h_prev, h_next):
    """GRU output of one step: ``h_next = (1 - z) * n + z * h_prev``.

    Parameters
    ----------
    gates : (3M,), r, z, n (n after its tanh)
    h_prev : (M,)
    h_next : (M,), written
    """
    _, z, new = _blocks(gates, 3)
    np.multiply(1 - z, new, out=h_next)
    h_next += z * h_prev


def gru_step_fused(gates, input_part, hidden_part, bias_hn, hn, h_prev, h_next):
    """All of one GRU step after its recurrent product, in one call.

    The reference runs ``gru_gates_forward`` and ``gru_hidden_forward``
    around NumPy's ``tanh``; the numba twin does it in one kernel, with the
    ``tanh`` of ``lstm_step_fused`` (rational in float32; the plan runs this
    reference for float64).

    Parameters
    ----------
    gates : (3M,), written: the gate values r, z, n
    input_part : (3M,), W_ih x + biases of this step (r and z rows halved, and
        their b_hh included; n block: W_in x + b_in)
    hidden_part : (3M,), W_hh h_prev (r and z rows halved; n block: W_hn h_prev)
    bias_hn : (M,), b_hn, repeated to the layout of a hidden state
    hn : (M,), written: W_hn h_prev + b_hn
    h_prev : (M,), the previous hidden state
    h_next : (M,), written: (1 - z) * n + z * h_prev
    """
    size = h_prev.shape[0]
    reset_update = gates[:2 * size]
    np.add(input_part[:2 * size], hidden_part[:2 * size], out=reset_update)
    np.tanh(reset_update, out=reset_update)
    gru_gates_forward(gates, input_part, hidden_part, bias_hn, hn)
    new = gates[2 * size:]
    np.tanh(new, out=new)
    gru_hidden_forward(gates, h_prev, h_next)


def gru_gates_backward(grad_h, gates, h_prev, hn, grad_preact_ih, grad_preact_hh,
                       grad_h_prev):
    """Back through one GRU step's gates, from dL/dh to both preactivations.

    From h = (1 - z) n + z h_prev: dn = dh (1 - z), dz = dh (h_prev - n) and the
    direct path dh_prev = dh z. Through n = tanh(a_n), a_n = x-part + r * hn:
    da_n = dn (1 - n^2), dr = da_n * hn and d(hn) = da_n * r.

    Parameters
    ----------
    grad_h : (M,), dL/dh of this step
    gates : (3M,), r, z, n of the forward step
    h_prev : (M,), the previous hidden state
    hn : (M,), W_hn h_prev + b_hn of the forward step
    grad_preact_ih : (3M,), written: dL/d(W_ih x + b_ih), gates (r, z, n)
    grad_preact_hh : (3M,), written: dL/d(W_hh h_prev + b_hh): the same r and
        z blocks, and da_n * r in the n block
    grad_h_prev : (M,), written: the direct path dh * z (the caller adds the
        path through W_hh)
    """
    r, z, new = _blocks(gates, 3)
    grad_r, grad_z, grad_new = _blocks(grad_preact_ih, 3)
    grad_new[...] = grad_h * (1 - z) * (1 - new * new)
    grad_r[...] = grad_new * hn * r * (1 - r)
    grad_z[...] = grad_h * (h_prev - new) * z * (1 - z)
    hh_r, hh_z, hh_new = _blocks(grad_preact_hh, 3)
    hh_r[...] = grad_r
    hh_z[...] = grad_z
    np.multiply(grad_new, r, out=hh_new)
    np.multiply(grad_h, z, out=grad_h_prev)


rnn_activation_backward = Kernel(rnn_activation_backward, "recurrent_numba")
lstm_gates_forward = Kernel(lstm_gates_forward, "recurrent_numba")
lstm_step_fused = Kernel(lstm_step_fused, "recurrent_numba")
lstm_gates_backward = Kernel(lstm_gates_backward, "recurrent_numba")
gru_gates_forward = Kernel(gru_gates_forward, "recurrent_numba")
gru_hidden_forward = Kernel(gru_hidden_forward, "recurrent_numba")
gru_step_fused = Kernel(gru_step_fused, "recurrent_numba")
gru_gates_backward = Kernel(gru_gates_backward, "recurrent_numba")
