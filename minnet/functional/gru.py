"""The GRU, one layer, batch first, with PyTorch's equations, layout and gate order.

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)            reset gate
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)            update gate
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))         new gate
    h' = (1 - z) * n + z * h

Note ``b_hn`` sits inside the reset gate's product (PyTorch's and cuDNN's
form, not the original paper's). ``w_ih`` (3H, D) stacks W_ir, W_iz, W_in
(PyTorch's ``weight_ih_l0``), ``w_hh`` (3H, H) likewise, ``b_ih`` and ``b_hh``
(3H,). Every float array of one call shares one dtype.

Two implementations: ``gru_step_forward``/``gru_step_backward`` and the
``_naive`` loops over them are the textbook version; the
``gru_forward``/``gru_backward`` pair is the fast one (see
``minnet.functional.recurrent`` for its plan) and is tested against them.
"""

import numpy as np

from minnet.functional.recurrent import (
    buffer,
    hidden_outputs,
    initial_state_gradient,
    input_gradient,
    input_projection,
    naive_backprop_through_time,
    naive_initial_state,
    naive_unroll,
    parameter_gradients,
    resolve,
    scaled_rows,
    sigmoid,
    sigmoid_row_scale,
    stack_steps,
    state_buffer,
    upstream_gradients,
)
from minnet.functional.recurrent_checks import (
    check_cell_arguments,
    check_options,
    check_shape,
    check_upstream,
)
from minnet.kernels.recurrent import gru_gates_backward, gru_gates_forward, gru_hidden_forward
from minnet.validation import quiet_overflow

# --- one step, textbook -------------------------------------------------------


@quiet_overflow  # NaN and inf flow as in PyTorch, without NumPy's warnings
def gru_step_forward(x_t, h_prev, w_ih, w_hh, b_ih, b_hh):
    """One GRU step.

    Parameters
    ----------
    x_t : (N, D); h_prev : (N, H)
    w_ih : (3H, D); w_hh : (3H, H); b_ih, b_hh : (3H,)

    Returns
    -------
    h : (N, H); cache
    """
    check_cell_arguments("gru_step_forward", x_t, (w_ih, w_hh, b_ih, b_hh), 3,
                         {"h_prev": h_prev}, step=True)
    hidden = h_prev.shape[1]
    input_part = x_t @ w_ih.T + b_ih
    hidden_part = h_prev @ w_hh.T + b_hh
    r = sigmoid(input_part[:, :hidden] + hidden_part[:, :hidden])
    z = sigmoid(input_part[:, hidden:2 * hidden] + hidden_part[:, hidden:2 * hidden])
    hn = hidden_part[:, 2 * hidden:]
    n = np.tanh(input_part[:, 2 * hidden:] + r * hn)
    h = (1 - z) * n + z * h_prev
    return h, (x_t, h_prev, w_ih, w_hh, r, z, n, hn)


@quiet_overflow
def gru_step_backward(grad_h, cache):
    """Backward of one GRU step.

    h = (1 - z) n + z h_prev gives dn = dh (1 - z), dz = dh (h_prev - n) and a
    direct dh_prev = dh z; through n = tanh(a_n), a_n = x-part + r hn, the
    new gate's preactivation gets da_n = dn (1 - n^2), r gets da_n hn and hn
    (the hidden part of n) gets da_n r. Sigmoid gates: s (1 - s).

    Parameters
    ----------
    grad_h : (N, H)

    Returns
    -------
    grad_x (N, D), grad_h_prev (N, H), grad_w_ih (3H, D), grad_w_hh (3H, H),
    grad_b_ih (3H,), grad_b_hh (3H,)
    """
    x_t, h_prev, w_ih, w_hh, r, z, n, hn = cache
    check_shape("gru_step_backward", "grad_h", np.asarray(grad_h), h_prev.shape, "(N, H)")
    grad_new = grad_h * (1 - z) * (1 - n ** 2)
    grad_reset = grad_new * hn * r * (1 - r)
    grad_update = grad_h * (h_prev - n) * z * (1 - z)
    grad_input_part = np.concatenate([grad_reset, grad_update, grad_new], axis=1)
    grad_hidden_part = np.concatenate([grad_reset, grad_update, grad_new * r], axis=1)
    return (grad_input_part @ w_ih, grad_h * z + grad_hidden_part @ w_hh,
            grad_input_part.T @ x_t, grad_hidden_part.T @ h_prev,
            grad_input_part.sum(axis=0), grad_hidden_part.sum(axis=0))


