"""One step of SGD with momentum, weight decay and Nesterov: ``minnet.optim.SGD``'s rule, pure."""

import numpy as np


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
    g = grad + weight_decay * param
    v = momentum * velocity + g
    direction = g + momentum * v if nesterov else v
    return param - lr * direction, np.array(v, dtype=np.float64)
