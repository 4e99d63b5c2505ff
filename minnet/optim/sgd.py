"""Stochastic gradient descent, with momentum, Nesterov momentum and L2 weight decay."""

import numpy as np

from minnet.errors import ConfigError
from minnet.kernels.optim import apply_update, sgd_coefficients, sgd_update
from minnet.optim.optimizer import Optimizer
from minnet.validation import check_float


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's update rule (``dampening=0``).

    For each parameter ``p`` with gradient ``g``::

        g = g + weight_decay * p                  (L2 penalty, if weight_decay > 0)
        b = momentum * b + g                      (momentum buffer from 0, if momentum > 0;
                                                   so b = g at the first step)
        g = g + momentum * b    if nesterov, else g = b
        p = p - lr * g

    Parameters
    ----------
    params : iterable of Parameter
        ``model.parameters()``.
    lr : float
        Learning rate, > 0.
    momentum : float
        >= 0; 0 is plain SGD (and keeps no buffer).
    nesterov : bool
        Nesterov momentum; needs ``momentum > 0``.
    weight_decay : float
        >= 0; its gradient ``weight_decay * p`` is added to ``g``.

    Notes
    -----
    This is PyTorch's form of momentum: the buffer accumulates raw gradients
    and lr multiplies the buffer. CS231n's ``v = mu * v - lr * g; p += v``
    is the same for a constant lr but not when a schedule changes lr.
    """

    hyperparameter_names = ("momentum", "nesterov", "weight_decay")

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0):
        super().__init__(params, lr, momentum=momentum, nesterov=nesterov,
                         weight_decay=weight_decay)

    @classmethod
    def _check_hyperparameters(cls, momentum, nesterov, weight_decay):
        momentum = check_float("SGD", "momentum", momentum, low=0.0)
        if not isinstance(nesterov, (bool, np.bool_)):
            raise ConfigError(
                f"SGD: the 'nesterov' parameter must be a bool, got {nesterov!r}"
            )
        if nesterov and momentum == 0:
            raise ConfigError(
                "SGD: the 'nesterov' parameter needs momentum > 0, got nesterov=True "
                "with momentum=0.0; set momentum (e.g. 0.9) or nesterov=False"
            )
        weight_decay = check_float("SGD", "weight_decay", weight_decay, low=0.0)
        return {"momentum": momentum, "nesterov": bool(nesterov),
                "weight_decay": weight_decay}

    @staticmethod
    def _state_names(hyperparameters):
        return ("momentum_buffer",) if hyperparameters["momentum"] > 0 else ()

    def _update(self, data, grad, state):
        coefficients = sgd_coefficients(self.lr, self.momentum, self.weight_decay, self.nesterov)
        apply_update(sgd_update, data, grad, (state.get("momentum_buffer"),), coefficients)
