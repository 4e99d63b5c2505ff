"""The vanilla (Elman) RNN, one layer, batch first, with PyTorch's equations and layout.

    h' = act(W_ih x + b_ih + W_hh h + b_hh),   act = tanh or relu

``w_ih`` (H, D) is PyTorch's ``weight_ih_l0``, ``w_hh`` (H, H) ``weight_hh_l0``,
``b_ih`` and ``b_hh`` (H,). Every float array of one call shares one dtype.

Read in order: ``rnn_step_forward``/``rnn_step_backward`` are one step (the
textbook pair, CS231n's); ``rnn_forward_naive``/``rnn_backward_naive`` run it
over the sequence, forward in time and back. ``rnn_forward``/``rnn_backward``
compute the same (the tests hold them to the loop): they check their
arguments, then run the fast whole-sequence plan of ``minnet.kernels.rnn_plan``.
"""

from collections import namedtuple

import numpy as np

from minnet.functional.recurrent_checks import (
    check_cell_arguments,
    check_options,
    check_shape,
    check_upstream,
)
from minnet.kernels.rnn_plan import (  # noqa: F401 (rnn_final_states: this module's API)
    rnn_final_states,
    rnn_sequence_backward,
    rnn_sequence_forward,
)
from minnet.validation import quiet_overflow

NONLINEARITIES = ("tanh", "relu")

RNNStepCache = namedtuple("RNNStepCache", ["x_t", "h_prev", "w_ih", "w_hh", "h", "nonlinearity"])
RNNStepCache.__doc__ = """What ``rnn_step_backward`` needs from one step.

x_t : (N, D); h_prev : (N, H) the step's inputs; w_ih : (H, D); w_hh : (H, H);
h : (N, H) the step's output; nonlinearity : "tanh" or "relu".
"""

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
    h : (N, H); cache : RNNStepCache
    """
    check_cell_arguments("rnn_step_forward", x_t, (w_ih, w_hh, b_ih, b_hh), 1,
                         {"h_prev": h_prev}, step=True)
    check_options("rnn_step_forward", True, nonlinearity, NONLINEARITIES)
    preact = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh
    h = np.tanh(preact) if nonlinearity == "tanh" else np.maximum(preact, 0)
    return h, RNNStepCache(x_t, h_prev, w_ih, w_hh, h, nonlinearity)


@quiet_overflow
def rnn_step_backward(grad_h, cache):
    """Backward of one RNN step.

    da = grad_h * act'(a), read from h: 1 - h^2 (tanh) or [h > 0] (relu); then
    the affine map's usual gradients: dx = da W_ih, dh_prev = da W_hh,
    dW_ih = da^T x, dW_hh = da^T h_prev, db = sum over the batch of da.

    Parameters
    ----------
    grad_h : (N, H)
    cache : RNNStepCache, from ``rnn_step_forward``

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


# --- the whole sequence: a loop of steps --------------------------------------


def rnn_forward_naive(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity="tanh",
                      return_sequences=True):
    """The whole sequence as a loop of ``rnn_step_forward`` (the reference).

    Parameters and returns as ``rnn_forward``; the cache is (the list of T
    step caches, whether h0 was given).
    """
    check_cell_arguments("rnn_forward_naive", x, (w_ih, w_hh, b_ih, b_hh), 1, {"h0": h0})
    check_options("rnn_forward_naive", return_sequences, nonlinearity, NONLINEARITIES)
    batch, steps, _ = x.shape
    h = np.zeros((batch, w_hh.shape[1]), dtype=x.dtype) if h0 is None else h0
    hidden_states, caches = [], []
    for t in range(steps):
        h, step_cache = rnn_step_forward(x[:, t], h, w_ih, w_hh, b_ih, b_hh, nonlinearity)
        hidden_states.append(h)
        caches.append(step_cache)
    out = np.stack(hidden_states, axis=1) if return_sequences else h.copy()
    return out, (caches, h0 is not None)


