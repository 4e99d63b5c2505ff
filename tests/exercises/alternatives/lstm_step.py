"""A correct LSTM step written differently: gates as a (4, N, H) array, the pre-tanh c cached."""

import numpy as np


def lstm_step_forward(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    hidden = h_prev.shape[1]
    a = (x_t @ w_ih.T + h_prev @ w_hh.T + b_ih + b_hh).reshape(-1, 4, hidden).transpose(1, 0, 2)
    gates = 1 / (1 + np.exp(-a))  # sigmoid of all four; g is recomputed with tanh below
    gates[2] = np.tanh(a[2])
    c = gates[1] * c_prev + gates[0] * gates[2]
    return gates[3] * np.tanh(c), c, (x_t, h_prev, c_prev, w_ih, w_hh, gates, c)


def lstm_step_backward(grad_h, grad_c, cache):
    x_t, h_prev, c_prev, w_ih, w_hh, gates, c = cache
    i, f, g, o = gates
    t = np.tanh(c)
    dc = grad_c + grad_h * o * (1 - t * t)
    local = np.stack([dc * g * i * (1 - i), dc * c_prev * f * (1 - f),
                      dc * i * (1 - g * g), grad_h * t * o * (1 - o)])
    da = local.transpose(1, 0, 2).reshape(len(x_t), -1)
    db = np.einsum("nk->k", da)
    return da @ w_ih, da @ w_hh, dc * f, da.T @ x_t, da.T @ h_prev, db, db.copy()
