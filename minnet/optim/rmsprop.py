"""RMSprop: divide the gradient by a moving root mean square of recent gradients."""

import numpy as np

from minnet.kernels.optim import run_update
from minnet.optim.optimizer import Optimizer, check_momentum
from minnet.validation import check_bool, check_float


def rmsprop_update(param, grad, square_avg, momentum_buffer=None, grad_avg=None, *, lr, alpha,
                   eps, momentum=0.0, weight_decay=0.0):
    """One RMSprop step on one parameter, in place: PyTorch's rule, in NumPy.

    Parameters
    ----------
    param : ndarray, any shape; updated in place
    grad : ndarray of param's shape; only read
    square_avg : ndarray of param's shape, the moving average v of g**2; updated in place
    momentum_buffer : ndarray of param's shape, or None
        The velocity b, updated in place; None when momentum is 0.
    grad_avg : ndarray of param's shape, or None
        Centered RMSprop's moving average of g, updated in place; None otherwise.
    lr, alpha, eps, momentum, weight_decay : float

    The numba backend runs this rule's twin, fused into one pass over the
    arrays (``minnet/kernels/optim_numba.py``), equal to it to the last bit;
    centered RMSprop always runs here.
    """
    if weight_decay != 0:  # the L2 penalty's gradient, in a new array (.grad stays as it is)
        grad = grad + weight_decay * param
    square_avg *= alpha
    square_avg += (1 - alpha) * (grad * grad)  # v = alpha * v + (1 - alpha) * g**2
    if grad_avg is None:
        denominator = np.sqrt(square_avg) + eps
    else:  # centered: divide by a moving standard deviation, sqrt(E[g**2] - E[g]**2)
        grad_avg += (1 - alpha) * (grad - grad_avg)  # = alpha * mean + (1 - alpha) * g
        # A variance, >= 0 in exact arithmetic: clamp where round-off makes it negative
        # (PyTorch's sqrt gives NaN there).
        variance = np.maximum(square_avg - grad_avg * grad_avg, 0.0)
        denominator = np.sqrt(variance) + eps
    step = grad / denominator
    if momentum != 0:
        momentum_buffer *= momentum
        momentum_buffer += step  # b = momentum * b + g / denominator
        step = momentum_buffer
    param -= lr * step


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
        if group["momentum"] > 0 and "momentum_buffer" not in state:  # zeros, as PyTorch's
            state["momentum_buffer"] = np.zeros_like(data)
        if group["centered"] and "grad_avg" not in state:
            state["grad_avg"] = np.zeros_like(data)
        states = (state["square_avg"],
                  state["momentum_buffer"] if group["momentum"] > 0 else None,
                  state["grad_avg"] if group["centered"] else None)
        options = {"lr": group["lr"], "alpha": group["alpha"], "eps": group["eps"],
                   "momentum": group["momentum"], "weight_decay": group["weight_decay"]}
        # rmsprop_update(data, grad, *states, **options), or its numba twin
        run_update(rmsprop_update, data, grad, states, options)
