"""The two-layer network's loss and gradients: linear, ReLU, linear, softmax cross-entropy, L2.

Built from ``minnet.functional``'s pairs, so that its gradients are the ones
the earlier exercises asked for, chained.
"""

import numpy as np

from minnet.functional import (
    cross_entropy_backward,
    cross_entropy_forward,
    linear_backward,
    linear_forward,
    relu_backward,
    relu_forward,
)
from minnet.kernels.backend import use_backend


def two_layer_net_forward(x, target, w1, b1, w2, b2, reg=0.0):
    """Loss of the network ``x -> linear -> ReLU -> linear -> cross-entropy``, plus L2 on weights.

    loss = mean_n -log softmax(z_n)[target_n] + reg * (sum(w1 ** 2) + sum(w2 ** 2)),
    z = relu(x @ w1.T + b1) @ w2.T + b2. The biases are not regularized.

    Parameters
    ----------
    x : ndarray of shape (N, D)
    target : int ndarray of shape (N,), labels in [0, C)
    w1 : ndarray of shape (H, D); b1 : ndarray of shape (H,)
    w2 : ndarray of shape (C, H); b2 : ndarray of shape (C,)
    reg : float >= 0, the L2 strength

    Returns
    -------
    loss : float
    cache : what ``two_layer_net_backward`` needs
    """
    hidden_in, cache1 = linear_forward(x, w1, b1)
    hidden, cache_relu = relu_forward(hidden_in)
    scores, cache2 = linear_forward(hidden, w2, b2)
    with use_backend("numpy"):  # the numba kernel's load time would dominate a check
        data_loss, cache_loss = cross_entropy_forward(scores, target)
    loss = data_loss + reg * (np.sum(w1 * w1) + np.sum(w2 * w2))
    return float(loss), (cache1, cache_relu, cache2, cache_loss, w1, w2, reg)


def two_layer_net_backward(grad_out, cache):
    """Gradients of the loss. grad_out: a scalar. Returns (dw1, db1, dw2, db2).

    The chain rule runs the forward backwards: cross-entropy, second linear,
    ReLU (the mask), first linear. The penalty reg * sum(w ** 2) adds
    2 * reg * w to each weight's gradient, scaled by grad_out like the rest.
    """
    cache1, cache_relu, cache2, cache_loss, w1, w2, reg = cache
    with use_backend("numpy"):
        dscores = cross_entropy_backward(grad_out, cache_loss)
    dhidden, dw2, db2 = linear_backward(dscores, cache2)
    dhidden_in = relu_backward(dhidden, cache_relu)
    _, dw1, db1 = linear_backward(dhidden_in, cache1, input_grad=False)
    return (dw1 + 2 * reg * grad_out * w1, db1, dw2 + 2 * reg * grad_out * w2, db2)