def gru_forward_naive(x, w_ih, w_hh, b_ih, b_hh, h0=None,
                      return_sequences=True):
    """The whole sequence as a loop of ``gru_step_forward`` (the reference).

    Parameters and returns as ``gru_forward``.
    """
    check_cell_arguments("gru_forward_naive", x, (w_ih, w_hh, b_ih, b_hh), 3, {"h0": h0})
    check_options("gru_forward_naive", return_sequences)
    h = naive_initial_state(h0, len(x), w_hh.shape[1], x.dtype)
    out, caches = naive_unroll(
        lambda x_t, h: gru_step_forward(x_t, h, w_ih, w_hh, b_ih, b_hh),
        x, (h,), return_sequences)
    return out, (caches, h0 is not None)


def gru_backward_naive(grad_out, cache, grad_h_n=None):
    """Backpropagation through time as a loop of ``gru_step_backward`` (the reference).

    Parameters and returns as ``gru_backward``.
    """
    caches, has_h0 = cache
    x_t, h_prev = caches[0][:2]
    grad_out = check_upstream("gru_backward_naive", grad_out, len(x_t), len(caches),
                              h_prev.shape[1], {"grad_h_n": grad_h_n})
    grad_x, (grad_h,), totals = naive_backprop_through_time(gru_step_backward, grad_out,
                                                            caches, 1, (grad_h_n,))
    return (grad_x, grad_h if has_h0 else None, *totals)


# --- the whole sequence, fast --------------------------------------------------


def gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, return_sequences=True, workspace=None):
    """GRU over a whole batch-first sequence.

    Parameters
    ----------
    x : (N, T, D)
    w_ih : (3H, D); w_hh : (3H, H); b_ih, b_hh : (3H,)
    h0 : (N, H) initial hidden state, or None for zeros
    return_sequences : bool, output every hidden state or only the last
    workspace : dict or None, buffers kept between calls (``minnet.functional.recurrent``)

    Returns
    -------
    hidden_states : (N, T, H), h_t of every step; with ``return_sequences=False``
        only the last, h_{T-1}, as (N, H)
    cache
    """
    check_cell_arguments("gru_forward", x, (w_ih, w_hh, b_ih, b_hh), 3, {"h0": h0})
    check_options("gru_forward", return_sequences)
    return gru_forward_unchecked(x, w_ih, w_hh, b_ih, b_hh, h0, return_sequences, workspace)


@quiet_overflow
def gru_forward_unchecked(x, w_ih, w_hh, b_ih, b_hh, h0=None, return_sequences=True,
                          workspace=None):
    """``gru_forward`` without its argument checks, for a caller that made them."""
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    dtype = w_hh.dtype
    scale = sigmoid_row_scale("sst", hidden, dtype)[:, None]
    # b_hr and b_hz add to the preactivation like b_ir, b_iz; b_hn must stay inside r * (...)
    bias = b_ih + np.concatenate([b_hh[:2 * hidden], np.zeros(hidden, dtype)])
    w_ih_scaled = scaled_rows(w_ih, scale, workspace, "w_ih_scaled")
    projected = input_projection(x, w_ih_scaled, bias * scale[:, 0], workspace)
    w_hh_scaled = scaled_rows(w_hh, scale, workspace, "w_hh_scaled")
    bias_hn = np.repeat(b_hh[2 * hidden:], batch)  # the flat (H, N) layout of a state
    states = state_buffer(h0, steps, hidden, batch, dtype, workspace)
    gates = buffer(workspace, "gates", (steps, 3 * hidden, batch), dtype)
    hn = buffer(workspace, "hn", (steps, hidden, batch), dtype)
    hidden_part = buffer(workspace, "hidden_part", (3 * hidden, batch), dtype)
    flat_gates, flat_states = gates.reshape(steps, -1), states.reshape(steps + 1, -1)
    flat_projected, flat_hn = projected.reshape(steps, -1), hn.reshape(steps, -1)
    flat_hidden_part = hidden_part.reshape(-1)
    gates_forward, hidden_forward = resolve(gru_gates_forward), resolve(gru_hidden_forward)
    for t in range(steps):
        reset_update, new = gates[t, :2 * hidden], gates[t, 2 * hidden:]
        np.matmul(w_hh_scaled, states[t], out=hidden_part)
        np.add(projected[t, :2 * hidden], hidden_part[:2 * hidden], out=reset_update)
        np.tanh(reset_update, out=reset_update)
        gates_forward(flat_gates[t], flat_projected[t], flat_hidden_part, bias_hn, flat_hn[t])
        np.tanh(new, out=new)
        hidden_forward(flat_gates[t], flat_states[t], flat_states[t + 1])
    cache = (x, w_ih, w_hh, states, gates, hn, h0 is not None)
    return hidden_outputs(states, return_sequences), cache


