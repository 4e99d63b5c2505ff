"""Stochastic gradient descent, with momentum, dampening, Nesterov momentum and L2 weight decay."""

import numpy as np

from minnet.errors import ConfigError
from minnet.kernels.optim import run_update
from minnet.optim.optimizer import Optimizer, check_momentum
from minnet.validation import check_bool, check_float


def sgd_update(param, grad, momentum_buffer=None, *, lr, momentum=0.0, weight_decay=0.0,
               nesterov=False, dampening=0.0):
    """One SGD step on one parameter, in place: PyTorch's rule, in NumPy.

    Parameters
    ----------
    param : ndarray, any shape; updated in place
    grad : ndarray of param's shape; only read
    momentum_buffer : ndarray of param's shape, or None
        The velocity b, updated in place; None when momentum is 0. PyTorch's
        first b is g itself: pass zeros and ``dampening=0`` for a parameter's
        first momentum step (``SGD`` does).
    lr, momentum, weight_decay, dampening : float
    nesterov : bool

    The numba backend runs this rule's twin, fused into one pass over the
    arrays (``minnet/kernels/optim_numba.py``), equal to it to the last bit.
    """
    if weight_decay != 0:  # the L2 penalty's gradient, in a new array (.grad stays as it is)
        grad = grad + weight_decay * param
    if momentum != 0:
        momentum_buffer *= momentum
        # b = momentum * b + (1 - dampening) * g; without dampening, no pass multiplying by 1
        momentum_buffer += (1 - dampening) * grad if dampening != 0 else grad
        grad = grad + momentum * momentum_buffer if nesterov else momentum_buffer
    param -= lr * grad


class SGD(Optimizer):
    """Stochastic gradient descent, PyTorch's update rule.

    For each parameter ``p`` with gradient ``g`` (skipped when no backward
    reached it since ``zero_grad()``)::

        g = g + weight_decay * p                     (L2 penalty, if weight_decay > 0)
        b = g                                        (momentum buffer, first update)
        b = momentum * b + (1 - dampening) * g       (later updates, if momentum > 0)
        g = g + momentum * b    if nesterov, else g = b
        p = p - lr * g

    Parameters
    ----------
    params : iterable of Parameter, or of parameter-group dicts
        ``model.parameters()``, or ``[{"params": [...], "lr": ...}, ...]``.
    lr : float
        Learning rate, > 0.
    momentum : float
        In [0, 1); 0 is plain SGD (and keeps no buffer).
    nesterov : bool
        Nesterov momentum; needs ``momentum > 0`` and ``dampening == 0``.
    weight_decay : float
        >= 0; its gradient ``weight_decay * p`` is added to ``g``.
    dampening : float, keyword-only
        In [0, 1] (default 0): the share of each new gradient left out of
        the buffer. Keyword-only, because PyTorch's third positional argument
        is ``dampening`` while minnet's is ``nesterov``.

    Notes
    -----
    This is PyTorch's form of momentum: the buffer accumulates raw gradients
    and lr multiplies the buffer. CS231n's ``v = mu * v - lr * g; p += v``
    is the same for a constant lr but not when a schedule changes lr. The
    first buffer is the gradient itself, undamped, as in PyTorch.
    """

    hyperparameter_names = ("momentum", "nesterov", "weight_decay", "dampening")
    state_names = ("momentum_buffer",)

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0, *,
                 dampening=0.0):
        super().__init__(params, lr, momentum=momentum, nesterov=nesterov,
                         weight_decay=weight_decay, dampening=dampening)

    @classmethod
    def _check_hyperparameters(cls, owner, momentum, nesterov, weight_decay, dampening):
        momentum = check_momentum(owner, "momentum", momentum)
        nesterov = check_bool(owner, "nesterov", nesterov)
        dampening = check_float(owner, "dampening", dampening, low=0.0, high=1.0)
        if nesterov and (momentum == 0 or dampening != 0):
            raise ConfigError(
                f"{owner}: the 'nesterov' parameter needs momentum > 0 and dampening == 0, "
                f"got nesterov=True with momentum={momentum!r} and dampening={dampening!r}; "
                f"set momentum (e.g. 0.9) and dampening=0, or nesterov=False"
            )
        weight_decay = check_float(owner, "weight_decay", weight_decay, low=0.0)
        return {"momentum": momentum, "nesterov": nesterov, "weight_decay": weight_decay,
                "dampening": dampening}

    def _update(self, data, grad, state, group):
        options = {"lr": group["lr"], "momentum": group["momentum"],
                   "weight_decay": group["weight_decay"], "nesterov": group["nesterov"],
                   "dampening": group["dampening"]}
        buffer = None
        if options["momentum"] != 0:
            buffer = state.get("momentum_buffer")
            if buffer is None:  # first momentum step: b = 0 * momentum + 1 * g = g exactly
                buffer = state["momentum_buffer"] = np.zeros_like(data)
                options["dampening"] = 0.0
        # sgd_update(data, grad, buffer, **options), or its numba twin
        run_update(sgd_update, data, grad, (buffer,), options)
