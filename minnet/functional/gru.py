"""The GRU, one layer, batch first, with PyTorch's equations, layout and gate order.

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)            reset gate
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)            update gate
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))         new gate
    h' = (1 - z) * n + z * h

Note ``b_hn`` sits inside the reset gate's product (PyTorch's and cuDNN's
form, not the original paper's). ``w_ih`` (3H, D) stacks W_ir, W_iz, W_in
(PyTorch's ``weight_ih_l0``), ``w_hh`` (3H, H) likewise, ``b_ih`` and ``b_hh``
(3H,). Every float array of one call shares one dtype.

Read in order: ``gru_step_forward``/``gru_step_backward`` are one step (the
textbook pair); ``gru_forward_naive``/``gru_backward_naive`` run it over the
sequence, forward in time and back. ``gru_forward``/``gru_backward`` compute
the same (the tests hold them to the loop): they check their arguments, then
run the fast whole-sequence plan of ``minnet.kernels.gru_plan``.
"""

from collections import namedtuple

import numpy as np

from minnet.functional.recurrent import sigmoid
from minnet.functional.recurrent_checks import (
    check_cell_arguments,
    check_options,
    check_shape,
    check_upstream,
)
from minnet.kernels.gru_plan import (  # noqa: F401 (gru_final_states: this module's API)
    gru_final_states,
    gru_sequence_backward,
    gru_sequence_forward,
)
from minnet.validation import quiet_overflow

GRUStepCache = namedtuple("GRUStepCache", ["x_t", "h_prev", "w_ih", "w_hh", "r", "z", "n", "hn"])
GRUStepCache.__doc__ = """What ``gru_step_backward`` needs from one step.

x_t : (N, D); h_prev : (N, H) the step's inputs; w_ih : (3H, D); w_hh : (3H, H);
r, z, n : (N, H) the gate values; hn : (N, H), W_hn h_prev + b_hn (inside r * (...)).
"""

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
    h : (N, H); cache : GRUStepCache
    """
    check_cell_arguments("gru_step_forward", x_t, (w_ih, w_hh, b_ih, b_hh), 3,
                         {"h_prev": h_prev}, step=True)
    hidden = h_prev.shape[1]
    input_part = x_t @ w_ih.T + b_ih  # (N, 3H): r, z, n side by side
    hidden_part = h_prev @ w_hh.T + b_hh
    r = sigmoid(input_part[:, :hidden] + hidden_part[:, :hidden])
    z = sigmoid(input_part[:, hidden:2 * hidden] + hidden_part[:, hidden:2 * hidden])
    hn = hidden_part[:, 2 * hidden:]
    n = np.tanh(input_part[:, 2 * hidden:] + r * hn)
    h = (1 - z) * n + z * h_prev
    return h, GRUStepCache(x_t, h_prev, w_ih, w_hh, r, z, n, hn)


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
    cache : GRUStepCache, from ``gru_step_forward``

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


# --- the whole sequence: a loop of steps --------------------------------------


def gru_forward_naive(x, w_ih, w_hh, b_ih, b_hh, h0=None,
                      return_sequences=True):
    """The whole sequence as a loop of ``gru_step_forward`` (the reference).

    Parameters and returns as ``gru_forward``; the cache is (the list of T
    step caches, whether h0 was given).
    """
    check_cell_arguments("gru_forward_naive", x, (w_ih, w_hh, b_ih, b_hh), 3, {"h0": h0})
    check_options("gru_forward_naive", return_sequences)
    batch, steps, _ = x.shape
    h = np.zeros((batch, w_hh.shape[1]), dtype=x.dtype) if h0 is None else h0
    hidden_states, caches = [], []
    for t in range(steps):
        h, step_cache = gru_step_forward(x[:, t], h, w_ih, w_hh, b_ih, b_hh)
        hidden_states.append(h)
        caches.append(step_cache)
    out = np.stack(hidden_states, axis=1) if return_sequences else h.copy()
    return out, (caches, h0 is not None)


def gru_backward_naive(grad_out, cache, grad_h_n=None):
    """Backpropagation through time as a loop of ``gru_step_backward`` (the reference).

    From the last step to the first: each step turns dL/dh_t into
    dL/dh_{t-1}; h_{t-1} was an output too, so its own gradient from
    ``grad_out`` adds in. The weights' gradients sum over the steps.
    Parameters and returns as ``gru_backward``.
    """
    caches, has_h0 = cache
    first = caches[0]
    grad_out = check_upstream("gru_backward_naive", grad_out, len(first.x_t), len(caches),
                              first.h_prev.shape[1], {"grad_h_n": grad_h_n})
    grad_h = (grad_out if grad_out.ndim == 2 else grad_out[:, -1]).copy()  # the last step's
    if grad_h_n is not None:  # the final state, returned apart, got a gradient of its own
        grad_h += grad_h_n
    grad_x, grad_weights = [], [0, 0, 0, 0]  # dW_ih, dW_hh, db_ih, db_hh
    for t in reversed(range(len(caches))):
        grad_x_t, grad_h, *step_grads = gru_step_backward(grad_h, caches[t])
        grad_x.append(grad_x_t)
        grad_weights = [total + grad for total, grad in zip(grad_weights, step_grads)]
        if grad_out.ndim == 3 and t > 0:
            grad_h = grad_h + grad_out[:, t - 1]
    return (np.stack(grad_x[::-1], axis=1), grad_h if has_h0 else None, *grad_weights)


# --- the public pair: checks, then the fast plan --------------------------------


def gru_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, return_sequences=True, workspace=None):
    """GRU over a whole batch-first sequence.

    Parameters
    ----------
    x : (N, T, D)
    w_ih : (3H, D); w_hh : (3H, H); b_ih, b_hh : (3H,)
    h0 : (N, H) initial hidden state, or None for zeros
    return_sequences : bool, output every hidden state or only the last
    workspace : dict or None, buffers kept between calls: the one exception to
        "no state"; with one, the cache is valid only until the next call with it
        (``minnet.kernels.recurrent_plan``)

    Returns
    -------
    hidden_states : (N, T, H), h_t of every step; with ``return_sequences=False``
        only the last, h_{T-1}, as (N, H)
    cache : ``minnet.kernels.gru_plan.GRUSequenceCache``
    """
    check_cell_arguments("gru_forward", x, (w_ih, w_hh, b_ih, b_hh), 3, {"h0": h0})
    check_options("gru_forward", return_sequences)
    return gru_sequence_forward(x, w_ih, w_hh, b_ih, b_hh, h0, return_sequences, workspace)


def gru_backward(grad_out, cache, workspace=None, grad_h_n=None):
    """Backpropagation through time for ``gru_forward``.

    Parameters
    ----------
    grad_out : (N, T, H), dL/dh_t for every step; or (N, H), dL/dh of the last step only
    cache : from ``gru_forward``
    workspace : dict or None, as for ``gru_forward``; with one, the weight
        gradients are its buffers, valid until the next call with it
    grad_h_n : (N, H) or None, dL/dh_{T-1} from another path than the output
        (the final state h_n, returned apart); it adds to the last step's

    Returns
    -------
    grad_x (N, T, D); grad_h0 (N, H) or None when h0 was None;
    grad_w_ih (3H, D), grad_w_hh (3H, H), grad_b_ih (3H,), grad_b_hh (3H,)
    """
    batch, steps, _ = cache.x.shape
    grad_out = check_upstream("gru_backward", grad_out, batch, steps, cache.w_hh.shape[1],
                              {"grad_h_n": grad_h_n})
    return gru_sequence_backward(grad_out, cache, workspace, grad_h_n)