def gru_final_states(cache):
    """The final hidden state h_n of a ``gru_forward`` call, as a tuple ``(h_n,)`` of (N, H)."""
    return (cache[3][-1].T.copy(),)


def gru_backward(grad_out, cache, workspace=None, grad_h_n=None):
    """Backpropagation through time for ``gru_forward``.

    Per step (last to first) the kernel turns dL/dh into the gradients of both
    preactivations (input part and hidden part, which differ in the new gate)
    and the direct path dh * z; dL/dh_{t-1} = dh * z + W_hh^T da_hh (+ the
    upstream gradient of h_{t-1}). Parameter gradients sum over all steps at once.

    Parameters
    ----------
    grad_out : (N, T, H), dL/dh_t for every step; or (N, H), dL/dh of the last step only
    cache : from ``gru_forward``
    workspace : dict or None, buffers kept between calls (``minnet.functional.recurrent``)
    grad_h_n : (N, H) or None, dL/dh_{T-1} from another path than the output
        (the final state h_n, returned apart); it adds to the last step's

    Returns
    -------
    grad_x (N, T, D); grad_h0 (N, H) or None when h0 was None;
    grad_w_ih (3H, D), grad_w_hh (3H, H), grad_b_ih (3H,), grad_b_hh (3H,)
    """
    states, gates = cache[3], cache[4]
    steps, _, batch = gates.shape
    grad_out = check_upstream("gru_backward", grad_out, batch, steps, states.shape[1],
                              {"grad_h_n": grad_h_n})
    return gru_backward_unchecked(grad_out, cache, workspace, grad_h_n)


@quiet_overflow
def gru_backward_unchecked(grad_out, cache, workspace=None, grad_h_n=None):
    """``gru_backward`` without its argument checks, for a caller that made them."""
    x, w_ih, w_hh, states, gates, hn, has_h0 = cache
    steps, _, batch = gates.shape
    grad_h, per_step = upstream_gradients(grad_out, steps, states.dtype, workspace, grad_h_n)
    grad_direct = np.empty_like(grad_h)
    grad_ih = buffer(workspace, "grad_ih", gates.shape, gates.dtype)
    grad_hh = buffer(workspace, "grad_hh", gates.shape, gates.dtype)
    flat_ih, flat_hh = grad_ih.reshape(steps, -1), grad_hh.reshape(steps, -1)
    flat_gates, flat_states = gates.reshape(steps, -1), states.reshape(steps + 1, -1)
    flat_hn = hn.reshape(steps, -1)
    w_hh_t = w_hh.T
    gates_backward = resolve(gru_gates_backward)
    flat_h, flat_direct = grad_h.reshape(-1), grad_direct.reshape(-1)
    for t in range(steps - 1, -1, -1):
        gates_backward(flat_h, flat_gates[t], flat_states[t], flat_hn[t], flat_ih[t], flat_hh[t],
                       flat_direct)
        if t > 0 or has_h0:
            np.matmul(w_hh_t, grad_hh[t], out=grad_h)
            grad_h += grad_direct
        if per_step is not None and t > 0:
            grad_h += per_step[t - 1]
    stacked_ih = stack_steps(grad_ih, workspace, "stacked_ih")
    stacked_hh = stack_steps(grad_hh, workspace, "stacked_hh")
    return (input_gradient(stacked_ih, w_ih, batch), initial_state_gradient(grad_h, has_h0),
            *parameter_gradients(stacked_ih, x, stacked_hh, states, workspace))
