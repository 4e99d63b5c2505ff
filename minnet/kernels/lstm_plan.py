"""The LSTM over a whole sequence, fast: the plan of ``minnet.kernels.recurrent_plan``.

Computes what ``minnet.functional.lstm``'s loop of ``lstm_step_forward``
computes (the tests hold the two together), with the step layout (T, 4H, N),
one ``tanh`` per step for all four gates (sigmoid gates' rows halved) and
the fused kernels ``lstm_step_fused`` (everything of a forward step after its
recurrent product) and ``lstm_gates_backward``. No
argument checks: ``minnet.functional.lstm.lstm_forward`` and the recurrent
stack make them first.
"""

from collections import namedtuple

import numpy as np

import minnet.kernels.recurrent_plan as plan
from minnet.kernels.recurrent import lstm_gates_backward, lstm_step_fused
from minnet.validation import quiet_overflow

LSTMSequenceCache = namedtuple("LSTMSequenceCache",
                               ["x", "w_ih", "w_hh", "states", "cells", "gates", "tanh_c",
                                "has_h0", "has_c0"])
LSTMSequenceCache.__doc__ = """What ``lstm_sequence_backward`` needs, in the step layout.

x : (N, T, D) the input; w_ih : (4H, D); w_hh : (4H, H);
states : (T+1, H, N), h0 (zeros when not given) then h_t of every step;
cells : (T+1, H, N), c0 then c_t; gates : (T, 4H, N), the gate values i, f, g, o;
tanh_c : (T, H, N), tanh(c_t); has_h0, has_c0 : bool, whether the initial states
were given (their gradients are returned only then).
With a workspace the arrays are its buffers, valid until its next forward.
"""


@quiet_overflow  # NaN and inf flow as in PyTorch, without NumPy's warnings
def lstm_sequence_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, c0=None,
                          return_sequences=True, workspace=None):
    """``minnet.functional.lstm.lstm_forward`` after its checks: same arguments, same returns.

    The cache is an ``LSTMSequenceCache``.
    """
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    dtype = w_hh.dtype
    scale = plan.sigmoid_row_scale("ssts", hidden, dtype)[:, None]
    # the gates start as the input part W_ih x_t of every step; each step adds W_hh h + b
    w_ih_scaled = plan.scaled_rows(w_ih, scale, workspace, "w_ih_scaled")
    gates = plan.input_projection(x, w_ih_scaled, None, workspace)
    bias = plan.step_bias((b_ih + b_hh) * scale[:, 0], batch)
    w_hh_scaled = plan.scaled_rows(w_hh, scale, workspace, "w_hh_scaled")
    states = plan.state_buffer(h0, steps, hidden, batch, dtype, workspace)
    cells = plan.state_buffer(c0, steps, hidden, batch, dtype, workspace, "cells")
    tanh_c = plan.buffer(workspace, "tanh_c", (steps, hidden, batch), dtype)
    hidden_part = plan.buffer(workspace, "hidden_part", (4 * hidden, batch), dtype)
    flat_gates, flat_cells = gates.reshape(steps, -1), cells.reshape(steps + 1, -1)
    flat_states, flat_tanh_c = states.reshape(steps + 1, -1), tanh_c.reshape(steps, -1)
    flat_hidden_part = hidden_part.reshape(-1)
    # the numba twin's tanh is float32-accurate: float64 keeps NumPy's exact one
    step = plan.resolve(lstm_step_fused, dtype, (np.float32,))
    for t in range(steps):
        np.matmul(w_hh_scaled, states[t], out=hidden_part)
        step(flat_hidden_part, bias, flat_gates[t], flat_cells[t], flat_cells[t + 1],
             flat_tanh_c[t], flat_states[t + 1])
    cache = LSTMSequenceCache(x, w_ih, w_hh, states, cells, gates, tanh_c, h0 is not None,
                              c0 is not None)
    return plan.hidden_outputs(states, return_sequences), cache


def lstm_final_states(cache):
    """The final states of an ``lstm_forward`` call: ``(h_n, c_n)``, each (N, H)."""
    return plan.last_hidden_state(cache.states), plan.last_hidden_state(cache.cells)


@quiet_overflow
def lstm_sequence_backward(grad_out, cache, workspace=None, grad_h_n=None, grad_c_n=None):
    """``minnet.functional.lstm.lstm_backward`` after its checks: same arguments, same returns.

    Per step (last to first) the kernel turns dL/dh and dL/dc into the gates'
    preactivation gradient da_t; dL/dh_{t-1} = W_hh^T da_t (+ the upstream
    gradient of h_{t-1}). The parameter gradients then sum over all steps at once.
    """
    x, w_ih, w_hh, states, cells, gates, tanh_c, has_h0, has_c0 = cache
    steps, _, batch = gates.shape
    grad_h, per_step = plan.upstream_gradients(grad_out, steps, states.dtype, workspace, grad_h_n)
    grad_c = _final_cell_gradient(grad_c_n, grad_h)
    grad_c_prev = np.empty_like(grad_h)
    grad_preact = plan.buffer(workspace, "grad_preact", gates.shape, gates.dtype)
    flat_grad = grad_preact.reshape(steps, -1)
    flat_gates, flat_cells = gates.reshape(steps, -1), cells.reshape(steps + 1, -1)
    flat_tanh_c = tanh_c.reshape(steps, -1)
    w_hh_t = w_hh.T
    gates_backward = plan.resolve(lstm_gates_backward)
    flat_h, flat_c, flat_c_prev = grad_h.reshape(-1), grad_c.reshape(-1), grad_c_prev.reshape(-1)
    for t in range(steps - 1, -1, -1):
        gates_backward(flat_h, flat_c, flat_gates[t], flat_cells[t], flat_tanh_c[t], flat_grad[t],
                       flat_c_prev)
        # the kernel wrote dL/dc_{t-1}: it is the next (earlier) step's dL/dc
        grad_c, grad_c_prev = grad_c_prev, grad_c
        flat_c, flat_c_prev = flat_c_prev, flat_c
        if t > 0 or has_h0:
            np.matmul(w_hh_t, grad_preact[t], out=grad_h)
        if per_step is not None and t > 0:
            grad_h += per_step[t - 1]
    stacked = plan.stack_steps(grad_preact, workspace)
    return (plan.input_gradient(stacked, w_ih, batch), plan.initial_state_gradient(grad_h, has_h0),
            plan.initial_state_gradient(grad_c, has_c0),
            *plan.parameter_gradients(stacked, x, stacked, states, workspace))


def _final_cell_gradient(grad_c_n, like):
    """The starting dL/dc in the (H, N) loop layout: ``grad_c_n`` (N, H), or zeros."""
    if grad_c_n is None:
        return np.zeros_like(like)
    return np.asarray(grad_c_n, dtype=like.dtype).T.copy()
