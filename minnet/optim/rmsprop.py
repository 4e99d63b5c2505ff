"""RMSprop: divide the gradient by a moving root mean square of recent gradients."""

import numpy as np

from minnet.kernels.optim import (
    apply_update,
    rmsprop_centered_update,
    rmsprop_coefficients,
    rmsprop_update,
)
from minnet.optim.optimizer import Optimizer, check_momentum
from minnet.validation import check_bool, check_float


class RMSprop(Optimizer):
    """RMSprop, PyTorch's update rule.

    For each parameter ``p`` with gradient ``g``::

        g   = g + weight_decay * p              (L2 penalty, if weight_decay > 0)
        v   = alpha * v + (1 - alpha) * g * g
        avg = sqrt(v) + eps
        avg = sqrt(v - mean**2) + eps           (if centered; mean = alpha * mean + (1 - alpha) * g)
        b   = momentum * b + g / avg            (if momentum > 0; b starts at 0)
        p   = p - lr * b                        (if momentum > 0)
        p   = p - lr * g / avg                  (otherwise)

    Parameters
    ----------
    params : iterable of Parameter, or of parameter-group dicts
        ``model.parameters()``, or ``[{"params": [...], "lr": ...}, ...]``.
    lr : float
        Learning rate, > 0 (default 0.01).
    alpha : float
        Smoothing constant of the moving average, in [0, 1) (1 would never
        update ``v`` from 0, and every step would divide by ``eps``).
    eps : float
        >= 0; added to the root mean square, outside the square root.
    momentum : float
        In [0, 1); 0 keeps no momentum buffer.
    weight_decay : float, keyword-only
        >= 0 (default 0): L2 penalty added to the gradient.
    centered : bool, keyword-only
        Divide by a running standard deviation instead of a root mean square
        (default False). Both keyword-only: PyTorch's fifth positional
        argument is ``weight_decay``, minnet's is ``momentum``.

    Notes
    -----
    PyTorch adds ``eps`` outside the square root; Keras and some texts add
    it inside (``sqrt(v + eps)``). The two differ while ``v`` is tiny.
    """

    hyperparameter_names = ("alpha", "eps", "momentum", "weight_decay", "centered")
    state_names = ("step", "square_avg", "momentum_buffer", "grad_avg")
    required_state_names = ("step", "square_avg")

    # momentum is keyword-only: PyTorch's 5th positional argument is weight_decay, so a
    # positional value would silently mean another thing in the two libraries.
    def __init__(self, params, lr=0.01, alpha=0.99, eps=1e-8, *, momentum=0.0,
                 weight_decay=0.0, centered=False):
        super().__init__(params, lr, alpha=alpha, eps=eps, momentum=momentum,
                         weight_decay=weight_decay, centered=centered)

    @classmethod
    def _check_hyperparameters(cls, owner, alpha, eps, momentum, weight_decay, centered):
        return {
            "alpha": check_float(owner, "alpha", alpha, low=0.0, high=1.0, high_open=True),
            "eps": check_float(owner, "eps", eps, low=0.0),
            "momentum": check_momentum(owner, "momentum", momentum),
            "weight_decay": check_float(owner, "weight_decay", weight_decay, low=0.0),
            "centered": check_bool(owner, "centered", centered),
        }

    def _update(self, data, grad, state, group):
        if not state:
            state["step"] = 0
            state["square_avg"] = np.zeros_like(data)
        state["step"] += 1  # not used by the rule; kept as PyTorch keeps it
        buffer = None
        if group["momentum"] > 0:  # zeros on the first use, as PyTorch's
            buffer = state.get("momentum_buffer")
            if buffer is None:
                buffer = state["momentum_buffer"] = np.zeros_like(data)
        coefficients = rmsprop_coefficients(group["lr"], group["alpha"], group["eps"],
                                            group["momentum"], group["weight_decay"])
        if group["centered"]:
            if "grad_avg" not in state:
                state["grad_avg"] = np.zeros_like(data)
            rmsprop_centered_update(data, grad, state["square_avg"], state["grad_avg"],
                                    buffer, coefficients)
        else:
            apply_update(rmsprop_update, data, grad, (state["square_avg"], buffer),
                         coefficients)
