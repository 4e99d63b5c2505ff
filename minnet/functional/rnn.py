"""The vanilla (Elman) RNN, one layer, batch first, with PyTorch's equations and layout.

    h' = act(W_ih x + b_ih + W_hh h + b_hh),   act = tanh or relu

``w_ih`` (H, D) is PyTorch's ``weight_ih_l0``, ``w_hh`` (H, H) ``weight_hh_l0``,
``b_ih`` and ``b_hh`` (H,). Every float array of one call shares one dtype.

Two implementations: ``rnn_step_forward``/``rnn_step_backward`` and the
``_naive`` loops over them are the textbook version (CS231n's); the
``rnn_forward``/``rnn_backward`` pair is the fast one (see
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
from minnet.kernels.recurrent import rnn_activation_backward
from minnet.validation import quiet_overflow

NONLINEARITIES = ("tanh", "relu")

# --- one step, textbook -------------------------------------------------------


@quiet_overflow  # NaN and inf flow as in PyTorch, without NumPy's warnings
def rnn_step_forward(x_t, h_prev, w_ih, w_hh, b_ih, b_hh, nonlinearity="tanh"):
    """One RNN step.

    Parameters
    ----------
    x_t : (N, D); h_prev : (N, H)
    w_ih : (H, D); w_hh : (H, H); b_ih, b_hh : (H,)
    nonlinearity : "tanh" or "relu"

    Returns
    -------
    h : (N, H); cache
    """
    check_cell_arguments("rnn_step_forward", x_t, (w_ih, w_hh, b_ih, b_hh), 1,
                         {"h_prev": h_prev}, step=True)
    check_options("rnn_step_forward", True, nonlinearity, NONLINEARITIES)
    preact = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh
    h = np.tanh(preact) if nonlinearity == "tanh" else np.maximum(preact, 0)
    return h, (x_t, h_prev, w_ih, w_hh, h, nonlinearity)


@quiet_overflow
def rnn_step_backward(grad_h, cache):
    """Backward of one RNN step.

    da = grad_h * act'(a), read from h: 1 - h^2 (tanh) or [h > 0] (relu); then
    the affine map's usual gradients: dx = da W_ih, dh_prev = da W_hh,
    dW_ih = da^T x, dW_hh = da^T h_prev, db = sum over the batch of da.

    Parameters
    ----------
    grad_h : (N, H)

    Returns
    -------
    grad_x (N, D), grad_h_prev (N, H), grad_w_ih (H, D), grad_w_hh (H, H),
    grad_b_ih (H,), grad_b_hh (H,)
    """
    x_t, h_prev, w_ih, w_hh, h, nonlinearity = cache
    check_shape("rnn_step_backward", "grad_h", np.asarray(grad_h), h.shape, "(N, H)")
    grad_preact = grad_h * (1 - h ** 2) if nonlinearity == "tanh" else grad_h * (h > 0)
    grad_b = grad_preact.sum(axis=0)
    return (grad_preact @ w_ih, grad_preact @ w_hh, grad_preact.T @ x_t,
            grad_preact.T @ h_prev, grad_b, grad_b.copy())


def rnn_forward_naive(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity="tanh",
                      return_sequences=True):
    """The whole sequence as a loop of ``rnn_step_forward`` (the reference).

    Parameters and returns as ``rnn_forward``.
    """
    check_cell_arguments("rnn_forward_naive", x, (w_ih, w_hh, b_ih, b_hh), 1, {"h0": h0})
    check_options("rnn_forward_naive", return_sequences, nonlinearity, NONLINEARITIES)
    h = naive_initial_state(h0, len(x), w_hh.shape[1], x.dtype)
    out, caches = naive_unroll(
        lambda x_t, h: rnn_step_forward(x_t, h, w_ih, w_hh, b_ih, b_hh, nonlinearity),
        x, (h,), return_sequences)
    return out, (caches, h0 is not None)


def rnn_backward_naive(grad_out, cache, grad_h_n=None):
    """Backpropagation through time as a loop of ``rnn_step_backward`` (the reference).

    Parameters and returns as ``rnn_backward``.
    """
    caches, has_h0 = cache
    x_t, h_prev = caches[0][:2]
    grad_out = check_upstream("rnn_backward_naive", grad_out, len(x_t), len(caches),
                              h_prev.shape[1], {"grad_h_n": grad_h_n})
    grad_x, (grad_h,), totals = naive_backprop_through_time(rnn_step_backward, grad_out,
                                                            caches, 1, (grad_h_n,))
    return (grad_x, grad_h if has_h0 else None, *totals)


# --- the whole sequence, fast --------------------------------------------------


def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity="tanh",
                return_sequences=True, workspace=None):
    """RNN over a whole batch-first sequence.

    Parameters
    ----------
    x : (N, T, D)
    w_ih : (H, D); w_hh : (H, H); b_ih, b_hh : (H,)
    h0 : (N, H) initial hidden state, or None for zeros
    return_sequences : bool, output every hidden state or only the last
    nonlinearity : "tanh" or "relu"

    Returns
    -------
    hidden_states : (N, T, H), h_t of every step; with ``return_sequences=False``
        only the last, h_{T-1}, as (N, H)
    cache
    """
    check_cell_arguments("rnn_forward", x, (w_ih, w_hh, b_ih, b_hh), 1, {"h0": h0})
    check_options("rnn_forward", return_sequences, nonlinearity, NONLINEARITIES)
    return rnn_forward_unchecked(x, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity, return_sequences,
                                 workspace)


@quiet_overflow
def rnn_forward_unchecked(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity="tanh",
                          return_sequences=True, workspace=None):
    """``rnn_forward`` without its argument checks, for a caller that made them."""
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    projected = input_projection(x, w_ih, b_ih + b_hh)
    states = state_buffer(h0, steps, hidden, batch, w_hh.dtype)
    for t in range(steps):
        state = states[t + 1]
        np.matmul(w_hh, states[t], out=state)
        state += projected[t]
        if nonlinearity == "tanh":
            np.tanh(state, out=state)
        else:
            np.maximum(state, 0, out=state)
    cache = (x, w_ih, w_hh, states, nonlinearity == "tanh", h0 is not None)
    return hidden_outputs(states, return_sequences), cache


def rnn_final_states(cache):
    """The final hidden state h_n of an ``rnn_forward`` call, as a tuple ``(h_n,)`` of (N, H)."""
    return (cache[3][-1].T.copy(),)


def rnn_backward(grad_out, cache, workspace=None, grad_h_n=None):
    """Backpropagation through time for ``rnn_forward``.

    Per step (last to first) da_t = dh_t * act'(a_t) (the kernel) and
    dL/dh_{t-1} = W_hh^T da_t (+ the upstream gradient of h_{t-1}); the
    parameter gradients then sum over all steps at once.

    Parameters
    ----------
    grad_out : (N, T, H), dL/dh_t for every step; or (N, H), dL/dh of the last step only
    cache : from ``rnn_forward``
    workspace : dict or None, buffers kept between calls (``minnet.functional.recurrent``)
    grad_h_n : (N, H) or None, dL/dh_{T-1} from another path than the output
        (the final state h_n, returned apart); it adds to the last step's

    Returns
    -------
    grad_x (N, T, D); grad_h0 (N, H) or None when h0 was None;
    grad_w_ih (H, D), grad_w_hh (H, H), grad_b_ih (H,), grad_b_hh (H,)
    """
    states = cache[3]
    steps, hidden, batch = states.shape[0] - 1, states.shape[1], states.shape[2]
    grad_out = check_upstream("rnn_backward", grad_out, batch, steps, hidden,
                              {"grad_h_n": grad_h_n})
    return rnn_backward_unchecked(grad_out, cache, workspace, grad_h_n)


@quiet_overflow
def rnn_backward_unchecked(grad_out, cache, workspace=None, grad_h_n=None):
    """``rnn_backward`` without its argument checks, for a caller that made them."""
    x, w_ih, w_hh, states, is_tanh, has_h0 = cache
    steps, hidden, batch = states.shape[0] - 1, states.shape[1], states.shape[2]
    grad_h, per_step = upstream_gradients(grad_out, steps, states.dtype, workspace, grad_h_n)
    grad_preact = buffer(workspace, "grad_preact", (steps, hidden, batch), states.dtype)
    flat_grad, flat_states = grad_preact.reshape(steps, -1), states.reshape(steps + 1, -1)
    w_hh_t = w_hh.T
    activation_backward = resolve(rnn_activation_backward)
    flat_h = grad_h.reshape(-1)
    for t in range(steps - 1, -1, -1):
        activation_backward(flat_h, flat_states[t + 1], is_tanh, flat_grad[t])
        if t > 0 or has_h0:
            np.matmul(w_hh_t, grad_preact[t], out=grad_h)
        if per_step is not None and t > 0:
            grad_h += per_step[t - 1]
    stacked = stack_steps(grad_preact, workspace)
    return (input_gradient(stacked, w_ih, batch), initial_state_gradient(grad_h, has_h0),
            *parameter_gradients(stacked, x, stacked, states, workspace))
