"""Wrong SGD steps: an EMA buffer (1 - mu) g, Nesterov ignored, decay added after the buffer."""


def ema_momentum(param, grad, velocity, lr, momentum=0.0, weight_decay=0.0, nesterov=False):
    g = grad + weight_decay * param
    v = momentum * velocity + (1 - momentum) * g
    return param - lr * (g + momentum * v if nesterov else v), v


def nesterov_as_momentum(param, grad, velocity, lr, momentum=0.0, weight_decay=0.0,
                         nesterov=False):
    g = grad + weight_decay * param
    v = momentum * velocity + g
    return param - lr * v, v


def decay_after_momentum(param, grad, velocity, lr, momentum=0.0, weight_decay=0.0,
                         nesterov=False):
    v = momentum * velocity + grad
    g = grad + weight_decay * param
    direction = g + momentum * v if nesterov else v + weight_decay * param
    return param - lr * direction, v


MUTANTS = {
    "ema-momentum": {"sgd_step": ema_momentum},
    "nesterov-as-momentum": {"sgd_step": nesterov_as_momentum},
    "decay-after-momentum": {"sgd_step": decay_after_momentum},
}
