"""Exercise 20, lstm-step: one LSTM step, forward and backward (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


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
    # TODO: the four gates from one stacked preactivation (order i, f, g, o), then c and h.
    raise NotImplementedError


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
    # TODO: dc gets grad_c plus the path through h = o tanh(c); then each gate.
    raise NotImplementedError
