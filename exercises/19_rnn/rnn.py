"""Exercise 19, rnn: a tanh RNN over a sequence and backpropagation through time (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity='tanh',
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
    # TODO: h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) for t = 0 .. T-1;
    # keep every state.
    raise NotImplementedError


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
    # TODO: walk the steps from last to first, carrying dL/dh_{t-1} back through W_hh.
    raise NotImplementedError
