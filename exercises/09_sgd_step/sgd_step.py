"""Exercise 9, sgd-step: one SGD update with momentum, weight decay and Nesterov (see README.md)."""

import numpy as np  # noqa: F401  (you will need it)


def sgd_step(param, grad, velocity, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    """One SGD update of one parameter, PyTorch's form of momentum. Nothing is modified in place.

    g = grad + weight_decay * param          (the L2 penalty's gradient, added first)
    v = momentum * velocity + g              (the buffer accumulates raw gradients)
    d = g + momentum * v if nesterov else v
    param - lr * d

    With velocity = 0 (before the first step) v is g itself, as in PyTorch.

    Parameters
    ----------
    param, grad, velocity : ndarrays of the same shape
    lr : float > 0; momentum : float in [0, 1); weight_decay : float >= 0
    nesterov : bool

    Returns
    -------
    new_param, new_velocity : ndarrays of param's shape
    """
    # TODO: return (new_param, new_velocity); leave the arguments unchanged.
    raise NotImplementedError
