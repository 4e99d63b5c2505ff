"""Wrong two-layer nets: no ReLU mask, L2 gradient reg * w, biases regularized."""

import numpy as np


def _log_softmax(z):
    shifted = z - z.max(axis=1, keepdims=True)
    return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))


def _forward(x, target, w1, b1, w2, b2, reg, penalize_biases=False):
    h_in = x @ w1.T + b1
    h = np.maximum(h_in, 0)
    log_p = _log_softmax(h @ w2.T + b2)
    n = len(target)
    penalty = np.sum(w1 * w1) + np.sum(w2 * w2)
    if penalize_biases:
        penalty += np.sum(b1 * b1) + np.sum(b2 * b2)
    loss = -log_p[np.arange(n), target].mean() + reg * penalty
    return float(loss), (x, target, w1, b1, w2, b2, reg, h_in, h, np.exp(log_p))


def _backward(grad_out, cache, mask=True, l2_factor=2.0, penalize_biases=False):
    x, target, w1, b1, w2, b2, reg, h_in, h, p = cache
    n = len(target)
    dz = p.copy()
    dz[np.arange(n), target] -= 1
    dz *= grad_out / n
    dw2, db2 = dz.T @ h, dz.sum(axis=0)
    dh = dz @ w2
    if mask:
        dh = dh * (h_in > 0)
    dw1, db1 = dh.T @ x, dh.sum(axis=0)
    dw1 = dw1 + l2_factor * reg * grad_out * w1
    dw2 = dw2 + l2_factor * reg * grad_out * w2
    if penalize_biases:
        db1 = db1 + 2 * reg * grad_out * b1
        db2 = db2 + 2 * reg * grad_out * b2
    return dw1, db1, dw2, db2


def two_layer_net_forward(x, target, w1, b1, w2, b2, reg=0.0):
    return _forward(x, target, w1, b1, w2, b2, reg)


def no_relu_mask(grad_out, cache):
    return _backward(grad_out, cache, mask=False)


def l2_gradient_not_doubled(grad_out, cache):
    return _backward(grad_out, cache, l2_factor=1.0)


def biases_regularized_forward(x, target, w1, b1, w2, b2, reg=0.0):
    return _forward(x, target, w1, b1, w2, b2, reg, penalize_biases=True)


def biases_regularized_backward(grad_out, cache):
    return _backward(grad_out, cache, penalize_biases=True)


MUTANTS = {
    "no-relu-mask": {"two_layer_net_forward": two_layer_net_forward,
                     "two_layer_net_backward": no_relu_mask},
    "l2-gradient-not-doubled": {"two_layer_net_forward": two_layer_net_forward,
                                "two_layer_net_backward": l2_gradient_not_doubled},
    "biases-regularized": {"two_layer_net_forward": biases_regularized_forward,
                           "two_layer_net_backward": biases_regularized_backward},
}
