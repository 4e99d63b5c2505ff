"""Exercise 8, two-layer-net: a whole network's loss and gradients, by hand (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


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
    # TODO: linear, ReLU, linear, cross-entropy, plus reg times the squared weights.
    raise NotImplementedError


def two_layer_net_backward(grad_out, cache):
    """Gradients of the loss. grad_out: a scalar. Returns (dw1, db1, dw2, db2).

    The chain rule runs the forward backwards: cross-entropy, second linear,
    ReLU (the mask), first linear. The penalty reg * sum(w ** 2) adds
    2 * reg * w to each weight's gradient, scaled by grad_out like the rest.
    """
    # TODO: chain the layers' backward passes in reverse; add the penalty's gradient.
    raise NotImplementedError
