"""Wrong backpropagation through time: no recurrent gradient, dW_hh assigned, tanh' at h_prev."""

import numpy as np


def rnn_forward(x, w_ih, w_hh, b_ih, b_hh, h0=None, nonlinearity="tanh",
                return_sequences=True, workspace=None):
    h = np.zeros((x.shape[0], w_hh.shape[0])) if h0 is None else h0
    states = [h]
    for t in range(x.shape[1]):
        h = np.tanh(x[:, t] @ w_ih.T + b_ih + h @ w_hh.T + b_hh)
        states.append(h)
    return np.stack(states[1:], axis=1), (x, w_ih, w_hh, states)


def _bptt(grad_out, cache, recurrent=True, assign_w_hh=False, derivative_at_prev=False):
    x, w_ih, w_hh, states = cache
    dx = np.zeros_like(x)
    dw_ih, dw_hh = np.zeros_like(w_ih), np.zeros_like(w_hh)
    db = np.zeros(w_hh.shape[0])
    dh_next = np.zeros_like(states[0])
    for t in reversed(range(x.shape[1])):
        h, h_prev = states[t + 1], states[t]
        dh = grad_out[:, t] + dh_next
        at = h_prev if derivative_at_prev else h
        da = dh * (1 - at * at)
        dx[:, t] = da @ w_ih
        dw_ih += da.T @ x[:, t]
        if assign_w_hh:
            dw_hh = da.T @ h_prev
        else:
            dw_hh += da.T @ h_prev
        db += da.sum(axis=0)
        dh_next = da @ w_hh if recurrent else np.zeros_like(h_prev)
    dh0 = dh_next if recurrent else da @ w_hh
    return dx, dh0, dw_ih, dw_hh, db, db.copy()


def no_recurrent_gradient(grad_out, cache, workspace=None, grad_h_n=None):
    return _bptt(grad_out, cache, recurrent=False)


def dw_hh_assigned(grad_out, cache, workspace=None, grad_h_n=None):
    return _bptt(grad_out, cache, assign_w_hh=True)


def tanh_derivative_at_h_prev(grad_out, cache, workspace=None, grad_h_n=None):
    return _bptt(grad_out, cache, derivative_at_prev=True)


MUTANTS = {
    "no-recurrent-gradient": {"rnn_forward": rnn_forward, "rnn_backward": no_recurrent_gradient},
    "dw-hh-assigned": {"rnn_forward": rnn_forward, "rnn_backward": dw_hh_assigned},
    "tanh-derivative-at-h-prev": {"rnn_forward": rnn_forward,
                                  "rnn_backward": tanh_derivative_at_h_prev},
}
