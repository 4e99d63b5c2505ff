"""Wrong LSTM steps: gates read in the order i, f, o, g; the incoming cell gradient dropped;
tanh' taken at c_prev."""

import numpy as np


def _sigmoid(z):
    return 0.5 * (1 + np.tanh(0.5 * z))


def _forward(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh, order="ifgo"):
    hidden = h_prev.shape[1]
    a = x_t @ w_ih.T + b_ih + h_prev @ w_hh.T + b_hh
    blocks = dict(zip(order, (a[:, k * hidden:(k + 1) * hidden] for k in range(4))))
    i, f, o = _sigmoid(blocks["i"]), _sigmoid(blocks["f"]), _sigmoid(blocks["o"])
    g = np.tanh(blocks["g"])
    c = f * c_prev + i * g
    h = o * np.tanh(c)
    return h, c, (x_t, h_prev, c_prev, w_ih, w_hh, i, f, g, o, c, order)


def _backward(grad_h, grad_c, cache, keep_grad_c=True, derivative_at_prev=False):
    x_t, h_prev, c_prev, w_ih, w_hh, i, f, g, o, c, order = cache
    at = np.tanh(c_prev) if derivative_at_prev else np.tanh(c)
    dc = (grad_c if keep_grad_c else 0) + grad_h * o * (1 - at ** 2)
    parts = {"i": dc * g * i * (1 - i), "f": dc * c_prev * f * (1 - f),
             "g": dc * i * (1 - g ** 2), "o": grad_h * np.tanh(c) * o * (1 - o)}
    da = np.concatenate([parts[gate] for gate in order], axis=1)
    db = da.sum(axis=0)
    return da @ w_ih, da @ w_hh, dc * f, da.T @ x_t, da.T @ h_prev, db, db.copy()


def lstm_step_forward(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    return _forward(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh)


def lstm_step_backward(grad_h, grad_c, cache):
    return _backward(grad_h, grad_c, cache)


def gate_order_ifog(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh):
    return _forward(x_t, h_prev, c_prev, w_ih, w_hh, b_ih, b_hh, order="ifog")


def cell_gradient_dropped(grad_h, grad_c, cache):
    return _backward(grad_h, grad_c, cache, keep_grad_c=False)


def tanh_derivative_at_c_prev(grad_h, grad_c, cache):
    return _backward(grad_h, grad_c, cache, derivative_at_prev=True)


MUTANTS = {
    "gate-order": {"lstm_step_forward": gate_order_ifog, "lstm_step_backward": lstm_step_backward},
    "cell-gradient-dropped": {"lstm_step_forward": lstm_step_forward,
                              "lstm_step_backward": cell_gradient_dropped},
    "tanh-derivative-at-c-prev": {"lstm_step_forward": lstm_step_forward,
                                  "lstm_step_backward": tanh_derivative_at_c_prev},
}