def rnn_backward_naive(grad_out, cache, grad_h_n=None):
    """Backpropagation through time as a loop of ``rnn_step_backward`` (the reference).

    From the last step to the first: each step turns dL/dh_t into
    dL/dh_{t-1}; h_{t-1} was an output too, so its own gradient from
    ``grad_out`` adds in. The weights' gradients sum over the steps.
    Parameters and returns as ``rnn_backward``.
    """
    caches, has_h0 = cache
    first = caches[0]
    grad_out = check_upstream("rnn_backward_naive", grad_out, len(first.x_t), len(caches),
                              first.h_prev.shape[1], {"grad_h_n": grad_h_n})
    grad_h = (grad_out if grad_out.ndim == 2 else grad_out[:, -1]).copy()  # the last step's
    if grad_h_n is not None:  # the final state, returned apart, got a gradient of its own
        grad_h += grad_h_n
    grad_x, grad_weights = [], [0, 0, 0, 0]  # dW_ih, dW_hh, db_ih, db_hh
    for t in reversed(range(len(caches))):
        grad_x_t, grad_h, *step_grads = rnn_step_backward(grad_h, caches[t])
        grad_x.append(grad_x_t)
        grad_weights = [total + grad for total, grad in zip(grad_weights, step_grads)]
        if grad_out.ndim == 3 and t > 0:
            grad_h = grad_h + grad_out[:, t - 1]
    return (np.stack(grad_x[::-1], axis=1), grad_h if has_h0 else None, *grad_weights)


# --- the public pair: checks, then the fast plan --------------------------------


def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity="tanh",
                return_sequences=True, workspace=None):
    """RNN over a whole batch-first sequence.

    Parameters
    ----------
    x : (N, T, D)
    w_ih : (H, D); w_hh : (H, H); b_ih, b_hh : (H,)
    h0 : (N, H) initial hidden state, or None for zeros
    nonlinearity : "tanh" or "relu"
    return_sequences : bool, output every hidden state or only the last
    workspace : dict or None; the RNN's forward keeps no buffer there (its
        backward does: see ``rnn_backward``)

    Returns
    -------
    hidden_states : (N, T, H), h_t of every step; with ``return_sequences=False``
        only the last, h_{T-1}, as (N, H)
    cache : ``minnet.kernels.rnn_plan.RNNSequenceCache``
    """
    check_cell_arguments("rnn_forward", x, (w_ih, w_hh, b_ih, b_hh), 1, {"h0": h0})
    check_options("rnn_forward", return_sequences, nonlinearity, NONLINEARITIES)
    return rnn_sequence_forward(x, w_ih, w_hh, b_ih, b_hh, h0, nonlinearity, return_sequences,
                                workspace)


def rnn_backward(grad_out, cache, workspace=None, grad_h_n=None):
    """Backpropagation through time for ``rnn_forward``.

    Parameters
    ----------
    grad_out : (N, T, H), dL/dh_t for every step; or (N, H), dL/dh of the last step only
    cache : from ``rnn_forward``
    workspace : dict or None, buffers kept between calls: the one exception to
        "no state" (``minnet.kernels.recurrent_plan``); with one, the weight
        gradients are its buffers, valid until the next call with it
    grad_h_n : (N, H) or None, dL/dh_{T-1} from another path than the output
        (the final state h_n, returned apart); it adds to the last step's

    Returns
    -------
    grad_x (N, T, D); grad_h0 (N, H) or None when h0 was None;
    grad_w_ih (H, D), grad_w_hh (H, H), grad_b_ih (H,), grad_b_hh (H,)
    """
    batch, steps, _ = cache.x.shape
    grad_out = check_upstream("rnn_backward", grad_out, batch, steps, cache.w_hh.shape[1],
                              {"grad_h_n": grad_h_n})
    return rnn_sequence_backward(grad_out, cache, workspace, grad_h_n)
