"""The LSTM, one layer, batch first, with PyTorch's equations, layout and gate order.

    i = sigmoid(W_ii x + b_ii + W_hi h + b_hi)      input gate
    f = sigmoid(W_if x + b_if + W_hf h + b_hf)      forget gate
    g = tanh(W_ig x + b_ig + W_hg h + b_hg)         cell candidate
    o = sigmoid(W_io x + b_io + W_ho h + b_ho)      output gate
    c' = f * c + i * g,   h' = o * tanh(c')

``w_ih`` (4H, D) stacks W_ii, W_if, W_ig, W_io (PyTorch's ``weight_ih_l0``),
``w_hh`` (4H, H) likewise, ``b_ih`` and ``b_hh`` (4H,). Every float array of
one call shares one dtype.

Read in order: ``lstm_step_forward``/``lstm_step_backward`` are one step (the
textbook pair, CS231n's); ``lstm_forward_naive``/``lstm_backward_naive`` run
it over the sequence, forward in time and back. ``lstm_forward``/
``lstm_backward`` compute the same (the tests hold them to the loop): they
check their arguments, then run the fast whole-sequence plan of
``minnet.kernels.lstm_plan``.
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
from minnet.kernels.lstm_plan import (  # noqa: F401 (lstm_final_states: this module's API)
    lstm_final_states,
    lstm_sequence_backward,
    lstm_sequence_forward,
)
from minnet.validation import quiet_overflow

LSTMStepCache = namedtuple("LSTMStepCache",
                           ["x_t", "h_prev", "c_prev", "w_ih", "w_hh", "i", "f", "g", "o",
                            "tanh_c"])
LSTMStepCache.__doc__ = """What ``lstm_step_backward`` needs from one step.

x_t : (N, D); h_prev, c_prev : (N, H) the step's inputs; w_ih : (4H, D); w_hh : (4H, H);
i, f, g, o : (N, H) the gate values; tanh_c : (N, H), tanh of the new cell state.
"""

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
    h : (N, H); c : (N, H); cache : LSTMStepCache
    """
    check_cell_arguments("lstm_step_forward", x_t, (w_ih, w_hh, b_ih, b_hh), 4,
                         {"h_prev": h_prev, "c_prev": c_prev}, step=True)
    hidden = h_prev.shape[1]
    preact = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh  # (N, 4H): i, f, g, o side by side
    i, f, o = (sigmoid(preact[:, k * hidden:(k + 1) * hidden]) for k in (0, 1, 3))
    g = np.tanh(preact[:, 2 * hidden:3 * hidden])
    c = f * c_prev + i * g
    tanh_c = np.tanh(c)
    h = o * tanh_c
    return h, c, LSTMStepCache(x_t, h_prev, c_prev, w_ih, w_hh, i, f, g, o, tanh_c)


