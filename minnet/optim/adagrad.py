"""Adagrad: a per-coordinate step size that shrinks with the sum of squared gradients."""

import numpy as np

from minnet.kernels.optim import run_update
from minnet.optim.optimizer import Optimizer
from minnet.validation import check_float


def adagrad_update(param, grad, squared_sum, *, lr, eps, step=1, lr_decay=0.0,
                   weight_decay=0.0):
    """One Adagrad step on one parameter, in place: PyTorch's rule, in NumPy.

    Parameters
    ----------
    param : ndarray, any shape; updated in place
    grad : ndarray of param's shape; only read
    squared_sum : ndarray of param's shape, the sum of every g**2 so far; updated in place
    lr, eps, lr_decay, weight_decay : float
    step : int
        This parameter's own step count, 1 on its first update.

    The numba backend runs this rule's twin, fused into one pass over the
    arrays (``minnet/kernels/optim_numba.py``), equal to it to the last bit.
    """
    if weight_decay != 0:  # the L2 penalty's gradient, in a new array (.grad stays as it is)
        grad = grad + weight_decay * param
    clr = lr / (1 + (step - 1) * lr_decay)  # the decayed learning rate
    squared_sum += grad * grad
    param -= clr * (grad / (np.sqrt(squared_sum) + eps))


class Adagrad(Optimizer):
    """Adagrad, PyTorch's update rule.

    For each parameter ``p`` with gradient ``g``, at its own step ``t`` (1, 2, ...)::

        g   = g + weight_decay * p                   (L2 penalty, if weight_decay > 0)
        clr = lr / (1 + (t - 1) * lr_decay)
        sum = sum + g * g                            (sum starts at initial_accumulator_value)
        p   = p - clr * g / (sqrt(sum) + eps)

    Parameters
    ----------
    params : iterable of Parameter, or of parameter-group dicts
        ``model.parameters()``, or ``[{"params": [...], "lr": ...}, ...]``.
    lr : float
        Learning rate, > 0 (default 0.01).
    eps : float
        >= 0; added to the denominator, outside the square root.
    lr_decay, weight_decay, initial_accumulator_value : float, keyword-only
        Each >= 0 (default 0). Keyword-only, because PyTorch's positional
        order (``lr, lr_decay, weight_decay, initial_accumulator_value, eps``)
        differs from minnet's (``lr, eps``).

    Notes
    -----
    The sum only grows, so the effective step only shrinks: Adagrad suits
    sparse gradients and convex problems; RMSprop replaces the sum by a
    moving average so that deep networks keep learning. A group's own
    ``initial_accumulator_value`` is used (PyTorch uses the constructor's
    for every group).
    """

    hyperparameter_names = ("eps", "lr_decay", "weight_decay", "initial_accumulator_value")
    state_names = ("step", "sum")
    required_state_names = ("step", "sum")

    # eps is keyword-only: PyTorch's 3rd positional argument is lr_decay, so a positional
    # value would silently mean another thing in the two libraries.
    def __init__(self, params, lr=0.01, *, eps=1e-10, lr_decay=0.0, weight_decay=0.0,
                 initial_accumulator_value=0.0):
        super().__init__(params, lr, eps=eps, lr_decay=lr_decay, weight_decay=weight_decay,
                         initial_accumulator_value=initial_accumulator_value)

    @classmethod
    def _check_hyperparameters(cls, owner, eps, lr_decay, weight_decay,
                               initial_accumulator_value):
        return {"eps": check_float(owner, "eps", eps, low=0.0),
                "lr_decay": check_float(owner, "lr_decay", lr_decay, low=0.0),
                "weight_decay": check_float(owner, "weight_decay", weight_decay, low=0.0),
                "initial_accumulator_value": check_float(
                    owner, "initial_accumulator_value", initial_accumulator_value, low=0.0)}

    def _update(self, data, grad, state, group):
        if not state:
            state["step"] = 0
            state["sum"] = np.full_like(data, group["initial_accumulator_value"])
        state["step"] += 1
        options = {"lr": group["lr"], "eps": group["eps"], "step": state["step"],
                   "lr_decay": group["lr_decay"], "weight_decay": group["weight_decay"]}
        # adagrad_update(data, grad, state["sum"], **options), or its numba twin
        run_update(adagrad_update, data, grad, (state["sum"],), options)
