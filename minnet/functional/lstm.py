"""The LSTM, one layer, batch first, with PyTorch's equations, layout and gate order.

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      input gate
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)      forget gate
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)         cell candidate
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)      output gate
    c' = f * c + i * g,   h' = o * tanh(c')

``w_ih`` (4H, D) stacks W_ii, W_if, W_ig, W_io (PyTorch's ``weight_ih_l0``),
``w_hh`` (4H, H) likewise, ``b_ih`` and ``b_hh`` (4H,). Every float array of
one call shares one dtype.

Two implementations: ``lstm_step_forward``/``lstm_step_backward`` and the
``_naive`` loops over them are the textbook version (CS231n's); the
``lstm_forward``/``lstm_backward`` pair is the fast one (see
``minnet.functional.recurrent`` for its plan) and is tested against them.
"""

import numpy as np

from minnet.functional.recurrent import (
    buffer,
    final_cell_gradient,
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
from minnet.kernels.recurrent import lstm_gates_backward, lstm_gates_forward
from minnet.validation import quiet_overflow

# --- one step, textbook -------------------------------------------------------


@quiet_overflow  # NaN and inf flow as in PyTorch, without NumPy's warnings
def lstm_step_forward(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    """One LSTM step.

    Parameters
    ----------
    x_t : (N, D); h_prev, c_prev : (N, H)
    w_ih : (4H, D); w_hh : (4H, H); b_ih, b_hh : (4H,)

    Returns
    -------
    h : (N, H); c : (N, H); cache
    """
    check_cell_arguments("lstm_step_forward", x_t, (w_ih, w_hh, b_ih, b_hh), 4,
                         {"h_prev": h_prev, "c_prev": c_prev}, step=True)
    hidden = h_prev.shape[1]
    preact = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh
    i, f, o = (sigmoid(preact[:, k * hidden:(k + 1) * hidden]) for k in (0, 1, 3))
    g = np.tanh(preact[:, 2 * hidden:3 * hidden])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, (x_t, h_prev, c_prev, w_ih, w_hh, i, f, g, o, tanh_c)


@quiet_overflow
def lstm_step_backward(grad_h, grad_c, cache):
    """Backward of one LSTM step.

    h = o tanh(c) sends grad_h * o * (1 - tanh(c)^2) into c on top of grad_c;
    c = f c_prev + i g splits it into the gates; each gate's preactivation
    gets its gate's local derivative (s (1 - s) or 1 - g^2).

    Parameters
    ----------
    grad_h, grad_c : (N, H), dL/dh and dL/dc of this step's outputs

    Returns
    -------
    grad_x (N, D), grad_h_prev (N, H), grad_c_prev (N, H),
    grad_w_ih (4H, D), grad_w_hh (4H, H), grad_b_ih (4H,), grad_b_hh (4H,)
    """
    x_t, h_prev, c_prev, w_ih, w_hh, i, f, g, o, tanh_c = cache
    for name, grad in (("grad_h", grad_h), ("grad_c", grad_c)):
        check_shape("lstm_step_backward", name, np.asarray(grad), h_prev.shape, "(N, H)")
    grad_c = grad_c + grad_h * o * (1 - tanh_c ** 2)
    grad_preact = np.concatenate([grad_c * g * i * (1 - i), grad_c * c_prev * f * (1 - f),
                                  grad_c * i * (1 - g ** 2), grad_h * tanh_c * o * (1 - o)],
                                 axis=1)
    grad_b = grad_preact.sum(axis=0)
    return (grad_preact @ w_ih, grad_preact @ w_hh, grad_c * f,
            grad_preact.T @ x_t, grad_preact.T @ h_prev, grad_b, grad_b.copy())


def lstm_forward_naive(x, w_ih, w_hh, b_ih, b_hh, h0=None, c0=None,
                       return_sequences=True):
    """The whole sequence as a loop of ``lstm_step_forward`` (the reference).

    Parameters and returns as ``lstm_forward``.
    """
    check_cell_arguments("lstm_forward_naive", x, (w_ih, w_hh, b_ih, b_hh), 4,
                         {"h0": h0, "c0": c0})
    check_options("lstm_forward_naive", return_sequences)
    hidden = w_hh.shape[1]
    states = (naive_initial_state(h0, len(x), hidden, x.dtype),
              naive_initial_state(c0, len(x), hidden, x.dtype))
    out, caches = naive_unroll(
        lambda x_t, h, c: lstm_step_forward(x_t, h, c, w_ih, w_hh, b_ih, b_hh),
        x, states, return_sequences)
    return out, (caches, h0 is not None, c0 is not None)


def lstm_backward_naive(grad_out, cache, grad_h_n=None, grad_c_n=None):
    """Backpropagation through time as a loop of ``lstm_step_backward`` (the reference).

    Parameters and returns as ``lstm_backward``.
    """
    caches, has_h0, has_c0 = cache
    x_t, h_prev = caches[0][:2]
    grad_out = check_upstream("lstm_backward_naive", grad_out, len(x_t), len(caches),
                              h_prev.shape[1], {"grad_h_n": grad_h_n, "grad_c_n": grad_c_n})
    grad_x, (grad_h, grad_c), totals = naive_backprop_through_time(
        lstm_step_backward, grad_out, caches, 2, (grad_h_n, grad_c_n))
    return (grad_x, grad_h if has_h0 else None, grad_c if has_c0 else None, *totals)


# --- the whole sequence, fast --------------------------------------------------


def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, c0=None, return_sequences=True,
                 workspace=None):
    """LSTM over a whole batch-first sequence.

    Parameters
    ----------
    x : (N, T, D)
    w_ih : (4H, D); w_hh : (4H, H); b_ih, b_hh : (4H,)
    h0, c0 : (N, H) initial hidden and cell states, or None for zeros
    return_sequences : bool, output every hidden state or only the last
    workspace : dict or None, buffers kept between calls (``minnet.functional.recurrent``)

    Returns
    -------
    hidden_states : (N, T, H), h_t of every step; with ``return_sequences=False``
        only the last, h_{T-1}, as (N, H)
    cache
    """
    check_cell_arguments("lstm_forward", x, (w_ih, w_hh, b_ih, b_hh), 4, {"h0": h0, "c0": c0})
    check_options("lstm_forward", return_sequences)
    return lstm_forward_unchecked(x, w_ih, w_hh, b_ih, b_hh, h0, c0, return_sequences, workspace)


@quiet_overflow
def lstm_forward_unchecked(x, w_ih, w_hh, b_ih, b_hh, h0=None, c0=None,
                           return_sequences=True, workspace=None):
    """``lstm_forward`` without its argument checks, for a caller that made them."""
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    dtype = w_hh.dtype
    scale = sigmoid_row_scale("ssts", hidden, dtype)[:, None]
    # the gates start as the input part W_ih x_t + b of every step; each step adds W_hh h
    w_ih_scaled = scaled_rows(w_ih, scale, workspace, "w_ih_scaled")
    gates = input_projection(x, w_ih_scaled, (b_ih + b_hh) * scale[:, 0], workspace)
    w_hh_scaled = scaled_rows(w_hh, scale, workspace, "w_hh_scaled")
    states = state_buffer(h0, steps, hidden, batch, dtype, workspace)
    cells = state_buffer(c0, steps, hidden, batch, dtype, workspace, "cells")
    tanh_c = buffer(workspace, "tanh_c", (steps, hidden, batch), dtype)
    hidden_part = buffer(workspace, "hidden_part", (4 * hidden, batch), dtype)
    flat_gates, flat_cells = gates.reshape(steps, -1), cells.reshape(steps + 1, -1)
    gates_forward = resolve(lstm_gates_forward)
    for t in range(steps):
        step_gates = gates[t]
        np.matmul(w_hh_scaled, states[t], out=hidden_part)
        step_gates += hidden_part
        np.tanh(step_gates, out=step_gates)
        gates_forward(flat_gates[t], flat_cells[t], flat_cells[t + 1])
        np.tanh(cells[t + 1], out=tanh_c[t])
        np.multiply(step_gates[3 * hidden:], tanh_c[t], out=states[t + 1])
    cache = (x, w_ih, w_hh, states, cells, gates, tanh_c, h0 is not None, c0 is not None)
    return hidden_outputs(states, return_sequences), cache


def lstm_final_states(cache):
    """The final states of an ``lstm_forward`` call: ``(h_n, c_n)``, each (N, H)."""
    states, cells = cache[3], cache[4]
    return states[-1].T.copy(), cells[-1].T.copy()


def lstm_backward(grad_out, cache, workspace=None, grad_h_n=None, grad_c_n=None):
    """Backpropagation through time for ``lstm_forward``.

    Per step (last to first) the kernel turns dL/dh and dL/dc into the gates'
    preactivation gradient da_t; dL/dh_{t-1} = W_hh^T da_t (+ the upstream
    gradient of h_{t-1}). The parameter gradients then sum over all steps at once.

    Parameters
    ----------
    grad_out : (N, T, H), dL/dh_t for every step; or (N, H), dL/dh of the last step only
    cache : from ``lstm_forward``
    workspace : dict or None, buffers kept between calls (``minnet.functional.recurrent``)
    grad_h_n, grad_c_n : (N, H) or None, dL/dh_{T-1} and dL/dc_{T-1} from another
        path than the output (the final states returned apart); they start the loop

    Returns
    -------
    grad_x (N, T, D); grad_h0, grad_c0 (N, H) or None when h0, c0 were None;
    grad_w_ih (4H, D), grad_w_hh (4H, H), grad_b_ih (4H,), grad_b_hh (4H,)
    """
    states, gates = cache[3], cache[5]
    steps, _, batch = gates.shape
    grad_out = check_upstream("lstm_backward", grad_out, batch, steps, states.shape[1],
                              {"grad_h_n": grad_h_n, "grad_c_n": grad_c_n})
    return lstm_backward_unchecked(grad_out, cache, workspace, grad_h_n, grad_c_n)


@quiet_overflow
def lstm_backward_unchecked(grad_out, cache, workspace=None, grad_h_n=None,
                            grad_c_n=None):
    """``lstm_backward`` without its argument checks, for a caller that made them."""
    x, w_ih, w_hh, states, cells, gates, tanh_c, has_h0, has_c0 = cache
    steps, _, batch = gates.shape
    grad_h, per_step = upstream_gradients(grad_out, steps, states.dtype, workspace, grad_h_n)
    grad_c = final_cell_gradient(grad_c_n, grad_h)
    grad_c_prev = np.empty_like(grad_h)
    grad_preact = buffer(workspace, "grad_preact", gates.shape, gates.dtype)
    flat_grad = grad_preact.reshape(steps, -1)
    flat_gates, flat_cells = gates.reshape(steps, -1), cells.reshape(steps + 1, -1)
    flat_tanh_c = tanh_c.reshape(steps, -1)
    w_hh_t = w_hh.T
    gates_backward = resolve(lstm_gates_backward)
    flat_h, flat_c, flat_c_prev = grad_h.reshape(-1), grad_c.reshape(-1), grad_c_prev.reshape(-1)
    for t in range(steps - 1, -1, -1):
        gates_backward(flat_h, flat_c, flat_gates[t], flat_cells[t], flat_tanh_c[t], flat_grad[t],
                       flat_c_prev)
        grad_c, grad_c_prev = grad_c_prev, grad_c
        flat_c, flat_c_prev = flat_c_prev, flat_c
        if t > 0 or has_h0:
            np.matmul(w_hh_t, grad_preact[t], out=grad_h)
        if per_step is not None and t > 0:
            grad_h += per_step[t - 1]
    stacked = stack_steps(grad_preact, workspace)
    return (input_gradient(stacked, w_ih, batch), initial_state_gradient(grad_h, has_h0),
            initial_state_gradient(grad_c, has_c0),
            *parameter_gradients(stacked, x, stacked, states, workspace))