@quiet_overflow
def lstm_step_backward(grad_h, grad_c, cache):
    """Backward of one LSTM step.

    h = o tanh(c) sends grad_h * o * (1 - tanh(c)^2) into c on top of grad_c;
    c = f c_prev + i g splits it into the gates; each gate's preactivation
    gets its gate's local derivative (s (1 - s) or 1 - g^2).

    Parameters
    ----------
    grad_h, grad_c : (N, H), dL/dh and dL/dc of this step's outputs
    cache : LSTMStepCache, from ``lstm_step_forward``

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


# --- the whole sequence: a loop of steps --------------------------------------


def lstm_forward_naive(x, w_ih, w_hh, b_ih, b_hh, h0=None, c0=None,
                       return_sequences=True):
    """The whole sequence as a loop of ``lstm_step_forward`` (the reference).

    Parameters and returns as ``lstm_forward``; the cache is (the list of T
    step caches, whether h0 was given, whether c0 was given).
    """
    check_cell_arguments("lstm_forward_naive", x, (w_ih, w_hh, b_ih, b_hh), 4,
                         {"h0": h0, "c0": c0})
    check_options("lstm_forward_naive", return_sequences)
    batch, steps, _ = x.shape
    hidden = w_hh.shape[1]
    h = np.zeros((batch, hidden), dtype=x.dtype) if h0 is None else h0
    c = np.zeros((batch, hidden), dtype=x.dtype) if c0 is None else c0
    hidden_states, caches = [], []
    for t in range(steps):
        h, c, step_cache = lstm_step_forward(x[:, t], h, c, w_ih, w_hh, b_ih, b_hh)
        hidden_states.append(h)
        caches.append(step_cache)
    out = np.stack(hidden_states, axis=1) if return_sequences else h.copy()
    return out, (caches, h0 is not None, c0 is not None)


def lstm_backward_naive(grad_out, cache, grad_h_n=None, grad_c_n=None):
    """Backpropagation through time as a loop of ``lstm_step_backward`` (the reference).

    From the last step to the first: each step turns dL/dh_t and dL/dc_t into
    dL/dh_{t-1} and dL/dc_{t-1}; h_{t-1} was an output too, so its own gradient
    from ``grad_out`` adds in. The weights' gradients sum over the steps.
    Parameters and returns as ``lstm_backward``.
    """
    caches, has_h0, has_c0 = cache
    first = caches[0]
    grad_out = check_upstream("lstm_backward_naive", grad_out, len(first.x_t), len(caches),
                              first.h_prev.shape[1], {"grad_h_n": grad_h_n, "grad_c_n": grad_c_n})
    grad_h = (grad_out if grad_out.ndim == 2 else grad_out[:, -1]).copy()  # the last step's
    grad_c = np.zeros_like(grad_h)
    if grad_h_n is not None:  # the final states, returned apart, got gradients of their own
        grad_h += grad_h_n
    if grad_c_n is not None:
        grad_c += grad_c_n
    grad_x, grad_weights = [], [0, 0, 0, 0]  # dW_ih, dW_hh, db_ih, db_hh
    for t in reversed(range(len(caches))):
        grad_x_t, grad_h, grad_c, *step_grads = lstm_step_backward(grad_h, grad_c, caches[t])
        grad_x.append(grad_x_t)
        grad_weights = [total + grad for total, grad in zip(grad_weights, step_grads)]
        if grad_out.ndim == 3 and t > 0:
            grad_h = grad_h + grad_out[:, t - 1]
    return (np.stack(grad_x[::-1], axis=1), grad_h if has_h0 else None,
            grad_c if has_c0 else None, *grad_weights)


# --- the public pair: checks, then the fast plan --------------------------------


def lstm_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, c0=None, return_sequences=True,
                 workspace=None):
    """LSTM over a whole batch-first sequence.

    Parameters
    ----------
    x : (N, T, D)
    w_ih : (4H, D); w_hh : (4H, H); b_ih, b_hh : (4H,)
    h0, c0 : (N, H) initial hidden and cell states, or None for zeros
    return_sequences : bool, output every hidden state or only the last
    workspace : dict or None, buffers kept between calls: the one exception to
        "no state"; with one, the cache is valid only until the next call with it
        (``minnet.kernels.recurrent_plan``)

    Returns
    -------
    hidden_states : (N, T, H), h_t of every step; with ``return_sequences=False``
        only the last, h_{T-1}, as (N, H)
    cache : ``minnet.kernels.lstm_plan.LSTMSequenceCache``
    """
    check_cell_arguments("lstm_forward", x, (w_ih, w_hh, b_ih, b_hh), 4, {"h0": h0, "c0": c0})
    check_options("lstm_forward", return_sequences)
    return lstm_sequence_forward(x, w_ih, w_hh, b_ih, b_hh, h0, c0, return_sequences, workspace)


def lstm_backward(grad_out, cache, workspace=None, grad_h_n=None, grad_c_n=None):
    """Backpropagation through time for ``lstm_forward``.

    Parameters
    ----------
    grad_out : (N, T, H), dL/dh_t for every step; or (N, H), dL/dh of the last step only
    cache : from ``lstm_forward``
    workspace : dict or None, as for ``lstm_forward``; with one, the weight
        gradients are its buffers, valid until the next call with it
    grad_h_n, grad_c_n : (N, H) or None, dL/dh_{T-1} and dL/dc_{T-1} from another
        path than the output (the final states returned apart); they start the loop

    Returns
    -------
    grad_x (N, T, D); grad_h0, grad_c0 (N, H) or None when h0, c0 were None;
    grad_w_ih (4H, D), grad_w_hh (4H, H), grad_b_ih (4H,), grad_b_hh (4H,)
    """
    batch, steps, _ = cache.x.shape
    grad_out = check_upstream("lstm_backward", grad_out, batch, steps, cache.w_hh.shape[1],
                              {"grad_h_n": grad_h_n, "grad_c_n": grad_c_n})
    return lstm_sequence_backward(grad_out, cache, workspace, grad_h_n, grad_c_n)
