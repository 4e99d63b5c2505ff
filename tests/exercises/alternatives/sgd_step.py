"""A correct SGD step written differently: Nesterov unrolled into the buffer's terms."""

import numpy as np


def sgd_step(param, grad, velocity, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    gradient = np.add(grad, np.multiply(weight_decay, param))
    buffer = np.multiply(momentum, velocity) + gradient
    if nesterov:  # g + mu (mu v + g) = (1 + mu) g + mu^2 v
        step = (1 + momentum) * gradient + momentum * momentum * velocity
    else:
        step = buffer
    return np.subtract(param, lr * step), buffer
