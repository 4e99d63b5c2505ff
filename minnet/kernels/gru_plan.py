"""The GRU over a whole sequence, fast: the plan of ``minnet.kernels.recurrent_plan``.

Computes what ``minnet.functional.gru``'s loop of ``gru_step_forward``
computes (the tests hold the two together), in the step layout (T, 3H, N),
with one ``tanh`` for the reset and update gates (their rows halved), one
for the new gate, and the fused kernels ``gru_step_fused`` (everything of a
forward step after its recurrent product) and ``gru_gates_backward``. No argument checks:
``minnet.functional.gru.gru_forward`` and the recurrent stack make them first.
"""

from collections import namedtuple

import numpy as np

import minnet.kernels.recurrent_plan as plan
from minnet.kernels.recurrent import gru_gates_backward, gru_step_fused
from minnet.validation import quiet_overflow

GRUSequenceCache = namedtuple("GRUSequenceCache",
                              ["x", "w_ih", "w_hh", "states", "gates", "hn", "has_h0"])
GRUSequenceCache.__doc__ = """What ``gru_sequence_backward`` needs, in the step layout.

x : (N, T, D) the input; w_ih : (3H, D); w_hh : (3H, H);
states : (T+1, H, N), h0 (zeros when not given) then h_t of every step;
gates : (T, 3H, N), the gate values r, z, n; hn : (T, H, N), W_hn h_{t-1} + b_hn;
has_h0 : bool, whether h0 was given (its gradient is returned only then).
With a workspace the arrays are its buffers, valid until its next forward.
"""


@quiet_overflow  # NaN and inf flow as in PyTorch, without NumPy's warnings
def gru_sequence_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, return_sequences=True,
                         workspace=None):
    """``minnet.functional.gru.gru_forward`` after its checks: same arguments, same returns.

    The cache is a ``GRUSequenceCache``.
    """
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    dtype = w_hh.dtype
    scale = plan.sigmoid_row_scale("sst", hidden, dtype)[:, None]
    # b_hr and b_hz add to the preactivation like b_ir, b_iz; b_hn must stay inside r * (...)
    bias = b_ih + np.concatenate([b_hh[:2 * hidden], np.zeros(hidden, dtype)])
    w_ih_scaled = plan.scaled_rows(w_ih, scale, workspace, "w_ih_scaled")
    projected = plan.input_projection(x, w_ih_scaled, bias * scale[:, 0], workspace)
    w_hh_scaled = plan.scaled_rows(w_hh, scale, workspace, "w_hh_scaled")
    bias_hn = np.repeat(b_hh[2 * hidden:], batch)  # the flat (H, N) layout of a state
    states = plan.state_buffer(h0, steps, hidden, batch, dtype, workspace)
    gates = plan.buffer(workspace, "gates", (steps, 3 * hidden, batch), dtype)
    hn = plan.buffer(workspace, "hn", (steps, hidden, batch), dtype)
    hidden_part = plan.buffer(workspace, "hidden_part", (3 * hidden, batch), dtype)
    flat_gates, flat_projected = gates.reshape(steps, -1), projected.reshape(steps, -1)
    flat_hn = hn.reshape(steps, -1)
    flat_hidden_part, flat_states = hidden_part.reshape(-1), states.reshape(steps + 1, -1)
    # the numba twin's tanh is float32-accurate: float64 keeps NumPy's exact one
    step = plan.resolve(gru_step_fused, dtype, (np.float32,))
    for t in range(steps):
        np.matmul(w_hh_scaled, states[t], out=hidden_part)
        step(flat_gates[t], flat_projected[t], flat_hidden_part, bias_hn, flat_hn[t],
             flat_states[t], flat_states[t + 1])
    cache = GRUSequenceCache(x, w_ih, w_hh, states, gates, hn, h0 is not None)
    return plan.hidden_outputs(states, return_sequences), cache


def gru_final_states(cache):
    """The final hidden state h_n of a ``gru_forward`` call, as a tuple ``(h_n,)`` of (N, H)."""
    return (plan.last_hidden_state(cache.states),)


@quiet_overflow
def gru_sequence_backward(grad_out, cache, workspace=None, grad_h_n=None):
    """``minnet.functional.gru.gru_backward`` after its checks: same arguments, same returns.

    Per step (last to first) the kernel turns dL/dh into the gradients of both
    preactivations (input part and hidden part, which differ in the new gate)
    and the direct path dh * z; dL/dh_{t-1} = dh * z + W_hh^T da_hh (+ the
    upstream gradient of h_{t-1}). Parameter gradients sum over all steps at once.
    """
    x, w_ih, w_hh, states, gates, hn, has_h0 = cache
    steps, _, batch = gates.shape
    grad_h, per_step = plan.upstream_gradients(grad_out, steps, states.dtype, workspace, grad_h_n)
    grad_direct = np.empty_like(grad_h)
    grad_ih = plan.buffer(workspace, "grad_ih", gates.shape, gates.dtype)
    grad_hh = plan.buffer(workspace, "grad_hh", gates.shape, gates.dtype)
    flat_ih, flat_hh = grad_ih.reshape(steps, -1), grad_hh.reshape(steps, -1)
    flat_gates, flat_states = gates.reshape(steps, -1), states.reshape(steps + 1, -1)
    flat_hn = hn.reshape(steps, -1)
    w_hh_t = w_hh.T
    gates_backward = plan.resolve(gru_gates_backward)
    flat_h, flat_direct = grad_h.reshape(-1), grad_direct.reshape(-1)
    for t in range(steps - 1, -1, -1):
        gates_backward(flat_h, flat_gates[t], flat_states[t], flat_hn[t], flat_ih[t], flat_hh[t],
                       flat_direct)
        if t > 0 or has_h0:
            np.matmul(w_hh_t, grad_hh[t], out=grad_h)
            grad_h += grad_direct
        if per_step is not None and t > 0:
            grad_h += per_step[t - 1]
    stacked_ih = plan.stack_steps(grad_ih, workspace, "stacked_ih")
    stacked_hh = plan.stack_steps(grad_hh, workspace, "stacked_hh")
    return (plan.input_gradient(stacked_ih, w_ih, batch),
            plan.initial_state_gradient(grad_h, has_h0),
            *plan.parameter_gradients(stacked_ih, x, stacked_hh, states, workspace))
